"""What locker step kinds may ask of the parcel locker: one protocol, implemented by
`kiosk.locker.service` (the inventory in SQLite, the doors through the lock boards)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from kiosk.flow.errors import KeyedError

if TYPE_CHECKING:
    from kiosk.flow.services import Texts

COURIERS = "couriers."
"""The catalogue of courier companies' names (`locales/*/couriers.yaml`), keyed by the name the
courier back office gives (顺丰速运)."""


def courier_name(texts: Texts, company: str, lang: str) -> str:
    """A courier company's name in `lang`; one the catalogue lacks keeps its own name."""
    key = COURIERS + company
    return texts.get(key, lang) if company and texts.has(key) else company


class LockerError(KeyedError):
    """A locker step cannot go on (`locker.wrong_code`, `locker.locked_out`, `locker.jammed`,
    `locker.no_compartment`, `locker.refused_item`, `locker.courier_refused`,
    `locker.card_refused`, `locker.courier_locked_out`...)."""


@dataclass(frozen=True)
class Place:
    """Where a compartment is: cabinet, column from the left, row from the bottom."""

    compartment: str
    cabinet: str
    column: int
    row: int
    size: str
    band: str
    wheelchair: bool


@dataclass(frozen=True)
class Found:
    """A parcel found for a resident or a courier (no phone, no code)."""

    parcel: str
    place: Place
    company: str
    waybill_tail: str
    fee: int
    """Still to pay, in fen."""
    storage_hours: float = 24.0
    """Its free storage period (longer for an elderly resident's parcel, if configured)."""
    refused: bool = False
    """Refused by its recipient (拒收): waiting for its courier, no fee, no code."""


@dataclass(frozen=True)
class Opening:
    """A door opened for a parcel: what the step waits on and then records."""

    action: int
    parcel: str
    place: Place
    moved_from: str | None = None
    """The compartment first chosen, when its door did not open (jammed)."""
    storage_hours: float = 0.0
    """A deposit's free storage period."""
    refused: bool = False
    """A release of a parcel its recipient refused (拒收), for its courier to take back."""


@dataclass(frozen=True)
class NewParcel:
    """What the courier tells the locker about a parcel."""

    waybill: str
    company: str
    phone: str
    courier: str
    elder: bool = False


@dataclass(frozen=True)
class Rules:
    """The locker's rules as steps need them."""

    refused_items: tuple[str, ...]
    door_reminder: float
    door_alarm: float


class Locker(Protocol):
    """The parcel locker as flows use it; each coroutine leaves the event loop free while the
    disk works."""

    @property
    def rules(self) -> Rules:
        """Refused items and door timings."""
        ...

    async def suggest(
        self, size: str, *, low: bool = False, wheelchair: bool = False
    ) -> list[Place]:
        """Free compartments at least `size`, smallest first."""
        ...

    async def sign_in(self, code: str) -> dict[str, str]:
        """Check a courier's code with the courier back office (`{courier, company}`); wrong
        codes lock the sign-in out after a few."""
        ...

    async def sign_in_card(self, number: str) -> dict[str, str]:
        """A courier card's number: on the locker's allow list or checked with the courier back
        office (`{courier, company}`); refused cards count towards the same lock-out."""
        ...

    async def consent(self, phone: str, waybill: str = "") -> bool:
        """Whether the recipient agreed to locker delivery (the courier back office says)."""
        ...

    async def find(self, code: str) -> list[Found]:
        """Every parcel of the recipient a pickup code belongs to; wrong codes are limited."""
        ...

    async def refuse(self, parcel: str) -> Found:
        """The recipient refused a parcel (拒收): its door stays shut, its code works no more,
        no fee is due; the courier back office is told (outbox)."""
        ...

    async def to_retrieve(self, company: str) -> list[Found]:
        """`company`'s parcels for its courier to take back: overdue and refused."""
        ...

    async def deposit(self, compartment: str, parcel: NewParcel) -> Opening:
        """Write the intent, open the door and see it open; a jammed door moves the parcel to
        another free compartment that fits (and takes the jammed one out of service)."""
        ...

    async def closed(self, opening: Opening) -> None:
        """Return once the opened door reads closed."""
        ...

    async def record_deposit(self, opening: Opening) -> None:
        """The door closed on the parcel: record it and notify the recipient (outbox)."""
        ...

    async def pay(self, parcels: list[str], amount: int) -> None:
        """Record fees paid (fen) for parcels before their doors open."""
        ...

    async def release(self, parcel: str, kind: str) -> Opening:
        """Open a stored parcel's door (`pickup` or `retrieve`) and record it taken; its code
        works no more. A jammed door keeps the parcel stored with a new code sent."""
        ...

    async def alarm(self, opening: Opening, reason: str) -> None:
        """A door left open: an alarm event for the maintainers."""
        ...
