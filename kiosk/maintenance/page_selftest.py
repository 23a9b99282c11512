"""The self-tests page: one test per device kind, each ending in a clear pass or fail in words
(a lock board's opens the door of a compartment picked, on a locker), and a connection to each
back office; more than eight tests take two pages."""

from __future__ import annotations

import asyncio
from typing import Any

from kiosk.flow import asking
from kiosk.flow.prompt import Prompt, PromptKind
from kiosk.locker.layout import Compartment
from kiosk.maintenance.audit import FLOW
from kiosk.maintenance.os_errors import os_error_words
from kiosk.maintenance.page_locker import pick_compartment
from kiosk.maintenance.page_status import back_offices
from kiosk.maintenance.selftest import KINDS, WAITS_FOR_SOMEONE, SelfTestResult, run_self_test
from kiosk.maintenance.status import reach
from kiosk.maintenance.visit import BACK, MAX_ACTIONS, Action, Visit
from peripherals.device import Device

AGAIN, MORE = "again", "more"
BACK_OFFICE = "back_office"
"""The back offices' test: a connection to each (a dead one fails it)."""


def _devices(visit: Visit) -> dict[str, Device]:
    hub = visit.services.hub
    found = {kind: hub.by_kind(kind) for kind in KINDS}
    if visit.services.locker is None:  # doors are picked by compartment, on a locker
        found.pop("lock_board", None)
    return {kind: device for kind, device in found.items() if device is not None}


def _waiting(visit: Visit, kind: str) -> Prompt:
    title = visit.tr(f"selftest.{kind}")
    text = visit.tr(f"selftest.wait.{kind}")
    return Prompt(
        flow=FLOW,
        step=f"selftest.{kind}.wait",
        kind=PromptKind.DEVICE_WAIT,
        title=title,
        text=text,
        say=f"{title} {text}",
        device=kind,
        timeout=visit.timeout,
        can_go_back=True,
        language=visit.lang,
    )


def result_rows(
    visit: Visit, result: SelfTestResult, compartment: str = ""
) -> list[tuple[str, str]]:
    """A result as rows: the verdict in words first, then what the check saw (masked)."""
    verdict = visit.tr("selftest.passed") if result.passed else visit.tr("selftest.failed")
    if result.code:
        verdict = f"{verdict}: {visit.fault(result.code)}"
    rows = [
        (visit.tr("selftest.device"), f"{visit.tr(f'kind.{result.kind}')} ({result.device})"),
        (visit.tr("selftest.verdict"), verdict),
    ]
    if compartment:
        rows.append((visit.tr("locker.compartment"), compartment))
    for key, value in result.details.items():
        if result.kind == "keypad" and key == "name":
            continue  # the key's name in the code (DIGIT_5): the key itself says it
        shown = _plain(visit, value)
        if result.kind == "lock_board" and key in ("state", "feedback"):
            shown = _door_words(visit, key, str(value))
        elif key == "card_type":
            shown = visit.tr_or(f"detail.card_types.{value}", str(value))
        elif key == "features":
            shown = ", ".join(
                visit.tr_or(f"detail.feature.{name.lower()}", name)
                for name in str(value).split("|")
                if name
            )
        rows.append((visit.tr_or(f"detail.{key}", key), shown))
    rows.append((visit.tr("selftest.took"), f"{result.seconds:.1f} s"))
    return rows[:12]


def _plain(visit: Visit, value: Any) -> str:
    """A detail's value in words: yes/no, a device state, lists joined."""
    if isinstance(value, bool):
        return visit.tr("detail.yes" if value else "detail.no")
    if isinstance(value, dict):  # flags (a printer's status): those set, in words
        true = [visit.tr_or(f"detail.flag.{k}", k) for k, v in value.items() if v is True]
        return ", ".join(true) if true else "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    if value in (None, ""):
        return "—"
    return visit.tr_or(f"state.{value}", str(value)) if isinstance(value, str) else str(value)


def _door_words(visit: Visit, key: str, value: str) -> str:
    """A lock board check's door state, or whether its feedback setting fits, in words."""
    if key == "state":
        return visit.tr_or(f"door.{value}", value)
    setting, _, rest = value.partition(" ")
    return visit.tr("door.fits" if rest.startswith("fits") else "door.unconfirmed", setting=setting)


