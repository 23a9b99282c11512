"""A scan's code typed on the touch screen: "Type it", the code's keyboard, confirm, and the
step's own check (the parcel-deposit flow's waybill step, run by the engine on the shell)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from ui_harness import find, frames, shown, tap, texts_on_screen

from kiosk.clock import ManualClock
from kiosk.flow.code_typing import code_typing
from kiosk.flow.engine import Engine
from kiosk.flow.loader import DEFAULT_FLOWS_DIR, read_yaml
from kiosk.flow.outcome import Outcome
from kiosk.flow.prompt import Answer, Prompt, PromptKind
from kiosk.flow.receipts import ReceiptLibrary
from kiosk.flow.scripted import ScriptedDevices
from kiosk.flow.session import Session
from kiosk.i18n import catalog
from kiosk.session.state import PromptView
from kiosk.ui.simulated_touch import tap_at
from kiosk.ui.tour import inspect
from tests.kiosk.flow.test_engine_fakes import (
    RECEIPTS,
    FakeBackends,
    FakeOutbox,
    Library,
    ListJournal,
)


def deposit_flow() -> dict[str, Any]:
    """The courier deposit's own waybill step, then a review of the waybill and the end."""
    flow = read_yaml(DEFAULT_FLOWS_DIR / "parcel-deposit.yaml")
    waybill = next(step for step in flow["steps"] if step["id"] == "waybill")
    review = {
        "id": "review",
        "kind": "confirm",
        "text": {"zh_CN": "请核对投递信息", "en": "Please check the delivery"},
        "rows": [{"label": {"zh_CN": "运单号", "en": "Waybill"}, "value": "{{ waybill }}"}],
    }
    done = {"id": "done", "kind": "finish", "result": {"waybill": "{{ waybill }}"}}
    return {"id": "deposit", "title": flow["title"], "steps": [waybill, review, done]}


def type_keys(shell: Any, keys: str) -> None:
    """Touch the keyboard's keys one after the other, then draw once (the keys stay where they
    are while the field fills: a frame after every touch would only cost CPU)."""
    frames(1)
    for key in keys:
        button = find(shell, f"key.{key}")
        tap_at(*button.to_window(*button.center))
    frames(1)


class Scanner(ScriptedDevices):
    """A scanner that reads nothing until the test scans a code (`codes.put_nowait`)."""

    def __init__(self) -> None:
        super().__init__({"scanner": True})
        self.codes: asyncio.Queue[str] = asyncio.Queue()

    def scanner(self) -> Any:
        """The scanner itself: `scan` waits for the next code."""
        return self

    async def scan(self, timeout: float | None = None) -> str:
        """The next code the test scans."""
        return await self.codes.get()


@dataclass
class Deposit:
    """The flow running on the shell's session core."""

    shell: Any
    scanner: Scanner
    run: asyncio.Future[Outcome]

    def view(self) -> PromptView:
        view = self.shell.view_prompt
        assert view is not None
        return view  # type: ignore[no-any-return]

    async def until(self, condition: Callable[[], bool]) -> None:
        """Let the engine and the screen run until `condition()` holds (bounded, no sleeping)."""
        for _ in range(200):
            view = self.shell.view_prompt
            if view is not None and view.waiting and condition():
                frames(1)
                return
            await asyncio.sleep(0)
        raise AssertionError("the screen never showed what was expected")

    def on(self, step: str) -> Callable[[], bool]:
        return lambda: self.view().prompt.step == step


@pytest.fixture
async def deposit(shell: Any) -> AsyncIterator[Deposit]:
    clock = ManualClock(start=1000.0)
    scanner = Scanner()
    engine = Engine(
        Library(deposit_flow()),
        backends=FakeBackends(),
        outbox=FakeOutbox(),
        journal=ListJournal(),
        devices=scanner,
        receipts=ReceiptLibrary(RECEIPTS),
        texts=catalog(),
        clock=clock,
    )
    session = Session(clock, language="zh_CN")
    shell.inputs.open(session)
    run = asyncio.ensure_future(engine.run("deposit", session, shell.inputs))
    flow = Deposit(shell, scanner, run)
    await flow.until(flow.on("waybill"))
    yield flow
    run.cancel()
    await asyncio.gather(run, return_exceptions=True)


