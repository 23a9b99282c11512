"""Maintainers' PINs: salted argon2id hashes, checked off the event loop; never kept in clear."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kiosk.config import MaintainerPin
from kiosk.maintenance.roles import Maintainer, Role

log = logging.getLogger(__name__)

MIN_PIN = 6
"""Digits a PIN needs at least (a 4-digit PIN falls to a patient thief despite the lock-out)."""
MAX_PIN = 12

_HASHER = PasswordHasher()
"""argon2id with the library's defaults (RFC 9106's second recommendation: 64 MiB, 3 passes)."""


class BadPin(ValueError):
    """A PIN that may not be set (too short, not digits)."""


def check_new_pin(pin: str) -> str:
    """`pin` if it may be set: digits only (the keypad types them), 6 to 12 of them."""
    if not pin.isdigit() or not pin.isascii():
        raise BadPin("a PIN is digits only")
    if not MIN_PIN <= len(pin) <= MAX_PIN:
        raise BadPin(f"a PIN has {MIN_PIN} to {MAX_PIN} digits")
    if len(set(pin)) == 1:
        raise BadPin("a PIN of one repeated digit is too easy to guess")
    return pin


def hash_pin(pin: str) -> str:
    """The salted argon2id hash of a PIN (a new salt every time)."""
    return _HASHER.hash(check_new_pin(pin))


@dataclass(frozen=True)
class PinBook:
    """The configured PINs (`[maintenance.pins]`): name → role and hash."""

    pins: Mapping[str, MaintainerPin]

    def check(self, pin: str) -> Maintainer | None:
        """The maintainer whose PIN this is, or None. Blocking (argon2 is slow on purpose):
        run it in a thread."""
        if not pin.isdigit():
            return None
        for name, entry in sorted(self.pins.items()):
            try:
                _HASHER.verify(entry.hash, pin)
            except VerifyMismatchError:
                continue
            except (InvalidHashError, VerificationError) as exc:
                log.error("maintenance PIN of %s cannot be checked: %s", name, type(exc).__name__)
                continue
            return Maintainer(Role(entry.role), f"pin:{name}")
        return None
