"""Publishing a stage's groups to the TUF repository: staged, for administrators to sign."""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk.bundle.archive import ArchiveError, read_archive
from kiosk.bundle.titles import flow_titles
from kiosk.fleet.reasons import why
from kiosk.fleet.rollouts import FlowTitles, RolloutError
from kiosk.updates.repository import STAGED, Repository, RepositoryError, published

log = logging.getLogger(__name__)


class RepositoryPublisher:
    """Stages a targets version naming the new groups; administrators sign it with
    `kiosk repo sign`, which releases it once enough have. The server holds no targets key."""

    def __init__(self, root: Path, keys: Path | None = None) -> None:
        self.repository = Repository(root, keys)
        self._titles: dict[Path, FlowTitles] = {}
        """Titles read, by bundle file (whose name holds its SHA-256: one content a name)."""

    def bundles(self) -> dict[int, tuple[str, ...]] | None:
        """The bundles the signed targets metadata lists, with the groups given them."""
        try:
            targets = self.repository.latest("targets")
        except (RepositoryError, OSError, ValueError) as exc:
            log.error("cannot read the repository's targets: %s", exc)
            return {}
        return {p.version: p.groups for p in published(targets.signed)}

    def flow_titles(self, bundle: int) -> FlowTitles:
        """The titles of bundle `bundle`'s flows, read from its archive once ({} if it cannot
        be read: the console shows the flows' ids)."""
        try:
            path = self.repository.bundle_file(bundle)
            if path is None:
                return {}
            if path not in self._titles:
                self._titles[path] = flow_titles(read_archive(path.read_bytes()))
        except (RepositoryError, ArchiveError, OSError, ValueError) as exc:
            log.warning("cannot read the flows' titles of bundle %d: %s", bundle, exc)
            return {}
        return self._titles[path]

    def publish(self, bundle: int, groups: list[str]) -> str:
        """Stage `bundle` for `groups`; what administrators must do next."""
        if (self.repository.staging_dir / STAGED).exists():
            raise RolloutError("awaiting_signatures")
        try:
            staged = self.repository.regroup(bundle, groups)
        except RepositoryError as exc:
            log.error("cannot stage the rollout's groups: %s", exc)
            raise
        have, need = self.repository.signatures(staged)
        log.info("bundle %d staged for %s: %d of %d signatures", bundle, groups, have, need)
        return why(
            "staged", version=staged.signed.version, groups=", ".join(groups), awaits=need - have
        )
