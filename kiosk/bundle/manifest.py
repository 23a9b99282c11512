"""The manifest of a bundle: its version, what kiosks may run it, and every file with its hash."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.bundle import MANIFEST_NAME as MANIFEST_NAME

FORMAT = 1
"""The manifest format this kiosk reads."""

MODES = ("government", "locker")
"""Terminal modes a bundle can be meant for."""

_VERSION = re.compile(r"^\d+(\.\d+){0,3}$")


def kiosk_version() -> str:
    """This kiosk's software version (the installed package's, "0" when not installed)."""
    from importlib import metadata  # ~5 ms: not for every reader of MANIFEST_NAME

    try:
        return metadata.version("community-kiosk")
    except metadata.PackageNotFoundError:
        return "0"


def version_key(version: str) -> tuple[int, ...]:
    """A dotted version as a tuple that compares numerically ("0.10" after "0.9")."""
    if not _VERSION.fullmatch(version):
        raise ManifestError(f"version {version!r} is not dotted numbers")
    return tuple(int(part) for part in version.split("."))


class ManifestError(ValueError):
    """A manifest that cannot be read or does not describe its bundle."""


@dataclass(frozen=True)
class FileEntry:
    """One file of a bundle: its SHA-256 and size."""

    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """What a bundle is: version, minimum kiosk version, modes and files (path -> entry)."""

    version: int
    min_kiosk: str
    modes: tuple[str, ...]
    files: Mapping[str, FileEntry] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        """The manifest as canonical JSON: sorted keys, no spaces, one trailing newline."""
        data = {
            "format": FORMAT,
            "version": self.version,
            "min_kiosk": self.min_kiosk,
            "modes": sorted(self.modes),
            "files": {
                path: {"sha256": entry.sha256, "size": entry.size}
                for path, entry in sorted(self.files.items())
            },
        }
        return (json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n").encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Manifest:
        """Read and check a manifest; `ManifestError` says what is wrong."""
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ManifestError(f"manifest is not JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ManifestError(f"manifest format is not {FORMAT}")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ManifestError("manifest version must be a whole number from 1")
        min_kiosk = data.get("min_kiosk")
        if not isinstance(min_kiosk, str):
            raise ManifestError("manifest min_kiosk must be a version")
        version_key(min_kiosk)
        modes = data.get("modes")
        if not isinstance(modes, list) or not modes or any(m not in MODES for m in modes):
            raise ManifestError(f"manifest modes must be some of {', '.join(MODES)}")
        files = data.get("files")
        if not isinstance(files, dict):
            raise ManifestError("manifest files must be a map")
        return cls(version, min_kiosk, tuple(modes), {p: _entry(p, e) for p, e in files.items()})

    def runs_on(self, kiosk: str, mode: str) -> str:
        """Why a kiosk of this version and mode cannot run the bundle, or "" when it can."""
        if version_key(kiosk) < version_key(self.min_kiosk):
            return f"needs kiosk {self.min_kiosk} or newer (this is {kiosk})"
        if mode not in self.modes:
            return f"is for {', '.join(self.modes)} terminals, not {mode}"
        return ""


def _entry(path: str, raw: Any) -> FileEntry:
    if not isinstance(raw, dict):
        raise ManifestError(f"manifest entry {path!r} must be a map")
    sha256, size = raw.get("sha256"), raw.get("size")
    if not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ManifestError(f"manifest entry {path!r} has no SHA-256")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ManifestError(f"manifest entry {path!r} has no size")
    return FileEntry(sha256, size)


def entry_of(data: bytes) -> FileEntry:
    """The manifest entry of these file contents."""
    return FileEntry(hashlib.sha256(data).hexdigest(), len(data))
