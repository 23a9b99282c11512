"""Who is in the service menu, and what each role may do there."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kiosk.privacy.masking import mask_id


class Role(enum.StrEnum):
    """A maintainer's role."""

    TECHNICIAN = "technician"
    """Devices, consumables, doors: status, self-tests (and power-cycling), the locker."""
    ADMINISTRATOR = "administrator"
    """Everything a technician does, and the outbox, the journal, settings, the flow bundle
    (rollback), restart, and waiving a parcel's unpaid fee when handing it over."""


class Page(enum.StrEnum):
    """The pages of the service menu, in the order the home page lists them."""

    STATUS = "status"
    SELFTEST = "selftest"
    LOCKER = "locker"
    OUTBOX = "outbox"
    JOURNAL = "journal"
    SETTINGS = "settings"
    BUNDLE = "bundle"
    RESTART = "restart"


ALLOWED: dict[Role, frozenset[Page]] = {
    Role.TECHNICIAN: frozenset({Page.STATUS, Page.SELFTEST, Page.LOCKER}),
    Role.ADMINISTRATOR: frozenset(Page),
}
"""The pages each role may open."""


@dataclass(frozen=True)
class Maintainer:
    """Who entered and with what authority; `who` is safe to journal (never a PIN)."""

    role: Role
    who: str
    """`pin:NAME` for a PIN's owner, `card:S10****01` (masked) for a maintainer card."""

    def may(self, page: Page) -> bool:
        """Whether this maintainer may open `page`."""
        return page in ALLOWED[self.role]

    @property
    def may_waive_fees(self) -> bool:
        """Whether this maintainer may waive a parcel's unpaid fee: money, not devices or
        doors, so administrators only (a technician at the door cannot forgive fees alone)."""
        return self.role is Role.ADMINISTRATOR


def card_identity(card_number: str) -> str:
    """How a maintainer card is named in the journal: its number masked."""
    return f"card:{mask_id(card_number)}"
