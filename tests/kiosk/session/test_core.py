"""The session core: one answer in progress whatever the sense, input rules checked once,
the inactivity warning, and everything a session changed put back when it ends."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from kiosk.clock import ManualClock
from kiosk.flow import asking
from kiosk.flow.inputs import validate
from kiosk.flow.prompt import (
    Answer,
    Event,
    InputRules,
    OptionGroup,
    Prompt,
    PromptKind,
    PromptOption,
)
from kiosk.flow.session import Session
from kiosk.session.core import SessionCore
from kiosk.session.keypad import Action
from kiosk.session.state import (
    Heard,
    HeardOutcome,
    Pressed,
    PromptView,
    Refused,
)
from peripherals.keypad.keys import Key
from peripherals.recognizer.base import Recognition
from tests.support.session import Recorder

ID = "110105198503122317"  # invented, valid check character


def typing(input_type: str, lang: str = "zh_CN", **rules: object) -> Prompt:
    return Prompt(
        flow="f",
        step="typed",
        kind=PromptKind.INPUT,
        text="请输入" if lang == "zh_CN" else "Type",
        say="请输入",
        input=InputRules(input_type=input_type, **rules),  # type: ignore[arg-type]
        timeout=90,
        language=lang,
    )


def menu() -> Prompt:
    services = (("feedback", "community"), ("certificate", "social"), ("water", "utilities"))
    return Prompt(
        flow="$menu",
        step="menu",
        kind=PromptKind.MENU,
        text="请选择服务",
        say="请选择服务",
        options=tuple(
            PromptOption(value, value, value, n, group)
            for n, (value, group) in enumerate(services, start=1)
        ),
        groups=(
            OptionGroup("community", "社区"),
            OptionGroup("social", "社保"),
            OptionGroup("utilities", "缴费"),
        ),
        timeout=90,
    )


@pytest.fixture
def core() -> tuple[SessionCore, Recorder, ManualClock]:
    clock = ManualClock(1_000.0)
    core = SessionCore(clock, warning_lead=30)
    recorder = Recorder()
    core.attach(recorder)
    return core, recorder, clock


async def until(condition: Callable[[], object]) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def test_touch_and_keys_edit_one_answer_and_enter_submits_it(
    core: tuple[SessionCore, Recorder, ManualClock],
) -> None:
    kiosk, screen, _ = core
    asked = asyncio.ensure_future(kiosk.ask(typing("digits")))
    await until(lambda: isinstance(screen.state.view, PromptView))
    kiosk.edit("20")  # on-screen keys
    kiosk.key(Key.DIGIT_2)  # the tactile keypad continues the same text
    kiosk.edit("2024")
    assert screen.view.draft.typed == "2024"
    kiosk.key(Key.ENTER)
    assert await asyncio.wait_for(asked, 1) == Answer("2024", source="keypad")
    pressed = [f for f in screen.feedback_given if isinstance(f, Pressed)]
    assert [p.result.action for p in pressed if p.result] == [Action.TYPED, Action.ANSWER]


@pytest.mark.parametrize(
    ("input_type", "typed"),
    [("id_number", ID[:-1] + "0"), ("phone", "2380013800"), ("amount", "12.345"), ("digits", "")],
)
async def test_a_bad_answer_is_refused_with_the_engines_own_reason_and_kept_to_correct(
    core: tuple[SessionCore, Recorder, ManualClock], input_type: str, typed: str
) -> None:
    kiosk, screen, _ = core
    prompt = typing(input_type)
    asked = asyncio.ensure_future(kiosk.ask(prompt))
    await until(lambda: isinstance(screen.state.view, PromptView))
    kiosk.edit(typed)
    kiosk.answer(typed, "touch")  # the confirm button
    await asyncio.sleep(0)
    assert not asked.done()  # the engine never sees it
    assert prompt.input is not None
    reason = validate(prompt.input, typed).error
    assert reason is not None
    assert screen.view.draft.problem == reason
    assert screen.view.draft.typed == typed  # nothing lost: the resident corrects it
    assert screen.feedback_given[-1] == Refused(prompt, reason)
    kiosk.event(Event.CANCEL)
    assert await asyncio.wait_for(asked, 1) is Event.CANCEL


async def test_typing_again_clears_the_problem_shown(
    core: tuple[SessionCore, Recorder, ManualClock],
) -> None:
    kiosk, screen, _ = core
    asked = asyncio.ensure_future(kiosk.ask(typing("phone")))
    await until(lambda: isinstance(screen.state.view, PromptView))
    kiosk.key(Key.DIGIT_1)
    kiosk.key(Key.ENTER)
    assert screen.view.draft.problem == "input.invalid_phone"
    kiosk.key(Key.DIGIT_3)
    assert screen.view.draft.problem is None and screen.view.draft.typed == "13"
    asked.cancel()


async def test_the_same_question_in_another_language_keeps_what_was_typed(
    core: tuple[SessionCore, Recorder, ManualClock],
) -> None:
    kiosk, screen, clock = core
    session = Session(clock)
    kiosk.open(session)

    def prompt() -> Prompt:
        return typing("phone", lang=session.language)

    asked = asyncio.ensure_future(asking.ask(kiosk, prompt, session, clock))
    await until(lambda: isinstance(screen.state.view, PromptView))
    kiosk.edit("13800")
    kiosk.set_language("en")
    await until(lambda: screen.view.prompt.language == "en")
    assert screen.view.draft.typed == "13800" and screen.state.language == "en"
    kiosk.key(Key.CANCEL)
    assert await asyncio.wait_for(asked, 1) is Event.CANCEL


async def test_the_inactivity_warning_comes_before_the_deadline_and_any_activity_ends_it(
    core: tuple[SessionCore, Recorder, ManualClock],
) -> None:
    kiosk, screen, clock = core
    session = Session(clock)
    kiosk.open(session)
    asked = asyncio.ensure_future(asking.ask(kiosk, lambda: typing("digits"), session, clock))
    await until(lambda: isinstance(screen.state.view, PromptView))
    clock.advance(55)
    await asyncio.sleep(0)
    assert screen.state.warning is None  # 35 s left: not yet
    clock.advance(10)
    await until(lambda: screen.state.warning is not None)
    assert screen.state.warning == pytest.approx(25)
    assert kiosk.remaining() == pytest.approx(25)
    kiosk.key(Key.DIGIT_5)  # any key is activity
    assert screen.state.warning is None and kiosk.remaining() == pytest.approx(90)
    clock.advance(61)
    await until(lambda: screen.state.warning is not None)
    kiosk.more_time()
    assert screen.state.warning is None
    clock.advance(91)
    assert await asyncio.wait_for(asked, 1) is Event.TIMEOUT


async def test_the_end_of_a_session_puts_back_everything_it_changed(
    core: tuple[SessionCore, Recorder, ManualClock],
) -> None:
    kiosk, screen, clock = core
    kiosk.headset(True)  # plugged in: voice mode, privately
    kiosk.open(Session(clock))
    kiosk.set_language("en")
    kiosk.toggle_elder()
    kiosk.toggle_contrast()
    kiosk.key(Key.DIGIT_1)
    kiosk.call_staff()
    state = screen.state
    assert (state.language, state.elder, state.high_contrast) == ("en", True, True)
    assert state.keypad_used and state.voice and state.private
    assert state.notice == "ui.notice.staff_calling"
    kiosk.end()
    state = screen.state
    assert (state.language, state.elder, state.high_contrast) == ("zh_CN", False, False)
    assert not (state.keypad_used or state.voice or state.in_session or state.notice)
    assert state.private  # the headset is still plugged in: the next resident's speech is private


async def test_help_with_no_question_waiting_shows_the_help_notice(
    core: tuple[SessionCore, Recorder, ManualClock],
) -> None:
    kiosk, screen, _ = core
    kiosk.event(Event.HELP)
    assert screen.state.notice == "ui.notice.help"
    kiosk.close_notice()
    assert screen.state.notice is None


async def test_keypad_focus_walks_the_whole_menu_across_its_categories(
    core: tuple[SessionCore, Recorder, ManualClock],
) -> None:
    kiosk, screen, _ = core
    asked = asyncio.ensure_future(kiosk.ask(menu()))
    await until(lambda: isinstance(screen.state.view, PromptView))
    groups = []
    for _ in range(4):
        kiosk.key(Key.HASH)
        focus = screen.view.draft.focus
        assert focus is not None
        groups.append(menu().options[focus].group)
    assert groups == ["community", "social", "utilities", "community"]  # wraps: never trapped
    kiosk.key(Key.ENTER)
    assert await asyncio.wait_for(asked, 1) == Answer("feedback", source="keypad")


async def test_speech_heard_for_a_question_no_longer_asked_is_dropped(
    core: tuple[SessionCore, Recorder, ManualClock],
) -> None:
    kiosk, screen, _ = core
    old = menu()
    first = asyncio.ensure_future(kiosk.ask(old))
    await until(lambda: isinstance(screen.state.view, PromptView))
    kiosk.key(Key.DIGIT_1)
    assert await asyncio.wait_for(first, 1) == Answer("feedback", source="keypad")
    second = asyncio.ensure_future(kiosk.ask(typing("digits")))
    await until(lambda: screen.view.prompt.kind is PromptKind.INPUT)
    kiosk.heard(old, Recognition("缴费", "water"))  # a late result of the menu's listening
    assert not second.done() and not any(isinstance(f, Heard) for f in screen.feedback_given)
    kiosk.heard(screen.view.prompt, Recognition("一二三"))
    assert screen.feedback_given[-1] == Heard(screen.view.prompt, HeardOutcome.CONFIRM, "1 2 3")
    kiosk.key(Key.DIGIT_1)  # yes, that is what I said
    assert await asyncio.wait_for(second, 1) == Answer("123", source="voice")


async def test_the_bars_functions_have_keys_on_every_screen(
    core: tuple[SessionCore, Recorder, ManualClock],
) -> None:
    kiosk, screen, clock = core
    staff: list[str] = []
    kiosk.on_call_staff = lambda: staff.append("called")
    kiosk.open(Session(clock))
    asked = asyncio.ensure_future(kiosk.ask(menu()))
    await until(lambda: isinstance(screen.state.view, PromptView))
    kiosk.key(Key.ELDER)
    kiosk.key(Key.CONTRAST)
    assert screen.state.elder and screen.state.high_contrast
    kiosk.key(Key.STAFF)
    assert staff == ["called"] and screen.state.notice == "ui.notice.staff_calling"
    kiosk.key(Key.LANGUAGE)
    assert kiosk.session is not None and kiosk.session.language == "en"
    assert not asked.done()  # none of them answers the question on screen
    kiosk.key(Key.DIGIT_1)  # the notice card is closed by a key, which answers nothing
    assert screen.state.notice is None and not asked.done()
    kiosk.key(Key.DIGIT_1)
    await asyncio.wait_for(asked, 1)
