"""A maintainer card: one on the allow list opens the menu with its role and clears the PIN
lock-out; one that is not is refused and journalled by its number masked."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from kiosk.clock import ManualClock
from kiosk.maintenance.audit import Audit
from kiosk.maintenance.lockout import LockOut
from kiosk.maintenance.login import _card
from kiosk.maintenance.roles import Maintainer, Role
from kiosk.storage.database import Database

ALLOWED = {"S10000001": "technician"}


class Journal:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, dict[str, Any]]] = []

    def record(self, session: str, flow: str, step: str, event: str, detail: Any = None) -> None:
        self.rows.append((step, event, detail))


def test_only_cards_on_the_allow_list_open_the_menu(tmp_path: Path) -> None:
    journal = Journal()
    visit: Any = SimpleNamespace(audit=Audit(journal, "service-1"))
    db = Database.in_dir(tmp_path)
    try:
        lockout = LockOut(db, ManualClock(1_800_000_000))
        lockout.failed()
        assert _card(visit, {"card_number": "S99999999"}, ALLOWED, lockout) is None
        [(step, event, detail)] = journal.rows
        assert (step, event, detail["outcome"], detail["method"]) == (
            "login", "service.login", "card_refused", "card"
        )  # fmt: skip
        assert detail["who"].startswith("card:S9") and "S99999999" not in repr(journal.rows)
        assert lockout.failed().failures == 2  # a refused card does not clear the count
        who = _card(visit, {"card_number": "S10000001"}, ALLOWED, lockout)
        assert who == Maintainer(Role.TECHNICIAN, who.who if who else "")
        assert who is not None and "S10000001" not in who.who
        assert lockout.failed().failures == 1  # an allowed card cleared it
    finally:
        db.close()
