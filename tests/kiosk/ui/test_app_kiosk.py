"""The whole touch-screen kiosk, headless: real app, real engine, simulated devices and touches.

Each test runs `TouchKiosk` (what `kiosk run --simulate` runs) in the real Kivy window with a
manual clock for the session timeouts, and drives it like a resident: taps, the tactile keypad
and the simulated card reader, printer and headset.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from ui_harness import make_id_number, texts_on_screen

from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.flow.prompt import PromptKind
from kiosk.session.loop import Where
from kiosk.session.state import AttractView
from kiosk.ui.lockdown import WindowOptions
from kiosk.ui.touch_kiosk import TouchKiosk
from kiosk.voice.kiosk_voice import kiosk_voice
from peripherals.keypad.keys import Key
from peripherals.speaker.base import Route

FEEDBACK = "resident-feedback"
CERTIFICATE = "si-certificate"


# -- driving the running app ---------------------------------------------------------------------


async def next_frame() -> None:
    """Wait for the running app's next Kivy frame."""
    from kivy.clock import Clock

    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def tick(_dt: float) -> None:
        if not done.done():
            done.set_result(None)

    Clock.schedule_once(tick, 0)
    await asyncio.wait_for(done, 5)


async def until(condition: Callable[[], Any], what: str, timeout: float = 20.0) -> None:
    """Let the app run frame by frame until `condition()` holds (fails after `timeout` s)."""
    limit = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > limit:
            raise AssertionError(f"timed out waiting for {what}; on screen: {_screen()}")
        await next_frame()


def _screen() -> str:
    from kivy.core.window import Window

    from kiosk.ui.shell import KioskShell

    shells = [root for root in Window.children if isinstance(root, KioskShell)]
    views = [repr(root.state.view)[:120] for root in shells]
    return "; ".join(views) or "nothing"


def widget(kiosk: TouchKiosk, kiosk_id: str) -> Any:
    """The widget with this id anywhere in the window, or None."""
    from kivy.core.window import Window

    for root in Window.children:
        for found in root.walk(restrict=True):
            if getattr(found, "kiosk_id", None) == kiosk_id:
                return found
    return None


async def tap(kiosk: TouchKiosk, kiosk_id: str) -> None:
    """Touch down and up in the middle of a control once it is on screen."""
    from kivy.tests.common import UnitTestTouch

    await until(lambda: widget(kiosk, kiosk_id) is not None, f"control {kiosk_id}")
    await next_frame()  # laid out, so the control has its real position
    target = widget(kiosk, kiosk_id)
    touch = UnitTestTouch(*target.to_window(*target.center))
    touch.touch_down()
    touch.touch_up()
    await next_frame()


async def type_keys(kiosk: TouchKiosk, keys: str) -> None:
    """Tap on-screen keypad keys."""
    for key in keys:
        await tap(kiosk, f"key.{key}")


def device(kiosk: TouchKiosk, kind: str) -> Any:
    """The kiosk's open device of this kind (simulated)."""
    assert kiosk.services is not None
    found = kiosk.services.hub.by_kind(kind)
    assert found is not None, f"no {kind}"
    return found


def loop(kiosk: TouchKiosk) -> Any:
    """The running session loop."""
    assert kiosk.runtime is not None
    return kiosk.runtime.loop


def shell(kiosk: TouchKiosk) -> Any:
    assert kiosk.app is not None
    return kiosk.app.shell


def view(kiosk: TouchKiosk) -> Any:
    """The prompt view on screen (prompt + answer in progress), or None."""
    return shell(kiosk).view_prompt


def on_step(kiosk: TouchKiosk, step: str) -> Callable[[], bool]:
    """Whether the screen shows the flow step `step` waiting for an answer."""

    def showing() -> bool:
        shown = view(kiosk)
        return shown is not None and shown.prompt.step == step and shown.waiting

    return showing


def on_menu(kiosk: TouchKiosk) -> bool:
    """Whether the service menu waits for a choice."""
    shown = view(kiosk)
    return shown is not None and shown.prompt.kind is PromptKind.MENU and shown.waiting


def offered(kiosk: TouchKiosk) -> list[str]:
    """The services the menu on screen offers."""
    return [option.value for option in view(kiosk).prompt.options]


