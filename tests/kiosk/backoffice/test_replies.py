"""Back-office replies are checked against the contract before a flow reads them: a reply of the
wrong shape takes the flow's error branch (a queue ticket offered), never "misconfigured"."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kiosk.backoffice.replies import ContractReplies
from kiosk.clock import ManualClock
from kiosk.flow.engine import Engine
from kiosk.flow.loader import DEFAULT_FLOWS_DIR, load_flows
from kiosk.flow.receipts import ReceiptLibrary
from kiosk.flow.scripted import ScriptedDevices, ScriptedRenderer, load_script
from kiosk.flow.services import BackendError
from kiosk.flow.session import Session
from kiosk.i18n import catalog
from tests.kiosk.flow.test_engine_fakes import FakeBackends, FakeOutbox, ListJournal

BILL = {
    "account": "3301889012",
    "kind": "water",
    "holder": "孙**",
    "amount_due": 60.92,
    "period": "2026-11",
    "due_date": "2026-12-15",
}


def _check(path: str, reply: Any, method: str = "GET") -> Any:
    backends = ContractReplies(FakeBackends({path: reply}))
    return asyncio.run(backends.request("utilities", method, path))


def test_a_reply_that_fits_is_returned_typed_as_the_contract_says() -> None:
    assert _check("/bills", BILL) == BILL
    assert _check("/bills", {**BILL, "amount_due": "60.92"})["amount_due"] == 60.92


@pytest.mark.parametrize(
    "reply",
    [
        {**BILL, "amount_due": "lots"},  # a word where a number belongs
        {k: v for k, v in BILL.items() if k != "account"},  # a required field missing
        {**BILL, "period": [2026, 11]},  # a list where text belongs
        [BILL],  # not an object
    ],
    ids=["word-for-number", "missing", "list-for-text", "not-an-object"],
)
def test_a_reply_of_the_wrong_shape_is_a_bad_reply(reply: Any) -> None:
    with pytest.raises(BackendError) as caught:
        _check("/bills", reply)
    assert caught.value.key == "backend.bad_reply"


def test_an_item_of_the_wrong_shape_in_a_list_is_a_bad_reply() -> None:
    page = {"items": [{"id": "N1"}, "not a notice"], "page": 1, "pages": 1, "total": 2}
    with pytest.raises(BackendError):
        _check("/notices", page)


def test_a_route_the_contract_lacks_passes_unchecked() -> None:
    assert _check("/somewhere/else", ["anything"]) == ["anything"]


WRONG = {
    "utility-bills": ("/bills", {**BILL, "amount_due": "lots"}),
    "medical-insurance": ("/medical/status", {"insured": "maybe", "records": 7}),
    "request-status": ("/requests/SQ000001", {"status": 3, "reply": ["a"]}),
    "community-notices": ("/notices", {"items": "none", "total": "x"}),
    "queue-ticket": ("/queue/tickets", {"ticket": 1, "waiting": "many"}),
}


@pytest.mark.parametrize("flow_id", list(WRONG))
async def test_a_service_given_a_reply_of_the_wrong_shape_takes_its_error_branch(
    flow_id: str,
) -> None:
    path, reply = WRONG[flow_id]
    script = load_script(DEFAULT_FLOWS_DIR / f"{flow_id}.answers.yaml")
    clock = ManualClock(start=1_800_000_000.0)
    engine = Engine(
        load_flows([DEFAULT_FLOWS_DIR]),
        backends=ContractReplies(FakeBackends({path: reply})),
        outbox=FakeOutbox(),
        journal=ListJournal(),
        devices=ScriptedDevices(script.devices),
        receipts=ReceiptLibrary(DEFAULT_FLOWS_DIR / "receipts"),
        texts=catalog(),
        clock=clock,
        default_timeout=30,
    )
    session = Session(clock)
    answers = {**script.answers, "offline": "leave"}
    renderer = ScriptedRenderer({"answers": answers}, clock=clock, session=session)
    outcome = await engine.run(flow_id, session, renderer)
    assert outcome.error is None  # a finish of the flow's own, not "misconfigured"
    assert outcome.status == "failed"
    assert any("暂时无法" in e.prompt.text for e in renderer.transcript)


def _routes_the_flows_use() -> set[tuple[str, str]]:
    """(method, path with every template part as `x`) of every back-office call a shipped flow
    makes."""
    import re

    from kiosk.flow import schema

    def filled(path: str) -> str:
        return re.sub(r"\{\{.*?\}\}", "x", path)

    found = set()
    for flow in load_flows([DEFAULT_FLOWS_DIR]).flows.values():
        for step in flow.steps:
            requests = []
            if isinstance(step, schema.HttpStep):
                requests.append(step.request)
            elif isinstance(step, schema.BrowseStep) and step.request is not None:
                requests.append(step.request)
            elif isinstance(step, schema.PayStep):
                requests.append(step.order)
                found.add(("GET", filled(step.status_path)))
            elif isinstance(step, schema.SubmitStep):
                found.add(("POST", filled(step.path)))
            found |= {(r.method, filled(r.path)) for r in requests}
    return found


def test_every_route_a_shipped_flow_calls_is_in_the_contract() -> None:
    from kiosk.backoffice.contract import Replies, contract

    replies = Replies(contract())
    used = _routes_the_flows_use()
    assert len(used) >= 15
    assert sorted(route for route in used if replies.reply(*route) is None) == []
