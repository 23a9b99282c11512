"""What the kiosk's updates are doing, for maintainers: kept in a small JSON file.

The service menu and `kiosk updates status` read it; each state has a text in
`locales/<lang>/updates.yaml` (`updates.status.<state>`).
"""

from __future__ import annotations

import enum
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class UpdateState(enum.StrEnum):
    """Where the updates of this kiosk stand."""

    NOT_CHECKED = "not_checked"
    CURRENT = "current"
    """The newest bundle for this kiosk is the one in use."""
    READY = "ready"
    """A verified bundle waits for the current session to end."""
    ACTIVATED = "activated"
    """A new bundle is in use and watched over its first sessions."""
    ROLLED_BACK = "rolled_back"
    UNREACHABLE = "unreachable"
    """The repository did not answer: the last good bundle stays in use."""
    EXPIRED = "expired"
    """The repository's metadata is out of date (frozen?): the last good bundle stays in use."""
    REFUSED = "refused"
    """Something failed verification and was refused: the last good bundle stays in use."""


ATTENTION = frozenset(
    {UpdateState.ROLLED_BACK, UpdateState.UNREACHABLE, UpdateState.EXPIRED, UpdateState.REFUSED}
)
"""States a maintainer should look at."""


@dataclass
class UpdateStatus:
    """The state, the bundle in use, when the repository was last asked, and the detail."""

    state: UpdateState = UpdateState.NOT_CHECKED
    bundle: int | None = None
    checked_at: float | None = None
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_attention(self) -> bool:
        """True when a maintainer should look."""
        return self.state in ATTENTION

    def save(self, path: Path) -> None:
        """Write the status atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(json.dumps(asdict(self), sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: Path) -> UpdateStatus:
        """The saved status (not checked, if none can be read)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                UpdateState(data["state"]),
                data.get("bundle"),
                data.get("checked_at"),
                str(data.get("detail", "")),
                dict(data.get("extra", {})),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return cls()
