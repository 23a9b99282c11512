"""Fuzzing answers files: whatever an answers file says, `flows run` ends (an outcome, or one
`ScriptError` line), never a traceback, never a loop.

The shipped answers files are mutated (answers and devices swapped for odd values, events,
lists) and each result is loaded and, when it loads, run on the real engine over fakes.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.clock import ManualClock
from kiosk.flow.engine import Engine
from kiosk.flow.loader import DEFAULT_FLOWS_DIR, load_flows
from kiosk.flow.receipts import ReceiptLibrary
from kiosk.flow.scripted import Script, ScriptedDevices, ScriptedRenderer, ScriptError
from kiosk.flow.session import Session
from kiosk.i18n import catalog
from tests.kiosk.flow.test_engine_fakes import FakeBackends, FakeOutbox, ListJournal

ANSWERS = {
    p.name.removesuffix(".answers.yaml"): yaml.safe_load(p.read_text("utf-8"))
    for p in sorted(DEFAULT_FLOWS_DIR.glob("*.answers.yaml"))
}
"""Answers files by name: `<flow id>` or `<flow id>.<path>` (a refusal path)."""
FLOWS = load_flows([DEFAULT_FLOWS_DIR])
ODD: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(["110105198503122318", "yes", "no", "card", "typed", "personal", "2"])
    | st.sampled_from([{"event": e} for e in ("back", "cancel", "help", "timeout", "boom")]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
BUDGET = settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    name = draw(st.sampled_from(sorted(ANSWERS)))
    flow_id = name.split(".")[0]
    data = copy.deepcopy(ANSWERS[name])
    section = draw(st.sampled_from(["answers", "devices"]))
    table = data.setdefault(section, {}) or {}
    keys = sorted(table) or ["x"]
    for key in draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3)):
        table[key] = draw(ODD)
    data[section] = table
    return flow_id, data


async def _run(flow_id: str, script: Script) -> None:
    clock = ManualClock(start=1_800_000_000.0)
    engine = Engine(
        FLOWS,
        backends=FakeBackends(),
        outbox=FakeOutbox(),
        journal=ListJournal(),
        devices=ScriptedDevices(script.devices),
        receipts=ReceiptLibrary(DEFAULT_FLOWS_DIR / "receipts"),
        texts=catalog(),
        clock=clock,
        default_timeout=30,
    )
    session = Session(clock)
    renderer = ScriptedRenderer(script, clock=clock, session=session)
    try:
        await asyncio.wait_for(engine.run(flow_id, session, renderer), 10)
    except ScriptError:
        pass


@BUDGET
@given(mutated())
def test_any_answers_file_ends_in_an_outcome_or_one_error(case: tuple[str, Any]) -> None:
    flow_id, data = case
    try:
        script = Script.from_mapping(data, whole_file=True)
    except ScriptError as exc:
        assert "\n" not in str(exc)
        return
    asyncio.run(_run(flow_id, script))  # a loop would fail the wait_for, not hang
