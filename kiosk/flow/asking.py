"""Asking the resident: a prompt races the inactivity deadline, a language switch and device work.

One implementation for every question the kiosk asks, the steps of a flow (`StepContext.ask`)
and the session's own service menu alike: the renderer's answer wins over anything that happens
at the same moment; the deadline is the session's (each answer or tap pushes it back); a language
switch, or any other reason the caller gives, builds the prompt again; help is shown, then the
question is asked again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from kiosk.flow.prompt import Answer, Event, Prompt, Renderer
from kiosk.flow.services import Clock
from kiosk.flow.session import Session
from kiosk.flow.tasks import cancel_and_wait, first_of, settled


class Done(msgspec.Struct, frozen=True):
    """The device work a waiting prompt was racing completed first, with this value."""

    value: Any


class Rebuild:
    """The prompt must be built again (the language was switched, or the caller asked)."""


async def until_deadline(session: Session, clock: Clock) -> None:
    """Return once the session has been inactive for the waiting prompt's timeout.

    The deadline moves with activity; while it is held (a question being read out) it waits.
    """
    # a bare future rather than an `asyncio.Event` and a task waiting on it: one task fewer
    # for every question asked (a new future once it is set, as an event would be cleared)
    loop = asyncio.get_running_loop()
    moved: asyncio.Future[None] = loop.create_future()

    def changed(what: str) -> None:
        if what in ("activity", "deadline") and not moved.done():
            moved.set_result(None)

    unsubscribe = session.subscribe(changed)
    try:
        while True:
            if moved.done():
                moved = loop.create_future()
            deadline = session.deadline
            if deadline is None:
                return
            if session.held:
                await moved
                continue
            remaining = deadline - clock.now()
            if remaining <= 0:
                return
            await first_of(clock.sleep(remaining), moved)
    finally:
        unsubscribe()


async def race(
    renderer: Renderer,
    prompt: Prompt,
    session: Session,
    clock: Clock,
    *,
    work: asyncio.Future[Any] | None = None,
    rebuild: asyncio.Event | None = None,
) -> Answer | Event | Done | Rebuild:
    """Ask `prompt` once: the answer, `Event.TIMEOUT`, `Done(work's value)` or `Rebuild`.

    `rebuild` (an event the caller sets) and a language switch end the wait with `Rebuild`;
    `work` is left running for the next round when something else came first.
    """
    session.timeout = prompt.timeout
    # a language switch resolves a bare future (no task waiting on an event), unless the
    # caller's own `rebuild` event is to be waited for as well
    switched: asyncio.Future[Any]
    if rebuild is None:
        switched = asyncio.get_running_loop().create_future()

        def listener(what: str) -> None:
            if what == "language" and not switched.done():
                switched.set_result(True)

    else:
        asked = rebuild
        switched = asyncio.ensure_future(asked.wait())

        def listener(what: str) -> None:
            if what == "language":
                asked.set()

    unsubscribe = session.subscribe(listener)
    timer = asyncio.ensure_future(until_deadline(session, clock))
    asking = asyncio.ensure_future(renderer.ask(prompt))
    mine = (timer, switched, asking)
    waiting: set[asyncio.Future[Any]] = set(mine)
    if work is not None:
        waiting.add(work)
    try:
        done = await settled(waiting)
    finally:
        unsubscribe()
        await cancel_and_wait(mine)
    # The resident's own answer wins over anything that happened at the same moment.
    if asking in done:
        return asking.result()
    if work is not None and work in done:
        return Done(work.result())
    if timer in done:
        return Event.TIMEOUT
    if rebuild is not None:
        rebuild.clear()
    return Rebuild()


async def _help(
    renderer: Renderer,
    help_prompt: Callable[[], Prompt],
    session: Session,
    clock: Clock,
    work: asyncio.Future[Any] | None,
    rebuild: asyncio.Event | None,
) -> Event | Done | None:
    """Ask the help prompt until the resident is done with it: None to ask the question again,
    or what ends the question instead (cancel, a timeout, the device's work done)."""
    while True:
        reply = await race(renderer, help_prompt(), session, clock, work=work, rebuild=rebuild)
        if isinstance(reply, Rebuild):
            continue
        if isinstance(reply, Done) or reply in (Event.CANCEL, Event.TIMEOUT):
            return reply
        session.touch()
        return None


async def ask(
    renderer: Renderer,
    build: Callable[[], Prompt],
    session: Session,
    clock: Clock,
    *,
    work: Awaitable[Any] | None = None,
    help_prompt: Callable[[], Prompt] | None = None,
    on_help: Callable[[], None] | None = None,
    rebuild: asyncio.Event | None = None,
) -> Answer | Event | Done:
    """Ask until the resident answers, goes back, cancels or times out.

    `build` makes the prompt; it is called again after a language switch, after `rebuild` is
    set and after help: `help_prompt()` is asked (it stays until the resident continues, goes
    back, cancels or times out; `on_help()` is told), then the question is asked again;
    without `help_prompt` HELP is returned. `work` (a device action) races the resident: when
    it completes first, `Done` is returned. Every answer counts as activity.
    """
    work_task = asyncio.ensure_future(work) if work is not None else None
    try:
        while True:
            reply = await race(renderer, build(), session, clock, work=work_task, rebuild=rebuild)
            if isinstance(reply, Rebuild):
                continue
            if reply is Event.HELP and help_prompt is not None:
                session.touch()
                if on_help is not None:
                    on_help()
                helped = await _help(renderer, help_prompt, session, clock, work_task, rebuild)
                if helped is not None:
                    return helped
                continue
            if not isinstance(reply, Done) and reply is not Event.TIMEOUT:
                session.touch()
            return reply
    finally:
        session.timeout = None
        if work_task is not None:
            await cancel_and_wait([work_task])
