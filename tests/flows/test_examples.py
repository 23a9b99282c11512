"""The shipped example flows: lint-clean, and run against the real demo back office and SQLite."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kiosk.app import KioskServices
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.flow.lint import lint
from kiosk.flow.loader import DEFAULT_FLOWS_DIR, load_flows
from kiosk.flow.scripted import ScriptedRenderer, load_script
from kiosk.flow.session import Session
from kiosk.simulation import ScriptedPresenter
from peripherals.printer.simulated import SimulatedPrinter

PERSONAL = re.compile(r"\d{17}[\dXx]|1\d{10}")
EXAMPLES = ("si-certificate", "resident-feedback", "queue-ticket")


def test_the_examples_load_and_lint_clean() -> None:
    flowset = load_flows([DEFAULT_FLOWS_DIR / f"{name}.yaml" for name in EXAMPLES])
    assert flowset.errors == []
    assert [str(f) for f in lint(flowset)] == []


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The real kiosk services on simulated devices, presenting what each answers file says."""
    clock = ManualClock(1000)
    presenter = ScriptedPresenter({})
    services = KioskServices(
        load_config(None),
        simulate=True,
        data_dir=tmp_path,
        engine_clock=clock,
        presenter=presenter,
        outbox_worker=False,
        submit_timeout=3.0,
        device_kinds={"id_card", "printer", "scanner"},
    )
    with services:
        yield {
            "engine": services.engine,
            "demo": services.demo,
            "journal": services.journal,
            "clock": clock,
            "presenter": presenter,
            "hub": services.hub,
        }


async def run(kiosk: dict[str, Any], flow_id: str, **overrides: Any) -> Any:
    script = load_script(DEFAULT_FLOWS_DIR / f"{flow_id}.answers.yaml")
    kiosk["presenter"].devices = dict(script.devices)
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
    outcome, renderer, _ = await run(kiosk, "si-certificate", offline="leave")
    assert (outcome.status, outcome.step) == ("failed", "offline_end")
    assert "服务窗口" in renderer.transcript[-1].prompt.text


async def test_a_service_whose_back_office_is_down_offers_a_queue_ticket(
    kiosk: dict[str, Any],
) -> None:
    kiosk["demo"].fail_next(1)  # the billing office fails; the centre's queue system works
    outcome, renderer, _ = await run(kiosk, "utility-bills", offline="ticket")
    assert (outcome.status, outcome.step) == ("finished", "queue")
    shown = [e.prompt.text for e in renderer.transcript]
    assert any("缴费系统暂时无法访问" in text for text in shown)
    assert "您的排队号是D001" in shown[-1]
    printer = kiosk["hub"].by_kind("printer")
    assert "D001" in printer.simulator.paper().text


@pytest.mark.parametrize(
    "flow_id",
    ["si-certificate", "medical-insurance", "utility-bills", "community-notices", "request-status"],
)
async def test_every_service_asking_a_back_office_offers_a_ticket_when_it_is_down(
    kiosk: dict[str, Any], flow_id: str
) -> None:
    """The offline channel: the service's back office fails, the centre's queue system works.
    (Services that submit through the outbox accept the application locally instead.)"""
    kiosk["demo"].fail_next(1)
    outcome, renderer, _ = await run(kiosk, flow_id, offline="ticket")
    assert (outcome.status, outcome.step) == ("finished", "queue")
    offered = [e.prompt for e in renderer.transcript if e.prompt.step == "offline"]
    assert offered and "暂时无法" in offered[0].text
    assert "您的排队号是" in renderer.transcript[-1].prompt.text
    assert kiosk["demo"].received("/queue/tickets")


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


async def test_the_certificate_is_printed_with_the_id_number_masked(kiosk: dict[str, Any]) -> None:
    outcome, _, _ = await run(kiosk, "si-certificate")
    assert outcome.status == "finished"
    printer = kiosk["hub"].by_kind("printer")
    assert isinstance(printer, SimulatedPrinter)
    paper = printer.simulator.paper().text
    assert "社会保险参保证明" in paper and "110***********2317" in paper
    assert "林*" in paper and "林晓测" not in paper
    assert not PERSONAL.search(paper)


