"""Entering the service menu: a maintainer's PIN (argon2, with the growing lock-out) or a
maintainer card on the allow list, read over PC/SC while the PIN is asked."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Mapping
from typing import Any

from kiosk.flow import asking
from kiosk.flow.devices import DeviceError, DeviceKind
from kiosk.flow.inputs import InputRules, InputType
from kiosk.flow.prompt import Prompt, PromptKind
from kiosk.flow.tasks import cancel_and_wait
from kiosk.maintenance.audit import FLOW
from kiosk.maintenance.lockout import LockOut
from kiosk.maintenance.pins import MAX_PIN, MIN_PIN, PinBook
from kiosk.maintenance.roles import Maintainer, Role, card_identity
from kiosk.maintenance.visit import BACK, Leave, Visit

log = logging.getLogger(__name__)

CARD_WAIT = 3600.0
"""Seconds a card read may wait (the visit's own inactivity deadline ends it sooner)."""


async def log_in(visit: Visit) -> Maintainer:
    """Ask for a PIN or a card until a maintainer is recognised; raises `Leave` otherwise."""
    settings = visit.config.maintenance
    lockout = LockOut(
        visit.services.db,
        visit.clock,
        after=settings.lockout_after,
        first=settings.lockout_seconds,
    )
    book = PinBook(settings.pins)
    cards = settings.cards
    reading = bool(cards) and visit.services.devices.available(DeviceKind.SMART_CARD)
    problem: str | None = None
    attempt = 0
    while True:
        attempt += 1
        work = _read_card(visit) if reading else None
        number = attempt
        rebuild = asyncio.Event()
        ticking = asyncio.ensure_future(_tick(visit, lockout, rebuild))
        try:
            reply = await visit.ask(
                lambda n=number, p=problem: _pin_prompt(  # type: ignore[misc]
                    visit, n, p, lockout.remaining()
                ),
                work=work,
                rebuild=rebuild,
            )
        finally:
            await cancel_and_wait([ticking])
        if isinstance(reply, asking.Done):
            who = _card(visit, reply.value, cards, lockout)
            if who is not None:
                return who
            problem, reading = "service.card_refused", False  # the same card would be read again
            continue
        if reply == BACK:
            raise Leave("cancelled")
        locked = lockout.remaining()
        if locked > 0:
            visit.audit.record("login", "login", "locked", method="pin", locked_for=round(locked))
            problem = "service.pin_locked"
            continue
        found = await asyncio.to_thread(book.check, str(reply))
        if found is None:
            failed = await asyncio.to_thread(lockout.failed)  # a commit: off the screen's loop
            visit.audit.record(
                "login",
                "login",
                "wrong_pin",
                method="pin",
                failures=failed.failures,
                locked_for=round(failed.locked_for),
            )
            problem = "service.pin_locked" if failed.locked_for else "service.wrong_pin"
            continue
        await asyncio.to_thread(lockout.succeeded)
        return found


async def _tick(visit: Visit, lockout: LockOut, rebuild: asyncio.Event) -> None:
    """While PINs are locked, build the PIN prompt again each time the whole seconds left
    change, so the countdown on screen ticks down (and goes once the lock-out ends). In voice
    mode only the end is told: a prompt built again is read out again."""
    while (left := lockout.remaining()) > 0:
        voice = visit.core.state.voice
        await visit.clock.sleep(left if voice else left - math.ceil(left) + 1)
        rebuild.set()


def _pin_prompt(visit: Visit, attempt: int, problem: str | None, locked: float) -> Prompt:
    if locked <= 0 and problem == "service.pin_locked":
        problem = None  # the lock-out is over: the next PIN is tried
    text = visit.tr("login.text")
    if locked > 0:
        text = visit.tr("login.locked", seconds=int(locked + 0.999)) + "\n" + text
    title = visit.tr("login.title")
    return Prompt(
        flow=FLOW,
        step=f"login.{attempt}",  # a new question each time: a refused PIN is not kept typed
        kind=PromptKind.INPUT,
        title=title,
        text=text,
        say=f"{title} {text}",
        input=InputRules(
            InputType.SECRET, min_length=MIN_PIN, max_length=MAX_PIN, secret=True, personal=True
        ),
        timeout=visit.timeout,
        can_go_back=False,
        error=problem,
        personal=frozenset({"input"}),
        language=visit.lang,
    )


async def _read_card(visit: Visit) -> dict[str, Any]:
    try:
        return await visit.services.devices.smart_card().read(CARD_WAIT)
    except DeviceError as exc:
        log.info("maintainer card not read: %s", exc.key)
        await asyncio.Event().wait()  # no card: the PIN is the way in (the wait is cancelled)
        raise


def _card(
    visit: Visit, fields: dict[str, Any], cards: Mapping[str, str], lockout: LockOut
) -> Maintainer | None:
    number = str(fields.get("card_number") or "")
    role = cards.get(number)
    if role is None:
        visit.audit.record(
            "login", "login", "card_refused", method="card", who=card_identity(number)
        )
        return None
    lockout.succeeded()
    return Maintainer(Role(role), card_identity(number))
