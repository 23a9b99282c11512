"""The shipped example flows: lint-clean, and run against the real demo back office and SQLite."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kiosk.backoffice.client import HttpBackends
from kiosk.backoffice.demo import DemoBackOffice
from kiosk.clock import ManualClock
from kiosk.config import BackendConfig
from kiosk.flow.engine import Engine
from kiosk.flow.lint import lint
from kiosk.flow.loader import DEFAULT_FLOWS_DIR, load_flows
from kiosk.flow.scripted import ScriptedDevices, ScriptedRenderer, load_script
from kiosk.flow.session import Session
from kiosk.storage.database import Database
from kiosk.storage.journal import SqliteJournal
from kiosk.storage.outbox import SqliteOutbox

PERSONAL = re.compile(r"\d{17}[\dXx]|1\d{10}")
EXAMPLES = ("si-certificate", "resident-feedback")


def test_the_examples_load_and_lint_clean() -> None:
    flowset = load_flows([DEFAULT_FLOWS_DIR / f"{name}.yaml" for name in EXAMPLES])
    assert flowset.errors == []
    assert [str(f) for f in lint(flowset)] == []


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[dict[str, Any]]:
    with DemoBackOffice() as demo:
        fallback = BackendConfig(base_url=demo.url)
        db = Database.in_dir(tmp_path)
        outbox = SqliteOutbox(db, {}, fallback=fallback, submit_timeout=3.0)
        with HttpBackends({}, fallback=fallback) as backends:
            journal = SqliteJournal(db, "test-kiosk")
            clock = ManualClock(1000)
            engine = Engine(
                load_flows([DEFAULT_FLOWS_DIR]),
                backends=backends,
                outbox=outbox,
                journal=journal,
                devices=ScriptedDevices({}),
                clock=clock,
            )
            yield {"engine": engine, "demo": demo, "journal": journal, "clock": clock, "db": db}
        outbox.close()
        db.close()


async def run(kiosk: dict[str, Any], flow_id: str, **overrides: Any) -> Any:
    script = load_script(DEFAULT_FLOWS_DIR / f"{flow_id}.answers.yaml")
    answers = {**script.answers, **overrides}
    session = Session(kiosk["clock"])
    renderer = ScriptedRenderer({"answers": answers}, clock=kiosk["clock"], session=session)
    outcome = await kiosk["engine"].run(flow_id, session, renderer)
    return outcome, renderer, session


@pytest.mark.parametrize("flow_id", EXAMPLES)
async def test_each_example_finishes_and_leaves_no_personal_number_behind(
    kiosk: dict[str, Any], flow_id: str
) -> None:
    outcome, renderer, session = await run(kiosk, flow_id)
    assert outcome.status == "finished"
    assert not session.holds_data
    spoken = yaml.safe_dump([(e.prompt.text, e.prompt.say) for e in renderer.transcript])
    assert not PERSONAL.search(spoken)
    entries = kiosk["journal"].by_session(session.id)
    assert entries and not PERSONAL.search(repr(entries))


async def test_the_certificate_fetch_failing_goes_to_the_offline_finish(
    kiosk: dict[str, Any],
) -> None:
    kiosk["demo"].set_down(True)
    outcome, renderer, _ = await run(kiosk, "si-certificate")
    assert (outcome.status, outcome.step) == ("failed", "offline")
    assert "服务窗口" in renderer.transcript[-1].prompt.text


async def test_feedback_is_queued_when_the_back_office_is_down_and_still_has_a_reference(
    kiosk: dict[str, Any],
) -> None:
    kiosk["demo"].set_down(True)
    outcome, renderer, _ = await run(kiosk, "resident-feedback")
    assert outcome.status == "finished"
    assert outcome.result["status"] == "queued" and outcome.result["reference"]
    assert outcome.result["reference"] in renderer.transcript[-1].prompt.text
    assert kiosk["demo"].received("/feedback") == []


async def test_declining_feedback_consent_skips_the_phone_number(kiosk: dict[str, Any]) -> None:
    outcome, renderer, _ = await run(kiosk, "resident-feedback", consent="no")
    assert outcome.status == "finished"
    assert "phone" not in [e.prompt.step for e in renderer.transcript]
    (received,) = kiosk["demo"].received("/feedback")
    assert received.body["phone"] == ""
