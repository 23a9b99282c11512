"""The per-kiosk key that hashes recipients' phones and derives pickup codes."""

from __future__ import annotations

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

    def digest(self, purpose: str, value: str) -> str:
        """HMAC-SHA256 of `value` for one purpose (phone, code, courier), hex."""
        message = f"{purpose}:{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def pickup_code(self, parcel: str, nonce: int) -> str:
        """The 6-digit pickup code of a parcel: derivable again after a restart, never stored."""
        value = int(self.digest("pickup", f"{parcel}/{nonce}")[:12], 16)
        return f"{value % 1_000_000:06d}"
