"""Signing keys as PEM files (Ed25519, PKCS#8), kept outside the repository, owner-only."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner, SSlibKey


class KeyFileError(Exception):
    """A key file that cannot be used; the message names it."""


def generate_key(path: Path) -> CryptoSigner:
    """Create a new key in `path` (which must not exist), mode 0600; its signer."""
    signer = CryptoSigner.generate_ed25519()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(signer.private_bytes)
    return signer


def load_signer(path: Path) -> CryptoSigner:
    """The signer of the key in `path`."""
    try:
        private = load_pem_private_key(path.read_bytes(), None)
    except (OSError, ValueError, TypeError) as exc:
        raise KeyFileError(f"{path}: not a usable private key ({exc})") from None
    return CryptoSigner(private)


def public_key(path: Path) -> SSlibKey:
    """The public half of the key in `path`."""
    key = load_signer(path).public_key
    assert isinstance(key, SSlibKey)
    return key