def at_attract(kiosk: TouchKiosk) -> Callable[[], bool]:
    return lambda: (
        kiosk.runtime is not None
        and loop(kiosk).where is Where.ATTRACT
        and isinstance(shell(kiosk).state.view, AttractView)
    )


async def start_service(kiosk: TouchKiosk, category: str, service: str) -> None:
    await until(at_attract(kiosk), "the attract screen")
    await tap(kiosk, "attract.start")
    await until(lambda: on_menu(kiosk), "the service menu")
    await open_service(kiosk, category, service)


async def open_service(kiosk: TouchKiosk, category: str, service: str) -> None:
    """Tap the service's tile, after its category's tab when the menu has tabs."""
    tile, tab = f"service.{service}", f"category.{category}"
    await until(lambda: widget(kiosk, tile) or widget(kiosk, tab), f"{tile} or {tab}")
    if widget(kiosk, tab) is not None:
        await tap(kiosk, tab)
    await tap(kiosk, tile)


def press(kiosk: TouchKiosk, *keys: Key) -> None:
    """Press keys on the simulated tactile keypad."""
    keypad = device(kiosk, "keypad")
    for key in keys:
        keypad.simulator.press(key)


def journal_events(kiosk: TouchKiosk) -> list[tuple[str, str, dict[str, Any]]]:
    assert kiosk.services is not None
    return [(e.event, e.flow, e.detail) for e in reversed(kiosk.services.journal.recent(500))]


@pytest.fixture
async def kiosk(window: Any, tmp_path: Path) -> AsyncIterator[TouchKiosk]:
    """`kiosk run --simulate` in the test window, on a manual clock, stopped afterwards."""
    from kivy.base import EventLoop

    before = (EventLoop.status, EventLoop.quit)
    clock = ManualClock(1_700_000_000.0)
    running = TouchKiosk(
        load_config(None),
        simulate=True,
        options=WindowOptions.development(),
        data_dir=tmp_path,
        clock=clock,
        result_hold=600.0,
        renderers=(kiosk_voice,),
    )
    task = asyncio.ensure_future(running.run())
    await asyncio.wait_for(asyncio.shield(running.ready.wait()), 15)
    running.clock_for_tests = clock  # type: ignore[attr-defined]
    try:
        yield running
    finally:
        running.stop()
        await asyncio.wait_for(task, 15)
        # Stopping the app closes Kivy's event loop; the other UI tests drive frames by hand
        # (`EventLoop.idle()`), which does nothing but tick the clock once the loop has quit.
        EventLoop.status, EventLoop.quit = before
        task.result()


def advance(kiosk: TouchKiosk, seconds: float) -> None:
    kiosk.clock_for_tests.advance(seconds)  # type: ignore[attr-defined]


# -- whole flows ---------------------------------------------------------------------------------


async def test_feedback_by_touch_switching_language_and_elder_mode_mid_flow(
    kiosk: TouchKiosk,
) -> None:
    await start_service(kiosk, "community", FEEDBACK)
    await until(on_step(kiosk, "topic"), "the topic question")
    assert "请选择反馈的类别" in texts_on_screen(shell(kiosk))
    await tap(kiosk, "option.facilities")
    await until(on_step(kiosk, "consent"), "the consent")
    await tap(kiosk, "action.agree")
    await until(on_step(kiosk, "phone"), "the phone question")
    await type_keys(kiosk, "13800")
    # English mid-flow: the same question, re-asked in English, the typed digits kept
    await tap(kiosk, "bar.language")
    await until(lambda: view(kiosk).prompt.language == "en", "the prompt in English")
    await until(on_step(kiosk, "phone"), "the phone question again")
    assert loop(kiosk).session.language == "en"
    assert "Type your mobile number" in texts_on_screen(shell(kiosk))
    assert view(kiosk).draft.typed == "13800"
    await tap(kiosk, "bar.elder")
    assert shell(kiosk).state.elder
    assert view(kiosk).draft.typed == "13800"
    await type_keys(kiosk, "138000")
    await tap(kiosk, "action.confirm")
    await until(on_step(kiosk, "text"), "the comments question")
    assert "Type your comments" in texts_on_screen(shell(kiosk))
    await tap(kiosk, "action.keyboard")  # large print offers the common phrases first
    await type_keys(kiosk, "shequ")
    await tap(kiosk, "cand.0")
    await tap(kiosk, "action.confirm")
    await until(on_step(kiosk, "review"), "the review")
    shown = " ".join(texts_on_screen(shell(kiosk)))
    assert "13800138000" not in shown and "138" in shown  # masked on screen
    await tap(kiosk, "action.confirm")
    await until(lambda: loop(kiosk).where is Where.RESULT, "the result")
    assert any("Your feedback has been received" in t for t in texts_on_screen(shell(kiosk)))
    assert loop(kiosk).last_outcome.status == "finished"
    await tap(kiosk, "action.done")
    await until(at_attract(kiosk), "the attract screen after the result")
    # the session's look and language are reset for the next resident
    assert not shell(kiosk).state.elder and shell(kiosk).language == "zh_CN"
    ended = [d for e, f, d in journal_events(kiosk) if e == "ended" and f == FEEDBACK]
    assert ended == [{"status": "finished"}]


