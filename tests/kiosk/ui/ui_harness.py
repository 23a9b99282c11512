"""Helpers to drive the real Kivy window in tests: frames, finding widgets, simulated taps."""

from __future__ import annotations

from typing import Any

from peripherals.id_card.id_number import check_character


def frames(count: int = 2) -> None:
    """Run `count` Kivy frames: clock, input, layout and drawing."""
    from kivy.base import EventLoop

    for _ in range(count):
        EventLoop.idle()


def find(root: Any, kiosk_id: str) -> Any:
    """The widget with this `kiosk_id` under `root` (fails the test if absent)."""
    for widget in root.walk(restrict=True):
        if getattr(widget, "kiosk_id", None) == kiosk_id:
            return widget
    raise AssertionError(f"no widget {kiosk_id!r} on screen")


def tap(root: Any, kiosk_id: str) -> None:
    """Touch down and up in the middle of the widget with this id, then run frames."""
    from kivy.tests.common import UnitTestTouch

    widget = find(root, kiosk_id)
    frames(1)  # layout first, so the widget has its real position
    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()
    frames(2)


def type_keys(root: Any, keys: str) -> None:
    """Tap keypad keys one by one (`key.<k>` ids)."""
    for key in keys:
        tap(root, f"key.{key}")


def ask_task(shell: Any, prompt: Any) -> Any:
    """Ask `prompt` through the shell's session core as a task (on screen next loop turn)."""
    import asyncio

    return asyncio.ensure_future(shell.inputs.ask(prompt))


async def shown(shell: Any, prompt: Any) -> Any:
    """Put `prompt` on screen waiting for an answer; the task of its asking."""
    import asyncio

    task = ask_task(shell, prompt)
    await asyncio.sleep(0)
    frames()
    return task


def typed(shell: Any) -> str:
    """The answer in progress on screen (typed text)."""
    view = shell.view_prompt
    assert view is not None, "no prompt on screen"
    return str(view.draft.typed)


def make_id_number(region: str = "110105", birth: str = "19491231", seq: str = "002") -> str:
    """An invented resident ID number with a valid GB 11643 check character."""
    body = region + birth + seq
    return body + check_character(body)


def texts_on_screen(root: Any) -> list[str]:
    """Every label text under `root` (buttons included)."""
    from kivy.uix.label import Label

    return [w.text for w in root.walk(restrict=True) if isinstance(w, Label)]
