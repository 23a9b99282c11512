"""Console users and logins: argon2 password hashes, sessions in the database, CSRF tokens."""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk.fleet.models import Audit, LoginSession, User
from kiosk.fleet.tokens import new_token, token_hash

log = logging.getLogger(__name__)

ROLES = ("viewer", "operator", "administrator")
"""Each role may do what the ones before it may."""

_HASHER = PasswordHasher()


@dataclass(frozen=True)
class Login:
    """Who is logged in, in what role, and the CSRF token of their forms."""

    name: str
    role: str
    csrf: str

    def may(self, role: str) -> bool:
        """Whether this login's role is `role` or above."""
        return ROLES.index(self.role) >= ROLES.index(role)


def add_user(db: Session, name: str, password: str, role: str) -> None:
    """Create a user or reset their password and role."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 10:
        raise ValueError("a password needs at least 10 characters")
    user = db.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, password_hash="", role=role)
        db.add(user)
    user.password_hash = _HASHER.hash(password)
    user.role = role


def log_in(db: Session, name: str, password: str, now: float, hours: float) -> str | None:
    """A new session token for a right password, else None."""
    user = db.scalar(select(User).where(User.name == name))
    if user is None:
        _HASHER.hash(password)  # the same time whether or not the user exists
        return None
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    token = new_token()
    db.execute(delete(LoginSession).where(LoginSession.expires_at < now))
    db.add(
        LoginSession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf=secrets.token_urlsafe(24),
            expires_at=now + hours * 3600,
        )
    )
    return token


def login_for(db: Session, token: str | None, now: float) -> Login | None:
    """The login a session cookie stands for, if it is valid."""
    if not token:
        return None
    row = db.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == token_hash(token), LoginSession.expires_at >= now)
    ).first()
    if row is None:
        return None
    session, user = row
    return Login(user.name, user.role, session.csrf)


def log_out(db: Session, token: str) -> None:
    """End a session."""
    db.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))


def csrf_ok(login: Login, given: str | None) -> bool:
    """Whether a form carried the session's CSRF token."""
    return bool(given) and hmac.compare_digest(login.csrf, given or "")


def audit(db: Session, now: float, user: str, action: str, detail: str = "") -> None:
    """Record one action."""
    db.add(Audit(at=now, user=user, action=action, detail=detail))
    log.info("audit: %s %s %s", user, action, detail)
