"""How a flow run ended: the `Outcome` the engine returns."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

Status = Literal["finished", "cancelled", "timeout", "failed"]


class Outcome(msgspec.Struct, frozen=True):
    """The end of a run: its status, the step it ended on, a `finish` result and an error key."""

    status: Status
    step: str
    result: dict[str, Any] = msgspec.field(default_factory=dict)
    error: str | None = None
    flow: str = ""
    personal: frozenset[str] = frozenset()
    """Keys of `result` whose values come from personal data (masked wherever shown)."""
    detail: str = ""
    """Why it failed, for maintainers and flow authors (masked); never shown to residents."""

    @property
    def ok(self) -> bool:
        """Whether the flow finished successfully."""
        return self.status == "finished"
