"""The audit trail of the service menu: one journal entry per action, who, what and how it went.

Entries go to the kiosk's append-only journal with the visit's id as the session, `$service`
as the flow and the page as the step; the detail always names the role and `who` (a PIN's
owner, or a card number masked) and the outcome, never a PIN and never personal data.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from kiosk.flow.services import Journal
from kiosk.maintenance.roles import Maintainer

log = logging.getLogger(__name__)

FLOW = "$service"
"""The pseudo flow id of the service menu's prompts and journal entries."""


class Audit:
    """Journals a maintenance visit's actions."""

    def __init__(self, journal: Journal, visit: str | None = None) -> None:
        self.journal = journal
        self.visit = visit or f"service-{uuid.uuid4().hex[:12]}"
        self.maintainer: Maintainer | None = None

    def record(self, page: str, action: str, outcome: str, **detail: Any) -> None:
        """Journal `action` on `page` and its `outcome` (`ok`, `refused`, `failed`, ...)."""
        who = self.maintainer
        entry = {
            "role": who.role.value if who else "",
            "who": who.who if who else "",
            "outcome": outcome,
            **detail,
        }
        self.journal.record(self.visit, FLOW, page, f"service.{action}", entry)
        log.info("service menu: %s %s (%s)", page, action, outcome)