async def test_si_certificate_with_the_simulated_id_card(kiosk: TouchKiosk) -> None:
    number = make_id_number("110105", "19850312", "231")
    await start_service(kiosk, "social_security", CERTIFICATE)
    await until(on_step(kiosk, "consent"), "the consent")
    await tap(kiosk, "action.agree")
    await until(on_step(kiosk, "how"), "how to identify")
    await tap(kiosk, "option.card")
    await until(on_step(kiosk, "card"), "the card reader screen")
    reader = device(kiosk, "id_card")
    reader.simulator.present_card(name="林晓测", id_number=number, birth="19850312")
    await until(on_step(kiosk, "choose"), "the certificate choice")
    await tap(kiosk, "option.personal")
    await until(on_step(kiosk, "review"), "the review")
    shown = " ".join(texts_on_screen(shell(kiosk)))
    assert number not in shown and number[:3] in shown
    await tap(kiosk, "action.confirm")
    await until(lambda: loop(kiosk).where is Where.RESULT, "the result", timeout=15)
    assert loop(kiosk).last_outcome.status == "finished"
    assert any("参保证明已开具" in t for t in texts_on_screen(shell(kiosk)))
    await tap(kiosk, "action.done")
    await until(at_attract(kiosk), "the attract screen")
    assert device(kiosk, "id_card").simulator.card is None  # card taken away
    journal = repr(journal_events(kiosk))
    assert number not in journal


# -- time, cancel, staff -------------------------------------------------------------------------


async def test_timeout_warning_more_time_and_wipe(kiosk: TouchKiosk) -> None:
    await start_service(kiosk, "community", FEEDBACK)
    await until(on_step(kiosk, "topic"), "the topic question")
    await tap(kiosk, "option.safety")
    await until(on_step(kiosk, "consent"), "the consent")
    await tap(kiosk, "action.agree")
    await until(on_step(kiosk, "phone"), "the phone question")
    await type_keys(kiosk, "139")
    session = loop(kiosk).session
    assert session is not None and session.remaining() == pytest.approx(90)
    advance(kiosk, 65)  # 25 s left: within the 30 s warning lead
    await until(lambda: shell(kiosk).timeout_overlay is not None, "the timeout warning")
    await tap(kiosk, "timeout.more_time")
    assert session.remaining() == pytest.approx(90)
    await until(lambda: shell(kiosk).timeout_overlay is None, "the warning to go")
    assert view(kiosk).draft.typed == "139"  # nothing lost by asking for more time
    advance(kiosk, 91)
    await until(at_attract(kiosk), "the attract screen after the timeout")
    assert session.ended and not session.holds_data
    assert session.outcome is not None and session.outcome.status == "timeout"
    assert "139" not in " ".join(texts_on_screen(shell(kiosk)))


async def test_cancel_and_call_staff(kiosk: TouchKiosk) -> None:
    await start_service(kiosk, "community", FEEDBACK)
    await until(on_step(kiosk, "topic"), "the topic question")
    session = loop(kiosk).session
    await tap(kiosk, "bar.call_staff")
    await until(lambda: shell(kiosk).state.notice == "ui.notice.staff_called", "staff told")
    assert any("已通知工作人员" in t for t in texts_on_screen(shell(kiosk)))
    calls = [(f, d) for e, f, d in journal_events(kiosk) if e == "call_staff"]
    assert calls == [(FEEDBACK, {"screen": "flow"})]
    await tap(kiosk, "notice.ok")
    await tap(kiosk, "bar.cancel")
    await until(at_attract(kiosk), "the attract screen after cancel")
    assert session.outcome is not None and session.outcome.status == "cancelled"