async def test_an_unreadable_card_lets_the_resident_type_the_number(kiosk: dict[str, Any]) -> None:
    script = load_script(DEFAULT_FLOWS_DIR / "si-certificate.answers.yaml")
    kiosk["presenter"].devices = {**script.devices, "id_card": {"fault": "unreadable"}}
    session = Session(kiosk["clock"])
    answers = {**script.answers, "typed": "110105198503122317"}
    renderer = ScriptedRenderer({"answers": answers}, clock=kiosk["clock"], session=session)
    outcome = await kiosk["engine"].run("si-certificate", session, renderer)
    assert outcome.status == "finished"
    assert [e.prompt.step for e in renderer.transcript][:4] == ["consent", "how", "card", "typed"]


async def test_the_certificate_after_consent_by_social_security_card(kiosk: dict[str, Any]) -> None:
    """The card's social security number is the ID number sent; its holder printed masked."""
    from kiosk.flow.engine import Engine
    from kiosk.flow.receipts import ReceiptLibrary
    from kiosk.flow.scripted import ScriptedDevices
    from kiosk.i18n import catalog

    engine = kiosk["engine"]
    card = {"card_number": "S10000001", "name": "王测试", "ssn": "110105198503122317"}
    devices = ScriptedDevices({"smart_card": card, "printer": True})
    scripted = Engine(
        load_flows([DEFAULT_FLOWS_DIR]),
        backends=engine.services.backends,
        outbox=engine.services.outbox,
        journal=kiosk["journal"],
        devices=devices,
        receipts=ReceiptLibrary(DEFAULT_FLOWS_DIR / "receipts"),
        texts=catalog(),
        clock=kiosk["clock"],
        default_timeout=60,
    )
    session = Session(kiosk["clock"])
    answers = {"consent": "yes", "how": "ss_card", "choose": "personal", "review": "yes"}
    renderer = ScriptedRenderer({"answers": answers}, clock=kiosk["clock"], session=session)
    outcome = await scripted.run("si-certificate", session, renderer)
    assert outcome.status == "finished"
    steps = [e.prompt.step for e in renderer.transcript]
    assert steps[:3] == ["consent", "how", "ss_card"] and "typed" not in steps
    (asked,) = kiosk["demo"].received("/certificates")
    assert asked.body["id_number"] == card["ssn"]
    (paper,) = [receipt for receipt in devices.printed]
    printed = " ".join(row.value for row in paper.rows)
    assert "王*" in printed and "王测试" not in printed and card["ssn"] not in printed


async def test_a_request_made_here_shows_the_departments_reply_once_staff_answer(
    kiosk: dict[str, Any],
) -> None:
    import asyncio
    import json
    import urllib.request

    outcome, _, _ = await run(kiosk, "resident-request")
    reference = outcome.result["reference"]
    number = reference.removeprefix("SQ")
    _, renderer, _ = await run(kiosk, "request-status", reference=number)
    assert "已受理，等待分派" in renderer.transcript[-1].prompt.text  # no reply yet

    demo = kiosk["demo"]  # a staff member answers through the demo back office's own route
    answer = urllib.request.Request(
        f"{demo.url}/_demo/requests/{reference}/reply",
        data=json.dumps({"department": "物业服务中心", "reply": "楼道灯已更换。"}).encode(),
        headers={"Authorization": f"Bearer {demo.token}", "Content-Type": "application/json"},
        method="POST",
    )
    with await asyncio.to_thread(urllib.request.urlopen, answer, timeout=5) as reply:
        assert reply.status == 200
    outcome, renderer, _ = await run(kiosk, "request-status", reference=number)
    shown = renderer.transcript[-1].prompt.text
    assert outcome.status == "finished"
    assert "部门已答复" in shown and "物业服务中心" in shown and "楼道灯已更换。" in shown


@pytest.mark.parametrize("network", ["up", "down"])
async def test_the_allowance_acknowledgement_has_its_reference_and_expected_date(
    kiosk: dict[str, Any], network: str
) -> None:
    """Online the back office's own 受理编号; offline the local one, and the slip says so."""
    kiosk["clock"].advance(1_800_000_000 - 1000)  # 2027-01-15: the applicant is 84
    kiosk["demo"].set_down(network == "down")
    outcome, renderer, _ = await run(kiosk, "elderly-allowance")
    assert outcome.status == "finished"
    reference = outcome.result["reference"]
    printer = kiosk["hub"].by_kind("printer")
    paper = printer.simulator.paper().text
    assert f"受理编号 {reference}" in paper and reference in renderer.transcript[-1].prompt.text
    assert re.search(r"预计办结\s+\d{4}-\d{2}-\d{2}", paper)
    if network == "up":
        assert reference.startswith("GL") and "已提交" in paper
    else:
        assert outcome.result["status"] == "queued" and "待网络恢复后提交" in paper
    assert not PERSONAL.search(paper)