async def test_one(
    visit: Visit, kind: str, device: Device, compartment: Compartment | None = None
) -> SelfTestResult | None:
    """Run one self-test (a lock board's on `compartment`); None when the maintainer went back
    before it finished."""
    folder = visit.services.data_dir / "service"
    terminal = visit.config.terminal.id
    params = {"lock": f"{compartment.address}:{compartment.lock}"} if compartment else None

    def call() -> SelfTestResult:
        return run_self_test(device, terminal=terminal, picture_dir=folder, params=params)

    if kind in WAITS_FOR_SOMEONE:
        work = asyncio.ensure_future(asyncio.to_thread(call))
        reply = await visit.ask(lambda: _waiting(visit, kind), work=work)
        if not isinstance(reply, asking.Done):
            return None
        result: SelfTestResult = reply.value
    else:
        result = await visit.working(visit.tr("selftest.running"), call)
    where = {"compartment": compartment.id} if compartment else {}
    locker = visit.services.locker
    if compartment and locker is not None and result.passed:
        door = str(result.details.get("state", "unknown"))
        await locker.off_loop(locker.inventory.set_door, compartment.id, door)
    visit.audit.record(
        "selftest",
        f"selftest.{kind}",
        "passed" if result.passed else "failed",
        device=result.device,
        code=result.code,
        **where,
    )
    return result


async def test_back_offices(visit: Visit) -> list[tuple[str, str]]:
    """Try a connection to each back office (as the status page does); the verdict and each
    office reachable or not, audited."""
    offices = back_offices(visit)
    found = await visit.working(
        visit.tr("selftest.running"),
        lambda: [reach(name, backend) for name, backend in sorted(offices.items())],
    )
    down = [office.name for office in found if not office.reachable]
    visit.audit.record(
        "selftest", f"selftest.{BACK_OFFICE}", "failed" if down else "passed", unreachable=down
    )
    verdict = visit.tr("selftest.failed" if down else "selftest.passed")
    rows = [(visit.tr("selftest.verdict"), verdict)]
    for office in found:
        shown = visit.tr("status.reachable" if office.reachable else "status.unreachable")
        if office.detail:
            shown = f"{shown} ({os_error_words(office.detail, visit.lang)})"
        rows.append((visit.tr("status.back_office", name=office.name), shown))
    return rows


async def _result(visit: Visit, kind: str, shown: list[tuple[str, str]], picture: str) -> bool:
    """Show a test's result; whether the maintainer asked for it again."""
    again = await visit.ask(
        lambda: visit.page(
            f"selftest.{kind}.result",
            visit.tr(f"selftest.{kind}"),
            shown,
            [Action(AGAIN, visit.tr("action.again"))],
            image=picture,
        )
    )
    return bool(again == AGAIN)


async def _device_test(visit: Visit, kind: str, device: Device) -> None:
    """Run a device's test until the maintainer stops asking for it again."""
    while True:
        compartment = None
        if kind == "lock_board":
            locker = visit.services.locker
            assert locker is not None  # offered only on a locker
            compartment = await pick_compartment(visit, locker.inventory, "selftest")
            if compartment is None:
                return
        result = await test_one(visit, kind, device, compartment)
        if result is None:
            return
        shown = result_rows(visit, result, compartment.id if compartment else "")
        picture = str(result.picture) if result.picture else ""
        if not await _result(visit, kind, shown, picture):
            return


async def run(visit: Visit) -> None:
    """List the self-tests (eight to a page); run the one chosen and show its verdict."""
    first = 0
    while True:
        devices = _devices(visit)
        kinds = [*devices, *([BACK_OFFICE] if back_offices(visit) else [])]
        per_page = len(kinds) if len(kinds) <= MAX_ACTIONS - 1 else MAX_ACTIONS - 2
        first = first if first < len(kinds) else 0
        listed = kinds[first : first + per_page]
        actions = [Action(kind, visit.tr(f"selftest.{kind}")) for kind in listed]
        if len(kinds) > per_page:
            actions.append(Action(MORE, visit.tr("selftest.more")))
        chosen = await visit.ask(
            lambda actions=actions: visit.page(  # type: ignore[misc]
                "selftest", visit.tr("page.selftest"), (), actions, text=visit.tr("selftest.text")
            )
        )
        if chosen == BACK:
            return
        if chosen == MORE:
            first += per_page
        elif chosen == BACK_OFFICE:
            while await _result(visit, BACK_OFFICE, await test_back_offices(visit), ""):
                pass
        elif chosen in devices:
            await _device_test(visit, str(chosen), devices[str(chosen)])
