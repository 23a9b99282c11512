"""Listening is not inactivity, and the key that answers the warning answers nothing else."""

from __future__ import annotations

import asyncio
from typing import Any

from voice_rig import HeldSpeaker, Rig, RigFactory

from kiosk.flow import asking
from kiosk.flow.prompt import Answer, Prompt, PromptKind, PromptOption
from kiosk.flow.session import Session
from peripherals.keypad.keys import Key


def review() -> Prompt:
    """A confirm prompt like a review before submitting, with a 60 s timeout."""
    return Prompt(
        flow="resident-feedback",
        step="review",
        kind=PromptKind.CONFIRM,
        text="请核对",
        say="请核对反馈内容，确认后提交。",
        options=(
            PromptOption("yes", "确认", "确认", 1),
            PromptOption("no", "返回修改", "返回修改", 2),
        ),
        timeout=60,
    )


async def until_session(session: Session, condition: Any) -> None:
    """Wait until `condition()` holds, looking again at each change of the session."""
    changed = asyncio.Event()
    unsubscribe = session.subscribe(lambda _what: changed.set())
    try:
        async with asyncio.timeout(5):
            while not condition():
                changed.clear()
                await changed.wait()
    finally:
        unsubscribe()


def ask(rig: Rig, session: Session) -> asyncio.Future[Any]:
    clock = rig.core.clock
    return asyncio.ensure_future(asking.ask(rig.core, review, session, clock))


async def test_a_question_being_read_out_is_not_inactivity(make_rig: RigFactory) -> None:
    speaker = HeldSpeaker()  # every utterance lasts until released: a very long review
    rig = make_rig(speaker=speaker)
    session = Session(rig.core.clock)
    rig.core.open(session)
    asking_task = ask(rig, session)
    await rig.next_prompt()
    await until_session(session, lambda: session.held)
    rig.core.clock.advance(200)  # far past the timeout and the warning, while it is read out
    await asyncio.sleep(0)
    assert rig.core.state.warning is None and not asking_task.done()
    speaker.release()  # the question has been heard to the end: the clock starts now
    await until_session(session, lambda: not session.held)
    assert session.remaining() == 60
    rig.core.clock.advance(29)
    await asyncio.sleep(0)
    assert rig.core.state.warning is None
    rig.core.clock.advance(2)
    await rig.until(lambda state: state.warning is not None)
    await rig.hear_said("秒后将退出")
    rig.press(Key.CANCEL)  # gives more time
    await rig.until(lambda state: state.warning is None)
    asking_task.cancel()
    await asyncio.gather(asking_task, return_exceptions=True)


async def test_the_key_that_answers_the_warning_does_not_answer_the_question(
    make_rig: RigFactory,
) -> None:
    rig = make_rig()
    session = Session(rig.core.clock)
    rig.core.open(session)
    asking_task = ask(rig, session)
    await rig.next_prompt()
    await until_session(session, lambda: not session.held)  # read out
    rig.core.clock.advance(35)
    await rig.until(lambda state: state.warning is not None)
    await rig.hear_said("秒后将退出")
    await rig.hear_said("按任意键继续")
    rig.press(Key.ENTER)  # "press any key": ENTER here must not submit the review
    assert "请继续办理" in await rig.hear_said("请继续办理")
    assert rig.core.state.warning is None and not asking_task.done()
    assert session.remaining() == 60
    rig.press(Key.ENTER)  # now it confirms
    assert await asyncio.wait_for(asking_task, 5) == Answer("yes", source="keypad")


async def test_outside_voice_mode_the_warning_is_a_tone(make_rig: RigFactory) -> None:
    rig = make_rig(voice=False)
    session = Session(rig.core.clock)
    rig.core.open(session)
    asking_task = ask(rig, session)
    await rig.next_prompt()
    rig.core.clock.advance(35)
    await rig.until(lambda state: state.warning is not None)
    await asyncio.to_thread(rig.speaker.wait_idle, 5)
    played = rig.speaker.simulator.spoken
    assert [u.tone for u in played] == [True]  # a beep for who cannot see the screen
    asking_task.cancel()
    await asyncio.gather(asking_task, return_exceptions=True)
