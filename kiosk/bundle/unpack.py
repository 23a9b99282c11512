"""Write a checked bundle's files into a new folder, each file synced to disk."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from kiosk.bundle.archive import Bundle
from kiosk.bundle.manifest import MANIFEST_NAME


def unpack(bundle: Bundle, dest: Path, *, step: Callable[[str], None] | None = None) -> None:
    """Create `dest` (it must not exist) holding the manifest and every file of `bundle`.

    `step(name)` is called after each file is written (the crash tests stop there).
    """
    dest.mkdir(mode=0o755)
    for path, data in [*sorted(bundle.files.items()), (MANIFEST_NAME, bundle.manifest.to_bytes())]:
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            os.write(fd, data) if data else None
            os.fsync(fd)
        finally:
            os.close(fd)
        if step is not None:
            step(f"unpacked {path}")
    sync_dir(dest)


def sync_dir(path: Path) -> None:
    """Make the entries of folder `path` durable (after creating, renaming or removing them)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
