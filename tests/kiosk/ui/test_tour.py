"""The tour renderer on the real window: answers arrive through taps, every screen is pictured."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat
from ui_harness import make_id_number

from kiosk.flow.prompt import Answer, Event, InputRules, Prompt, PromptKind, PromptOption
from kiosk.flow.scripted import ScriptedRenderer
from kiosk.ui.tour import FrameCamera, TourRenderer, write_transcript
from kiosk.voice.script import spoken

PERSONAL = re.compile(r"\d{17}[\dXx]|1\d{10}")
CHOICES = (
    PromptOption("personal", "个人参保证明", "个人参保证明", 1),
    PromptOption("payments", "缴费明细", "缴费明细", 2),
)


def prompt(kind: PromptKind, step: str, **fields: Any) -> Prompt:
    fields.setdefault("text", "请选择")
    return Prompt(flow="si-certificate", step=step, kind=kind, say=fields["text"], **fields)


@pytest.fixture
async def pump(window: Any) -> AsyncIterator[None]:
    """Kivy frames keep coming while the test awaits (what `App.async_run` does in a tour)."""
    from kivy.base import EventLoop

    async def frames() -> None:
        while True:
            EventLoop.idle()
            # leave the loop to the tour between frames, as App.async_run's frame pacing does
            await asyncio.sleep(0.01)

    task = asyncio.ensure_future(frames())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.fixture
def tour(shell: Any, window: Any, tmp_path: Path) -> Any:
    def make(answers: dict[str, Any]) -> TourRenderer:
        camera = FrameCamera(window)
        made.append(camera)
        oracle = ScriptedRenderer(answers)
        return TourRenderer(shell, shell.inputs, oracle, camera, tmp_path, spoken)

    made: list[FrameCamera] = []
    yield make
    for camera in made:
        camera.close()


def assert_picture(path: Path) -> None:
    image = Image.open(path).convert("L")
    assert ImageStat.Stat(image).stddev[0] > 8, f"{path.name} is (nearly) one colour"


async def test_a_choice_is_tapped_on_its_button_and_pictured(pump: None, tour: Any) -> None:
    renderer = tour({"choose": 2})
    reply = await asyncio.wait_for(
        renderer.ask(prompt(PromptKind.CHOOSE, "choose", options=CHOICES)), 5
    )
    assert reply == Answer("payments", source="touch")  # it came from the screen, not the script
    screen = renderer.screens[0]
    assert screen.screenshot == "01-choose.png" and screen.how == "touch: option.payments"
    assert "2   缴费明细" in screen.on_screen and "按2，缴费明细" in screen.spoken
    assert_picture(renderer.out / screen.screenshot)


async def test_digits_are_typed_on_the_keypad_and_shown_masked(pump: None, tour: Any) -> None:
    renderer = tour({"phone": "13912345678"})
    rules = InputRules("phone", personal=True)
    reply = await asyncio.wait_for(renderer.ask(prompt(PromptKind.INPUT, "phone", input=rules)), 20)
    assert reply == Answer("13912345678", source="touch")
    screen = renderer.screens[0]
    assert screen.how == "keys+touch: action.confirm" and screen.answer == "139****5678"


async def test_an_input_the_screen_refuses_is_resolved_and_says_so(pump: None, tour: Any) -> None:
    good = make_id_number()
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")  # wrong check character
    renderer = tour({"id": bad})
    rules = InputRules("id_number", personal=True)
    reply = await asyncio.wait_for(renderer.ask(prompt(PromptKind.INPUT, "id", input=rules)), 20)
    assert reply == Answer(bad, source="script")  # the engine will judge it and ask again
    screen = renderer.screens[0]
    assert screen.how.startswith("resolved") and not PERSONAL.search(str(screen.answer))


async def test_free_text_is_placed_then_confirmed_by_touch(pump: None, tour: Any) -> None:
    renderer = tour({"text": "路灯坏了"})
    rules = InputRules("text", min_length=2)
    reply = await asyncio.wait_for(renderer.ask(prompt(PromptKind.INPUT, "text", input=rules)), 20)
    assert reply == Answer("路灯坏了", source="touch")
    assert renderer.screens[0].how == "state+touch: action.confirm"


async def test_events_use_the_service_bar(pump: None, tour: Any) -> None:
    renderer = tour({"choose": {"event": "back"}})
    p = prompt(PromptKind.CHOOSE, "choose", options=CHOICES, can_go_back=True)
    assert await asyncio.wait_for(renderer.ask(p), 20) is Event.BACK
    assert renderer.screens[0].how == "touch: bar.back"


async def test_a_scripted_language_switch_taps_the_language_button(
    pump: None, tour: Any, shell: Any
) -> None:
    from kiosk.flow.session import Session

    session = Session(shell.inputs.clock)
    shell.inputs.open(session)
    switched = asyncio.Event()
    session.subscribe(lambda what: what == "language" and switched.set())
    renderer = tour({"answers": {"choose": 1}, "switch_language": {"choose": "en"}})
    task = asyncio.ensure_future(renderer.ask(prompt(PromptKind.CHOOSE, "choose", options=CHOICES)))
    await asyncio.wait_for(switched.wait(), 20)
    assert session.language == "en"
    task.cancel()  # what the engine does when the language changes: it asks again in English
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert shell.language == "en"
    screen = renderer.screens[0]
    assert screen.how == "touch: bar.language" and screen.answer == "switch language to en"


async def test_shown_screens_are_pictured_and_transcribed(
    pump: None, tour: Any, tmp_path: Path
) -> None:
    renderer = tour({})
    await renderer.show(prompt(PromptKind.BUSY, "fetch", text="正在查询，请稍候"))
    await renderer.show(prompt(PromptKind.RESULT, "done", text="办理成功"))
    assert [s.screenshot for s in renderer.screens] == ["01-fetch.png", "02-done.png"]
    for screen in renderer.screens:
        assert_picture(tmp_path / screen.screenshot)
    header = {"flow": "si-certificate", "language": "zh_CN", "elder": True, "contrast": False}
    md, js = write_transcript(tmp_path, renderer.screens, header, {"status": "finished"})
    text = md.read_text(encoding="utf-8")
    assert "elder mode" in text and "## 02 `si-certificate/done` — result" in text
    assert "办理成功" in text and "(02-done.png)" in text
    data = json.loads(js.read_text(encoding="utf-8"))
    assert [s["step"] for s in data["screens"]] == ["fetch", "done"]


async def test_a_code_the_scanner_did_not_read_is_typed_on_its_keyboard_and_pictured(
    pump: None, tour: Any
) -> None:
    from kiosk.flow.code_typing import code_typing

    renderer = tour({"waybill": "SF1000000001"})
    scan = prompt(
        PromptKind.DEVICE_WAIT,
        "waybill",
        text="请扫描运单条码",
        device="scanner",
        typing=code_typing("[A-Z]{0,4}[0-9]{8,20}"),
    )
    reply = await asyncio.wait_for(renderer.ask(scan), 20)
    assert reply == Answer("SF1000000001", source="touch")  # typed on the screen's keys
    waiting, keyboard = renderer.screens
    assert (waiting.screenshot, waiting.how) == ("01-waybill.png", "touch: action.type_code")
    assert keyboard.screenshot == "02-waybill.keyboard.png"
    assert keyboard.how == "keyboard+touch: action.confirm" and keyboard.answer == "SF1000000001"
    assert "SF1000000001" in keyboard.on_screen and keyboard.clipped == []
    assert_picture(renderer.out / keyboard.screenshot)