async def test_menu_times_out_back_to_the_attract_screen(kiosk: TouchKiosk) -> None:
    await until(at_attract(kiosk), "the attract screen")
    await tap(kiosk, "attract.start")
    await until(lambda: on_menu(kiosk), "the service menu")
    advance(kiosk, 100)
    await until(lambda: shell(kiosk).timeout_overlay is not None, "the timeout warning")
    advance(kiosk, 30)
    await until(at_attract(kiosk), "the attract screen")
    assert loop(kiosk).sessions == 1


# -- keypad and voice ----------------------------------------------------------------------------


async def test_feedback_by_the_tactile_keypad_alone_in_silence(kiosk: TouchKiosk) -> None:
    speaker = device(kiosk, "speaker")
    await until(at_attract(kiosk), "the attract screen")
    press(kiosk, Key.ENTER)
    await until(lambda: loop(kiosk).where is Where.MENU, "the menu")
    await next_frame()
    number = [o.key for o in loop(kiosk).menu.prompt("zh_CN").options if o.value == FEEDBACK]
    press(kiosk, Key(str(number[0])))
    await until(on_step(kiosk, "topic"), "the topic question")
    press(kiosk, Key.DIGIT_2)
    await until(on_step(kiosk, "consent"), "the consent")
    press(kiosk, Key.DIGIT_2)  # decline: no phone number asked
    await until(on_step(kiosk, "text"), "the comments question")
    press(kiosk, Key.DIGIT_1, Key.DIGIT_2, Key.ENTER)
    await until(on_step(kiosk, "review"), "the review")
    press(kiosk, Key.DIGIT_1)
    await until(lambda: loop(kiosk).where is Where.RESULT, "the result")
    assert loop(kiosk).last_outcome.status == "finished"
    press(kiosk, Key.ENTER)
    await until(at_attract(kiosk), "the attract screen")
    assert speaker.simulator.texts() == []  # no voice mode asked for: nothing spoken


async def test_headset_starts_voice_mode_privately_and_the_session_end_resets_it(
    kiosk: TouchKiosk,
) -> None:
    speaker = device(kiosk, "speaker")
    headset = device(kiosk, "headset")
    await until(at_attract(kiosk), "the attract screen")
    headset.plug()
    await until(lambda: loop(kiosk).where is Where.MENU, "the menu")
    # spoken a sentence at a time: wait for the one naming the service, however busy the machine
    menu_spoken = lambda: "居民意见反馈" in " ".join(speaker.simulator.texts())  # noqa: E731
    await until(menu_spoken, "the menu spoken")
    assert speaker.simulator.spoken[-1].route is Route.HEADSET
    press(kiosk, Key.PLUS)
    await until(lambda: speaker.volume > speaker.default_volume or speaker.volume == 1.0, "louder")
    press(kiosk, Key.CANCEL)
    await until(at_attract(kiosk), "the attract screen")
    assert not loop(kiosk).core.state.voice
    assert speaker.route is Route.LOUDSPEAKER and speaker.volume == speaker.default_volume
    headset.unplug()


async def test_in_voice_mode_the_timeout_warning_is_spoken_and_any_key_gives_more_time(
    kiosk: TouchKiosk,
) -> None:
    speaker = device(kiosk, "speaker")
    headset = device(kiosk, "headset")
    await until(at_attract(kiosk), "the attract screen")
    headset.plug()
    await until(lambda: loop(kiosk).where is Where.MENU, "the menu")
    session = loop(kiosk).session
    assert session is not None
    # reading the menu out is not inactivity: the clock runs once it has been said
    await until(
        lambda: speaker.simulator.texts() and speaker.wait_idle(0) and not session.held,
        "the menu said",
    )
    advance(kiosk, session.remaining() - 25)
    await until(lambda: shell(kiosk).timeout_overlay is not None, "the timeout warning")
    await until(
        lambda: any("秒后将退出" in text for text in speaker.simulator.texts()),
        "the spoken warning",
    )
    assert speaker.simulator.spoken[-1].route is Route.HEADSET
    before = session.remaining()
    press(kiosk, Key.HASH)  # any key is activity
    await until(lambda: session.remaining() > before + 20, "more time from a key press")
    await until(lambda: shell(kiosk).timeout_overlay is None, "the warning to go")
    press(kiosk, Key.CANCEL)
    await until(at_attract(kiosk), "the attract screen")
    headset.unplug()


