"""The common status model every device reports."""

from __future__ import annotations

import enum

import msgspec


class State(enum.StrEnum):
    """Coarse device state, the same for every kind."""

    STARTING = "starting"
    ONLINE = "online"
    OFFLINE = "offline"
    NO_DEVICE = "no_device"
    HARDWARE_ERROR = "hardware_error"
    MEDIA_PROBLEM = "media_problem"
    BUSY = "busy"


USABLE_STATES = frozenset({State.ONLINE, State.BUSY})


class Health(msgspec.Struct, frozen=True):
    """A device's health: its state, a stable code for the problem, and details for staff."""

    state: State
    code: str = ""
    detail: str = ""
    extra: dict[str, object] = msgspec.field(default_factory=dict)

    @property
    def usable(self) -> bool:
        """Whether a resident can use the device now."""
        return self.state in USABLE_STATES
