"""The per-kiosk key that hashes recipients' phones and derives pickup codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_BYTES = 32


def load_or_create(path: Path) -> bytes:
    """The key in `path`, made (readable by this user only) when there is none yet."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(KEY_BYTES)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key.hex().encode())
            out.flush()
            os.fsync(out.fileno())
        return key
    return bytes.fromhex(data.decode().strip())


class Keyed:
    """Keyed hashes of phones and codes; codes derived from a parcel's id and a nonce."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, purpose: str, value: str) -> bytes:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()

    def digest(self, purpose: str, value: str) -> str:
        """HMAC-SHA256 of `value` for one purpose (phone, code, courier), in base64url: never a
        run of digits that would pass for a phone number in the database."""
        return base64.urlsafe_b64encode(self._mac(purpose, value)).decode().rstrip("=")

    def pickup_code(self, parcel: str, nonce: int) -> str:
        """The 6-digit pickup code of a parcel: derivable again after a restart, never stored."""
        value = int.from_bytes(self._mac("pickup", f"{parcel}/{nonce}")[:6], "big")
        return f"{value % 1_000_000:06d}"
