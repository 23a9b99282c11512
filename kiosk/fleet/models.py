"""The fleet server's tables (SQLAlchemy 2); their schema changes only through migrations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """The declarative base of every fleet table."""


class Kiosk(Base):
    """A kiosk provisioned for the fleet, with what its newest heartbeat said."""

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    district: Mapped[str] = mapped_column(String(64), default="")
    community: Mapped[str] = mapped_column(String(64), default="")
    group: Mapped[str] = mapped_column("kiosk_group", String(64), default="all")
    mode: Mapped[str] = mapped_column(String(16), default="")
    kiosk_version: Mapped[str] = mapped_column(String(32), default="")
    bundle: Mapped[int | None] = mapped_column(Integer, nullable=True)
    update_state: Mapped[str] = mapped_column(String(32), default="")
    last_seen: Mapped[float | None] = mapped_column(Float, nullable=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    paper: Mapped[str] = mapped_column(String(16), default="unknown")
    faults: Mapped[list[str]] = mapped_column(JSON, default=list)
    devices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outbox_backlog: Mapped[int] = mapped_column(Integer, default=0)
    backlog_growing: Mapped[int] = mapped_column(Integer, default=0)
    """How many heartbeats in a row the outbox backlog grew."""


class Heartbeat(Base):
    """One heartbeat's counts, kept for the kiosk's history and the rollouts' failure rates."""

    __tablename__ = "heartbeats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"), index=True)
    received_at: Mapped[float] = mapped_column(Float, index=True)
    bundle: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    rollbacks: Mapped[int] = mapped_column(Integer, default=0)
    paper: Mapped[str] = mapped_column(String(16), default="unknown")
    faults: Mapped[list[str]] = mapped_column(JSON, default=list)
    outbox_backlog: Mapped[int] = mapped_column(Integer, default=0)


class FlowCount(Base):
    """One flow's sessions and failures in one heartbeat (only flows with any), kept with the
    kiosk's bundle so a rollout compares each flow on the new bundle with the old one."""

    __tablename__ = "flow_counts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id"))
    """Not indexed: rollouts find rows by time (each index costs every heartbeat a write)."""
    received_at: Mapped[float] = mapped_column(Float, index=True)
    bundle: Mapped[int | None] = mapped_column(Integer, nullable=True)
    flow: Mapped[str] = mapped_column(String(64))
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)


class User(Base):
    """A console user: viewer, operator or administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))


class LoginSession(Base):
    """A console login, kept in the database so any server process can serve it."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    csrf: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[float] = mapped_column(Float)


class Rollout(Base):
    """A bundle rolled out stage by stage."""

    __tablename__ = "rollouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle: Mapped[int] = mapped_column(Integer)
    previous_bundle: Mapped[int | None] = mapped_column(Integer, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="running")
    """running, halted or complete."""
    stage: Mapped[int] = mapped_column(Integer, default=0)
    """The index of the stage reached (0: the first, started with the rollout)."""
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[float] = mapped_column(Float)
    stage_started_at: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    counted_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    """The current stage's heartbeats stamped before this are added up in `tally`."""
    tally: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """What they added up to (rollouts.Tally), so a check reads only newer heartbeats."""


class Stage(Base):
    """One stage of a rollout: named groups or a share of the fleet, and its halt thresholds."""

    __tablename__ = "stages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rollout_id: Mapped[int] = mapped_column(ForeignKey("rollouts.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    percent: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_failure_excess: Mapped[float] = mapped_column(Float, default=0.05)
    """Halt when this stage's failure rate exceeds the old bundle's by more than this."""
    max_rollbacks: Mapped[int] = mapped_column(Integer, default=0)
    """Halt when more kiosks than this rolled the bundle back."""
    advance_after: Mapped[float | None] = mapped_column(Float, nullable=True)
    """Seconds after the stage started to advance by itself (none: by hand)."""


class Audit(Base):
    """Every console action: who, when, what."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[float] = mapped_column(Float, index=True)
    user: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
