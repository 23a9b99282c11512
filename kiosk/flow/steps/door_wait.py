"""Waiting for opened compartment doors to be closed: a reminder, then an alarm."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

import msgspec

from kiosk.flow.prompt import Event, Prompt
from kiosk.flow.steps.context import Done, StepContext


async def until_closed(
    ctx: StepContext,
    build: Callable[[str | None], Prompt],
    closing: Callable[[], Awaitable[Any]],
    reminder: float,
) -> Literal["closed", "alarm"]:
    """Ask `build(error)` while `closing()` waits for the doors: `closed` once it returns. A
    door still open `reminder` seconds on is reminded of aloud (`locker.close_door`), and
    `alarm` is returned after as long again. Going back or cancelling cannot close a door:
    the reminder is given instead."""
    state: dict[str, str | None] = {"error": None}
    reminded = False

    def prompt() -> Prompt:
        return msgspec.structs.replace(build(state["error"]), timeout=reminder)

    while True:
        reply = await ctx.ask(prompt, closing())
        if isinstance(reply, Done):
            return "closed"
        if reply is Event.TIMEOUT:
            if reminded:
                return "alarm"
            reminded = True
        state["error"] = "locker.close_door"
        ctx.journal("door_reminder")