# -- devices -------------------------------------------------------------------------------------


async def test_a_service_whose_device_is_down_is_hidden(kiosk: TouchKiosk) -> None:
    from kivy.core.window import Window

    assert kiosk.panel is not None  # the simulate panel: F4 pulls the receipt paper out
    Window.dispatch("on_key_down", 285, 0, None, [])
    await until(at_attract(kiosk), "the attract screen")
    await tap(kiosk, "attract.start")
    await until(lambda: on_menu(kiosk), "the service menu")
    # only the services that print nothing are left
    assert sorted(offered(kiosk)) == ["community-notices", "request-status", FEEDBACK]
    assert widget(kiosk, "category.social_security") is None
    assert widget(kiosk, f"service.{CERTIFICATE}") is None
    assert "printer" in loop(kiosk).menu.hidden[CERTIFICATE]
    await tap(kiosk, "bar.cancel")
    await until(at_attract(kiosk), "the attract screen")
    Window.dispatch("on_key_down", 285, 0, None, [])  # paper back in
    await tap(kiosk, "attract.start")
    await until(lambda: on_menu(kiosk), "the service menu")
    assert CERTIFICATE in offered(kiosk)


async def test_help_stays_on_screen_until_the_resident_goes_back_to_the_question(
    kiosk: TouchKiosk,
) -> None:
    await start_service(kiosk, "community", FEEDBACK)
    await until(on_step(kiosk, "topic"), "the topic question")
    await tap(kiosk, "bar.help")
    await until(lambda: view(kiosk).prompt.hints, "the help screen")
    for _ in range(10):  # it stays: frames pass, nobody answers
        await next_frame()
    assert view(kiosk).prompt.hints and view(kiosk).waiting
    assert "请按提示操作" in " ".join(texts_on_screen(shell(kiosk)))
    await tap(kiosk, "action.continue")
    await until(on_step(kiosk, "topic"), "the topic question again")
    assert not view(kiosk).prompt.hints
    # on the menu too
    await tap(kiosk, "bar.cancel")
    await until(at_attract(kiosk), "the attract screen")
    await tap(kiosk, "attract.start")
    await until(lambda: on_menu(kiosk), "the service menu")
    await tap(kiosk, "bar.help")
    await until(lambda: view(kiosk).prompt.hints, "the menu's help")
    await tap(kiosk, "action.continue")
    await until(lambda: on_menu(kiosk), "the service menu again")


async def test_every_service_on_the_menu_opens_in_two_taps(kiosk: TouchKiosk) -> None:
    """From the menu, a category tab and a service tile: the service's first question."""
    await until(at_attract(kiosk), "the attract screen")
    await tap(kiosk, "attract.start")
    await until(lambda: on_menu(kiosk), "the service menu")
    menu = view(kiosk).prompt
    services = [(option.group, option.value) for option in menu.options]
    assert {value for _, value in services} >= {
        "si-certificate",
        "medical-insurance",
        "utility-bills",
        "elderly-allowance",
        "resident-request",
        "request-status",
        "community-notices",
        "queue-ticket",
    }
    for number, (category, service) in enumerate(services):
        if number:
            await tap(kiosk, "attract.start")
            await until(lambda: on_menu(kiosk), "the service menu")
        await open_service(kiosk, category, service)

        def asking(service: str = service) -> bool:
            shown = view(kiosk)
            return (
                shown is not None
                and shown.waiting
                and shown.prompt.kind is not PromptKind.MENU
                and shown.prompt.flow in (service, "identify")
            )

        await until(asking, f"the first question of {service}")
        await tap(kiosk, "bar.cancel")
        await until(at_attract(kiosk), f"the attract screen after {service}")
