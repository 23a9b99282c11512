"""Publishing a stage's groups to the TUF repository: staged, for administrators to sign."""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk.fleet.reasons import why
from kiosk.fleet.rollouts import RolloutError
from kiosk.updates.repository import STAGED, Repository, RepositoryError, published

log = logging.getLogger(__name__)


class RepositoryPublisher:
    """Stages a targets version naming the new groups; administrators sign it with
    `kiosk repo sign`, which releases it once enough have. The server holds no targets key."""

    def __init__(self, root: Path, keys: Path | None = None) -> None:
        self.repository = Repository(root, keys)

    def bundles(self) -> dict[int, tuple[str, ...]] | None:
        """The bundles the signed targets metadata lists, with the groups given them."""
        try:
            targets = self.repository.latest("targets")
        except (RepositoryError, OSError, ValueError) as exc:
            log.error("cannot read the repository's targets: %s", exc)
            return {}
        return {p.version: p.groups for p in published(targets.signed)}

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
