"""Results kept between processes, one file each in `$XDG_CACHE_HOME/kiosk/<kind>/` (or
`~/.cache/kiosk/`): named by the SHA-256 of what they were made from and by a fingerprint of
the code that made them (some of `kiosk/flow/`'s modules and an installed package's
`__init__.py`), so a changed input or changed code never finds what was kept before. A file is
written whole and moved into place (two processes never read half of one); an unreadable or
unwritable folder means nothing is kept and the result is made again.

Writing a file costs about a quarter of what parsing a flow does: a process keeps at most
`WRITES` new results of a kind, so the first check of a catalogue of hundreds of flows is not
made slower by hundreds of writes (each later check keeps that many more).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from pathlib import Path

__all__ = ["KeptFiles"]

log = logging.getLogger(__name__)

WRITES = 64
"""New results of one kind a process keeps at most."""


class KeptFiles:
    """The kept results of one kind, made by `modules` (file names in `kiosk/flow/`) and the
    installed `package` (its `__init__.py`'s place, size and time: its version is in it)."""

    def __init__(self, kind: str, modules: tuple[str, ...], package: str) -> None:
        self.kind = kind
        self._modules = modules
        self._package = package
        self._fingerprint: str | None = None
        self._fingerprinted = False
        self._written = 0

    def folder(self) -> str:
        """Where the results are kept."""
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return os.path.join(base, "kiosk", self.kind)

    def fingerprint(self) -> str | None:
        """A digest of the code that makes the results; None when some of it cannot be read
        (nothing is kept then)."""
        if not self._fingerprinted:
            self._fingerprint = self._digest()
            self._fingerprinted = True
        return self._fingerprint

    def _digest(self) -> str | None:
        digest = hashlib.sha256()
        here = Path(__file__).parent
        try:
            for name in (*self._modules, "kept_files.py"):
                digest.update((here / name).read_bytes())
        except OSError as exc:
            log.debug("%s not kept: %s", self.kind, exc)
            return None
        installed = _installed(self._package)
        if installed is None:
            return None
        digest.update(installed.encode())
        return digest.hexdigest()[:16]

    def _file(self, key: str) -> str | None:
        fingerprint = self.fingerprint()
        if fingerprint is None:
            return None
        name = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        return os.path.join(self.folder(), f"{fingerprint}-{name}.msgpack")

    def read(self, key: str) -> bytes | None:
        """What was kept for `key`, or None."""
        path = self._file(key)
        if path is None:
            return None
        try:
            with open(path, "rb") as file:
                return file.read()
        except OSError:
            return None

    def room(self) -> bool:
        """Whether this process may still keep a new result (see `WRITES`)."""
        return self._written < WRITES

    def write(self, key: str, content: bytes) -> None:
        """Keep `content` for `key` (skipped when the folder cannot be written, and after this
        process's `WRITES` new results)."""
        if self._written >= WRITES:
            return
        path = self._file(key)
        if path is None:
            return
        self._written += 1
        partial = f"{path}.{os.getpid()}"
        try:
            try:
                file = open(partial, "wb")
            except FileNotFoundError:
                os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
                file = open(partial, "wb")
            with file:
                file.write(content)
            os.replace(partial, path)
        except OSError as exc:
            log.debug("%s not kept: %s", self.kind, exc)


def _installed(package: str) -> str | None:
    """Where `package` is installed, with its `__init__.py`'s size and time, found as `import`
    finds a package on `sys.path`, without importing it."""
    for entry in sys.path:
        init = os.path.join(entry or ".", package, "__init__.py")
        try:
            stat = os.stat(init)
        except OSError:
            continue
        return f"{os.path.abspath(init)}:{stat.st_size}:{stat.st_mtime_ns}"
    return None