async def test_a_waybill_with_letters_typed_by_touch_goes_on_to_the_deposit(
    deposit: Deposit,
) -> None:
    shell = deposit.shell
    assert deposit.view().prompt.kind is PromptKind.DEVICE_WAIT
    tap(shell, "action.type_code")  # 手动输入
    assert find(shell, "action.confirm").disabled  # nothing typed yet
    type_keys(shell, "SF1234567890")
    assert shell.screen.field.text == "SF1234567890"  # shown large as it is typed
    tap(shell, "key.del")
    type_keys(shell, "0")
    tap(shell, "action.confirm")
    await deposit.until(deposit.on("review"))
    assert [row.value for row in deposit.view().prompt.rows] == ["SF1234567890"]
    tap(shell, "action.confirm")
    outcome = await asyncio.wait_for(deposit.run, 5)
    assert outcome.status == "finished" and outcome.result == {"waybill": "SF1234567890"}


async def test_a_wrong_code_typed_is_asked_again_and_the_scanner_still_reads(
    deposit: Deposit,
) -> None:
    shell = deposit.shell
    tap(shell, "action.type_code")
    type_keys(shell, "SF12")  # the pattern wants 8 digits at least
    first = deposit.view().prompt
    tap(shell, "action.confirm")
    await deposit.until(lambda: deposit.view().prompt is not first)
    again = deposit.view()
    assert (again.prompt.step, again.prompt.error) == ("waybill", "scan.invalid_code")
    assert "[b]这个号码不符合要求，请核对后重新扫描或输入。[/b]" in texts_on_screen(shell)
    assert again.draft.typed == "SF12" and find(shell, "key.S")  # kept to correct, keyboard up
    deposit.scanner.codes.put_nowait("YT9876543210")  # the barcode scans after all
    await deposit.until(deposit.on("review"))
    assert [row.value for row in deposit.view().prompt.rows] == ["YT9876543210"]


async def test_the_keyboard_stays_up_with_the_code_in_english_and_elder_mode_and_fits(
    deposit: Deposit,
) -> None:
    shell = deposit.shell
    tap(shell, "action.type_code")
    type_keys(shell, "SF12")
    for bar in ("bar.language", "bar.elder"):  # (the elder bar has no language button)
        tap(shell, bar)  # the screen is built again (English: the step asks in English)
        await deposit.until(lambda: shell.screen.field is not None)
        assert shell.screen.field.text == "SF12" and "Type it" not in texts_on_screen(shell)
        frames(1)
        assert inspect(shell) == ([], [], [])  # nothing cut off, too small or set too small
    assert "Scan instead" in texts_on_screen(shell)
    tap(shell, "action.scan")  # back to the scanner's picture: the code is still there
    assert "SF12" in texts_on_screen(shell) and find(shell, "action.type_code")


def scan_prompt(step: str, pattern: str) -> Prompt:
    return Prompt(
        flow="f",
        step=step,
        kind=PromptKind.DEVICE_WAIT,
        text="请将账单上的条形码对准扫码口",
        say="",
        device="scanner",
        typing=code_typing(pattern),
    )


async def test_a_code_of_digits_gets_the_twelve_digit_keys_and_a_named_one_only_its_letters(
    shell: Any,
) -> None:
    task = await shown(shell, scan_prompt("bill", "^[0-9]{6,12}$"))  # a utility bill's barcode
    tap(shell, "action.type_code")
    assert find(shell, "key.0") and "Q" not in texts_on_screen(shell)
    type_keys(shell, "330188")
    tap(shell, "action.confirm")
    assert await asyncio.wait_for(task, 2) == Answer("330188", source="touch")
    task = await shown(shell, scan_prompt("waybill", r"SF\d{12}"))
    tap(shell, "action.type_code")  # the keyboard, built once, comes back with its own keys
    assert find(shell, "key.Q").disabled and not find(shell, "key.S").disabled
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
