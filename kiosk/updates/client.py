"""The kiosk's TUF client: refresh the metadata, choose this kiosk's newest bundle, download it.

Everything it returns was verified by python-tuf's `ngclient` against the root of trust
installed with the kiosk: signatures and thresholds, versions never going back, expiry, the
snapshot's view of targets, and the bundle's length and hash. Nothing unsigned comes out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tuf.api.metadata import Metadata, TargetFile, Targets
from tuf.ngclient import Updater, UpdaterConfig

from kiosk.bundle.manifest import version_key
from kiosk.config import UpdatesConfig
from kiosk.updates.fetcher import ConditionalFetcher
from kiosk.updates.repository import ALL_GROUPS, Published, published

log = logging.getLogger(__name__)


ROLES = ("root", "timestamp", "snapshot", "targets")


def utc_now() -> datetime:
    """The kiosk's clock, for the expiry of trusted metadata (tests move it)."""
    return datetime.now(UTC)


class Refused(Exception):
    """A bundle the kiosk will not take (too large, not for it); the message says why."""


@dataclass(frozen=True)
class Offer:
    """The bundle this kiosk should take next, as the signed targets metadata lists it."""

    version: int
    target: TargetFile


class UpdateClient:
    """One kiosk's view of the repository; its TUF metadata cache lives in `state_dir`."""

    def __init__(
        self, settings: UpdatesConfig, state_dir: Path, fetcher: ConditionalFetcher
    ) -> None:
        if settings.repository is None or settings.trusted_root is None:
            raise ValueError("no update repository configured")
        self.settings = settings
        self.base = settings.repository.rstrip("/") + "/"
        self.metadata_dir = state_dir / "metadata"
        self.download_dir = state_dir / "downloads"
        self.fetcher = fetcher
        self._updater: Updater | None = None
        self._clean = False
        """The last refresh verified everything (not refused, not expired, not unreachable)."""

    def _new_updater(self) -> Updater:
        self.metadata_dir.mkdir(parents=True, exist_ok=True)
        bootstrap = None
        if not (self.metadata_dir / "root.json").exists():
            assert self.settings.trusted_root is not None
            bootstrap = self.settings.trusted_root.read_bytes()
        return Updater(
            metadata_dir=str(self.metadata_dir),
            metadata_base_url=self.base + "metadata/",
            target_base_url=self.base + "targets/",
            fetcher=self.fetcher,
            config=UpdaterConfig(app_user_agent="community-kiosk"),
            bootstrap=bootstrap,
        )

    def offer(
        self, *, newer_than: int, group: str, mode: str, kiosk: str, refused: Any
    ) -> Offer | None:
        """Refresh the metadata; the newest bundle for this kiosk above `newer_than`, if any.

        `refused(version)` says why this kiosk refused a version before ("" if it did not).
        """
        wanted = (newer_than, group, mode, kiosk, refused)
        if self._nothing_new(*wanted):
            return None
        updater = self._updater = self._new_updater()
        self._clean = False
        updater.refresh()
        self._clean = True  # everything the repository serves now was verified
        # the targets metadata ngclient has just verified and persisted
        candidates = self._candidates(self._trusted("targets"), *wanted)
        if not candidates:
            return None
        best = candidates[-1]
        target = updater.get_targetinfo(best.path)
        if target is None:  # pragma: no cover - listed above, so ngclient finds it
            return None
        if target.length > self.settings.max_bundle_bytes:
            raise Refused(
                f"bundle {best.version} is {target.length} bytes, more than the "
                f"{self.settings.max_bundle_bytes} allowed"
            )
        return Offer(best.version, target)

    @staticmethod
    def _candidates(
        targets: Metadata[Targets],
        newer_than: int,
        group: str,
        mode: str,
        kiosk: str,
        refused: Any,
    ) -> list[Published]:
        """The bundles the targets list that this kiosk would take, oldest first."""
        candidates = []
        for entry in published(targets.signed):
            if entry.version <= newer_than or refused(entry.version):
                continue
            if group not in entry.groups and ALL_GROUPS not in entry.groups:
                continue
            custom = targets.signed.targets[entry.path].unrecognized_fields["custom"]["kiosk"]
            if mode not in custom.get("modes", [mode]):
                continue
            if version_key(kiosk) < version_key(str(custom.get("min_kiosk", "0"))):
                continue
            candidates.append(entry)
        return candidates

    def _trusted(self, role: str) -> Metadata[Any]:
        """Metadata as ngclient last verified and kept it."""
        return Metadata.from_file(str(self.metadata_dir / f"{role}.json"))

    def _nothing_new(
        self, newer_than: int, group: str, mode: str, kiosk: str, refused: Any
    ) -> bool:
        """A poll in one small request: the server's timestamp is unchanged (a conditional
        request answered 304) and is the very copy the last refresh verified whole, every piece
        of trusted metadata is still within its expiry, and the verified targets offer this
        kiosk nothing. Then nothing was published since (every publication, refresh and key
        rotation signs a new timestamp), so the refresh, with its probe for a new root, is
        skipped. Otherwise False: the full refresh runs and says what is wrong."""
        url = self.base + "metadata/timestamp.json"
        if not self._clean or not self.fetcher.not_modified(url):
            return False
        now = utc_now()
        try:
            if self.fetcher.cached(url) != (self.metadata_dir / "timestamp.json").read_bytes():
                return False  # the copy served is not the one verified
            if any(self._trusted(role).signed.is_expired(now) for role in ROLES):
                return False  # the refresh says so (a freeze attack, or a lapsed cron job)
            targets = self._trusted("targets")
        except (OSError, ValueError):
            return False
        return not self._candidates(targets, newer_than, group, mode, kiosk, refused)

    def download(self, offer: Offer) -> bytes:
        """The bundle's bytes, verified against their signed length and hash."""
        assert self._updater is not None, "offer() first"
        self.download_dir.mkdir(parents=True, exist_ok=True)
        part = self.download_dir / f"{offer.version}.part"
        try:
            self._updater.download_target(offer.target, filepath=str(part))
            return part.read_bytes()
        finally:
            # a crash leaves the part behind: the next download overwrites it
            part.unlink(missing_ok=True)
