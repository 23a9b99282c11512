"""The inactivity warning with countdown and "more time"; Escape and window close ignored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from ui_harness import find, frames, tap

from kiosk.clock import ManualClock
from kiosk.flow import asking
from kiosk.flow.prompt import Prompt, PromptKind
from kiosk.flow.session import Session
from kiosk.session.core import SessionCore


async def warned(shell: Any, seconds_left: float) -> None:
    """Let the session's clock run until `seconds_left` remain, and the warning drawn."""
    core = shell.inputs
    core.clock.advance(core.remaining() - seconds_left)
    for _ in range(50):
        await asyncio.sleep(0)
        if shell.timeout_overlay is not None:
            break
    frames()


@pytest.fixture
async def asked(shell: Any) -> AsyncIterator[tuple[Session, asyncio.Future[Any]]]:
    """A session whose info prompt waits 90 s for the resident."""
    core = shell.inputs
    session = Session(core.clock)
    core.open(session)
    info = Prompt(flow="d", step="s", kind=PromptKind.INFO, text="请继续", say="", timeout=90)
    task = asyncio.ensure_future(asking.ask(core, lambda: info, session, core.clock))
    await asyncio.sleep(0)
    frames()
    yield session, task
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_warning_counts_down_and_more_time_extends(
    shell: Any, asked: tuple[Session, asyncio.Future[Any]]
) -> None:
    session, task = asked
    await warned(shell, 31)
    assert shell.timeout_overlay is None
    await warned(shell, 29.5)
    assert shell.timeout_overlay is not None
    assert shell.timeout_overlay.seconds == 30
    shell.inputs.clock.advance(17.3)
    frames()
    assert "13" in shell.timeout_overlay.countdown.text  # 12.2 s left, counted down
    tap(shell, "action.continue")  # covered by the warning: the prompt is not answered...
    assert not task.done()
    assert shell.timeout_overlay is None  # ...but a touch is activity: the warning goes
    assert session.remaining() == pytest.approx(90)
    # more time again and again (ACCESSIBILITY.md item 17: at least 10 times)
    for _ in range(10):
        await warned(shell, 25)
        assert shell.timeout_overlay is not None
        tap(shell, "timeout.more_time")
        assert shell.timeout_overlay is None and session.remaining() == pytest.approx(90)


async def test_warning_survives_a_switch_to_elder_mode(
    shell: Any, asked: tuple[Session, asyncio.Future[Any]]
) -> None:
    await warned(shell, 21)
    shell.inputs.toggle_elder()  # a look switch is no activity of the session's prompt...
    frames()
    assert shell.state.elder
    assert shell.timeout_overlay is None or find(shell, "timeout.more_time").height >= 60
    await warned(shell, 21)  # ...and the warning comes back in the large look
    assert find(shell, "timeout.more_time").height >= 60


def test_warning_comes_at_least_twenty_seconds_early() -> None:
    with pytest.raises(ValueError):
        SessionCore(ManualClock(), warning_lead=10)


def test_escape_and_window_close_are_ignored(window: Any) -> None:
    from kivy.base import EventLoop
    from kivy.config import Config

    from kiosk.ui.lockdown import lock_window

    lock_window(window)
    assert Config.getint("kivy", "exit_on_escape") == 0
    assert window.dispatch("on_request_close") is True
    assert window.dispatch("on_keyboard", 27, 41, None, []) is True
    frames()
    assert EventLoop.status != "stopped"


def test_kiosk_window_options_are_applied_to_the_config() -> None:
    from kivy.config import Config

    from kiosk.ui.lockdown import WindowOptions, configure

    saved = {k: Config.get("graphics", k) for k in ("fullscreen", "borderless", "show_cursor")}
    try:
        configure(WindowOptions())
        assert Config.get("graphics", "fullscreen") == "auto"
        assert Config.get("graphics", "borderless") == "1"
        assert Config.get("graphics", "show_cursor") == "0"
    finally:
        for key, value in saved.items():
            Config.set("graphics", key, value)
