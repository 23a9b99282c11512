"""The bundles on a kiosk: each in its own folder, `current` and `previous` as symbolic links.

    <root>/bundles/<version>/   manifest.json, flows/, locales/   (complete, or not there at all)
    <root>/current -> bundles/<version>      switched atomically (a new link renamed over it)
    <root>/previous -> bundles/<version>     the bundle before, kept for rollback
    <root>/refused/<version>                 versions never to install again (and why)

A bundle folder is unpacked under a temporary name and renamed into place only once complete and
synced, so a crash at any point leaves `current` naming a complete bundle, old or new.
`recover()` at start-up removes what a crash left half done.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from kiosk.bundle.archive import ArchiveError, Bundle, check_files
from kiosk.bundle.manifest import MANIFEST_NAME, Manifest, ManifestError
from kiosk.bundle.unpack import sync_dir, unpack

log = logging.getLogger(__name__)

Step = Callable[[str], None]
"""Told the name of each step as it completes (the crash tests stop the process there)."""


def no_step(name: str) -> None:
    """Steps are not observed."""


class BundleStore:
    """The bundle folders of one kiosk under `root`."""

    def __init__(self, root: Path, step: Step = no_step) -> None:
        self.root = root
        self.bundles = root / "bundles"
        self.step = step

    # -- reading -------------------------------------------------------------------------------

    def _link(self, name: str) -> int | None:
        try:
            target = os.readlink(self.root / name)
        except OSError:
            return None
        folder = Path(target).name
        return int(folder) if folder.isdigit() else None

    def current(self) -> int | None:
        """The version `current` names, if any."""
        return self._link("current")

    def previous(self) -> int | None:
        """The version `previous` names, if any."""
        return self._link("previous")

    def folder(self, version: int) -> Path:
        """Where bundle `version` is (or would be) unpacked."""
        return self.bundles / str(version)

    def flows_dir(self) -> Path | None:
        """The flows of the current bundle, or None when there is none."""
        version = self.current()
        return None if version is None else self.folder(version) / "flows"

    def complete(self, version: int) -> bool:
        """Whether bundle `version` is unpacked whole: every file exactly as its manifest says."""
        folder = self.folder(version)
        try:
            manifest = Manifest.from_bytes((folder / MANIFEST_NAME).read_bytes())
            files = {
                name: path.read_bytes()
                for path in folder.rglob("*")
                if path.is_file() and (name := path.relative_to(folder).as_posix()) != MANIFEST_NAME
            }
            check_files(manifest, files)
        except (OSError, ManifestError, ArchiveError) as exc:
            log.warning("bundle %s is not complete: %s", version, exc)
            return False
        return manifest.version == version

    def refused(self, version: int) -> str:
        """Why `version` was refused on this kiosk, or "" if it was not."""
        try:
            return (self.root / "refused" / str(version)).read_text(encoding="utf-8")
        except OSError:
            return ""

    # -- changing ------------------------------------------------------------------------------

    def install(self, bundle: Bundle) -> Path:
        """Unpack `bundle` into its folder (kept if already complete); the folder."""
        version = bundle.manifest.version
        final = self.folder(version)
        if final.exists():
            if self.complete(version):
                return final
            shutil.rmtree(final)
        self.bundles.mkdir(parents=True, exist_ok=True)
        incoming = self.bundles / f".incoming-{version}"
        shutil.rmtree(incoming, ignore_errors=True)
        unpack(bundle, incoming, step=self.step)
        os.rename(incoming, final)
        sync_dir(self.bundles)
        self.step(f"installed {version}")
        return final

    def activate(self, version: int) -> None:
        """Make `version` current, keeping the one before as `previous`."""
        old = self.current()
        if old is not None and old != version:
            self._point("previous", old)
        self._point("current", version)

    def rollback(self, reason: str) -> int | None:
        """Return to `previous` and refuse the current version from now on; the version now."""
        bad, back = self.current(), self.previous()
        if bad is not None:
            self.refuse(bad, reason)
        if back is None or not self.complete(back):
            self._unlink("current")
            return None
        self._point("current", back)
        self._unlink("previous")
        return back

    def refuse(self, version: int, reason: str) -> None:
        """Never install `version` again on this kiosk."""
        folder = self.root / "refused"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / str(version)).write_text(reason, encoding="utf-8")
        sync_dir(folder)

    def recover(self) -> int | None:
        """Tidy what a crash left and make sure `current` is complete; the current version."""
        if self.bundles.is_dir():
            for leftover in self.bundles.glob(".incoming-*"):
                shutil.rmtree(leftover, ignore_errors=True)
        for name in ("current", "previous"):
            (self.root / f".{name}.new").unlink(missing_ok=True)
        version = self.current()
        if version is not None and not self.complete(version):
            log.error("current bundle %s is incomplete: returning to the previous one", version)
            return self.rollback("incomplete on disk")
        return version

    def prune(self) -> None:
        """Remove bundle folders other than current and previous."""
        keep = {self.current(), self.previous()}
        for folder in self.bundles.iterdir() if self.bundles.is_dir() else []:
            if folder.name.isdigit() and int(folder.name) not in keep:
                shutil.rmtree(folder, ignore_errors=True)

    def _point(self, name: str, version: int) -> None:
        """Point link `name` at bundle `version` atomically (a new link renamed over the old)."""
        self.root.mkdir(parents=True, exist_ok=True)
        new = self.root / f".{name}.new"
        new.unlink(missing_ok=True)
        os.symlink(f"bundles/{version}", new)
        self.step(f"{name} link made")
        os.replace(new, self.root / name)
        sync_dir(self.root)
        self.step(f"{name} -> {version}")

    def _unlink(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)
        sync_dir(self.root)
