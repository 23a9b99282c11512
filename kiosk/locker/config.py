"""The `[locker]` table: the layout (cabinets, boards, compartments) and the locker's rules."""

# No `from __future__ import annotations`: msgspec reads a struct's annotations when it first
# converts to it, and each one written as a string costs a compile (~20 ms a process for the
# flow schema and the configuration).

from pathlib import Path
from typing import Annotated, Literal

import msgspec

SIZES = ("S", "M", "L", "XL")
"""Compartment sizes, smallest first."""

BANDS = ("low", "middle", "high")
"""Height bands: a resident who needs a low compartment (a wheelchair, a child) gets one."""

Size = Literal["S", "M", "L", "XL"]
Band = Literal["low", "middle", "high"]
_CompartmentId = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Z]{1,3}-[0-9]{2,3}$", extra={"mismatch": "expected an id like A-07"}
    ),
]
_CabinetId = Annotated[
    str, msgspec.Meta(pattern=r"^[A-Z]{1,3}$", extra={"mismatch": "expected letters like A"})
]
_Key = Annotated[
    str,
    msgspec.Meta(pattern=r"^[a-z][a-z0-9_]*$", extra={"mismatch": "must be lower case letters"}),
]
_Positive = Annotated[int, msgspec.Meta(ge=1, le=255)]
_Money = Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class _Table(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A table of the file: unknown keys are errors."""


class BoardSpec(_Table, frozen=True, kw_only=True):
    """One lock board: the bus (a `[devices.*]` lock board) it sits on, its family, its address."""

    bus: _Key = "lock_board"
    family: Literal["8a", "wkly", "kerong"]
    address: Annotated[int, msgspec.Meta(ge=0, le=255)]


class CompartmentSpec(_Table, frozen=True, kw_only=True):
    """One compartment: where it is, which lock opens it, how big it is and who can reach it."""

    id: _CompartmentId
    board: _Key
    lock: _Positive
    size: Size
    column: _Positive
    """Counted from the cabinet's left, from 1."""
    row: _Positive
    """Counted from the bottom, from 1."""
    band: Band = "middle"
    wheelchair: bool = False
    """Whether a resident in a wheelchair can reach and open it."""


class CourierCard(_Table, frozen=True, kw_only=True):
    """A courier's card on the locker's own allow list: who it signs in."""

    courier: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    company: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


_CardNumber = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9]{4,32}$",
        extra={"mismatch": "expected letters and digits"},
    ),
]


class CabinetSpec(_Table, frozen=True):
    """One cabinet, its compartments in any order; cabinets stand left to right as listed."""

    id: _CabinetId
    compartments: list[CompartmentSpec]


class LockerConfig(_Table, frozen=True):
    """The locker: where it is, its layout, and its rules (storage, fees, refusals, limits)."""

    name: dict[str, str] = msgspec.field(
        default_factory=lambda: {"zh_CN": "社区智能快递柜", "en": "Community parcel locker"}
    )
    address: dict[str, str] = msgspec.field(
        default_factory=lambda: {"zh_CN": "本小区", "en": "this community"}
    )
    boards: dict[_Key, BoardSpec] = {}
    cabinets: list[CabinetSpec] = []
    storage_hours: Annotated[float, msgspec.Meta(gt=0, le=24 * 30)] = 24.0
    """Free storage for residents, from the deposit."""
    elder_storage_hours: Annotated[float, msgspec.Meta(gt=0, le=24 * 30)] | None = None
    """Longer free storage for parcels marked for elderly residents (default: as residents)."""
    fee_per_day: _Money = 100
    """Fee in fen per started day after the free period."""
    fee_cap: _Money = 500
    """The most a parcel's fee can reach, in fen."""
    retrieve_after_days: Annotated[float, msgspec.Meta(gt=0, le=60)] = 3.0
    """After this many days uncollected, a parcel is overdue for the courier to take back."""
    refused_items: list[_Key] = msgspec.field(
        default_factory=lambda: ["fresh", "valuable", "damaged"]
    )
    """Kinds of item the courier is asked about and refused for."""
    courier_backend: _Key = "courier"
    """The courier back office: sign-in, consent checks, notifications and records."""
    wrong_codes_per_minute: Annotated[int, msgspec.Meta(ge=1, le=100)] = 5
    lockout_seconds: Annotated[float, msgspec.Meta(gt=0, le=86400)] = 60.0
    """The first lock-out after too many wrong codes; each further one doubles it."""
    courier_failures: Annotated[int, msgspec.Meta(ge=1, le=100)] = 3
    """Wrong courier sign-ins (codes and cards) in a minute before the courier sign-in locks
    out (from `lockout_seconds`, doubling each time)."""
    courier_cards: dict[_CardNumber, CourierCard] = {}
    """Courier cards that sign in without asking the courier back office (works offline);
    any other card read over PC/SC (a `smart_card` device) is checked with the back office."""
    door_reminder: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 60.0
    """Seconds a door may stand open before a spoken reminder (the inactivity warning shows
    `timeouts.warning_lead` seconds before it, so keep it longer than that)."""
    door_alarm: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 120.0
    """Seconds a door may stand open before an alarm event."""
    secret_file: Path | None = None
    """The per-kiosk key of recipient-phone hashes (default: `locker.key` in `data_dir`, made
    on first start, readable by the kiosk user only)."""
