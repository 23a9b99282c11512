"""The inactivity warning with countdown and "more time"; Escape and window close ignored."""

from __future__ import annotations

from typing import Any

import pytest
from ui_harness import find, frames, tap

from kiosk.flow.prompt import Prompt, PromptKind


class Deadline:
    """A session deadline the test moves by hand (the coordinator uses Session.touch())."""

    def __init__(self, left: float) -> None:
        self.left = left
        self.extended = 0

    def remaining(self) -> float:
        return self.left

    def touch(self) -> None:
        self.extended += 1
        self.left = 120.0


def test_warning_counts_down_and_more_time_extends(shell: Any) -> None:
    shell.show_prompt(
        Prompt(flow="d", step="s", kind=PromptKind.INFO, text="请继续", say=""), lambda _r: None
    )
    deadline = Deadline(90.0)
    shell.watch_deadline(deadline.remaining, deadline.touch, warn_before=30)
    frames()
    assert shell.timeout_overlay is None
    deadline.left = 29.5
    frames()
    assert shell.timeout_overlay is not None
    assert shell.timeout_overlay.seconds == 30
    deadline.left = 12.2
    frames()
    assert "13" in shell.timeout_overlay.countdown.text
    tap(shell, "action.continue")  # covered by the warning: nothing happens underneath
    assert deadline.extended == 0
    tap(shell, "timeout.more_time")
    assert deadline.extended == 1
    frames()
    assert shell.timeout_overlay is None
    # extension works again and again (ACCESSIBILITY.md item 17: at least 10 times)
    for _ in range(10):
        deadline.left = 25.0
        frames()
        tap(shell, "timeout.more_time")
    assert deadline.extended == 11


def test_warning_survives_a_switch_to_elder_mode(shell: Any) -> None:
    deadline = Deadline(21.0)
    shell.watch_deadline(deadline.remaining, deadline.touch)
    frames()
    shell.toggle_elder()
    frames()
    assert shell.timeout_overlay is not None
    assert find(shell, "timeout.more_time").height >= 60


def test_warning_comes_at_least_twenty_seconds_early(shell: Any) -> None:
    with pytest.raises(ValueError):
        shell.watch_deadline(lambda: 100.0, lambda: None, warn_before=10)


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
