"""Sessions: language, activity, the vault and wiping."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.clock import ManualClock
from kiosk.flow.outcome import Outcome
from kiosk.flow.session import Session


def test_ending_wipes_variables_vault_child_scopes_and_temp_files(tmp_path: Path) -> None:
    session = Session(ManualClock(), language="en")
    session.scope.set("topic", "safety")
    session.scope.set("phone", "13912345678", personal=True)
    child = session.open_scope({"id": "x"})
    scan = tmp_path / "scan.png"
    scan.write_bytes(b"png")
    session.register_temp_file(scan)
    assert session.scope.namespace() == {
        "topic": "safety",
        "phone": "13912345678",
        "today": "1970-01-01",  # the session's clock; every template may read it
        "language": "en",
    }
    assert session.vault == {"phone": "13912345678"} and session.holds_data
    session.end(Outcome("cancelled", "topic"))
    assert not session.holds_data and not scan.exists()
    assert (
        session.variables == {}
        and session.vault == {}
        and child.namespace().keys() == {"today", "language"}
    )
    assert session.language == "zh_CN" and session.ended


def test_touch_pushes_the_deadline_and_language_changes_are_announced() -> None:
    clock = ManualClock(100)
    session = Session(clock)
    session.timeout = 60
    assert session.deadline == 160
    clock.advance(50)
    session.touch()
    assert session.deadline == 210 and session.remaining() == 60
    heard: list[str] = []
    unsubscribe = session.subscribe(heard.append)
    session.set_language("en")
    unsubscribe()
    session.set_language("zh_CN")
    assert heard == ["activity", "language"]
    with pytest.raises(ValueError, match="unknown language"):
        session.set_language("fr")
