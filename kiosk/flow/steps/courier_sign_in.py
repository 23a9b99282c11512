"""`courier_sign_in`: a courier's code checked by the courier back office, or a courier card
read over PC/SC meanwhile (where the locker has a card reader); lock-out on misses."""

from __future__ import annotations

import logging

from kiosk.flow.devices import DeviceError, DeviceKind
from kiosk.flow.inputs import InputRules, InputType
from kiosk.flow.locker import LockerError
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.flow.schema import CourierSignInStep
from kiosk.flow.steps.compartment_place import failed, locker_of
from kiosk.flow.steps.context import Done, Next, StepContext, StepResult

log = logging.getLogger(__name__)

KIND = "courier_sign_in"

RULES = InputRules(
    input_type=InputType.DIGITS, min_length=6, max_length=12, secret=True, personal=False
)

CARD_WAIT = 3600.0
"""Seconds a card read may wait (the step's inactivity deadline ends it sooner)."""


async def execute(ctx: StepContext, step: CourierSignInStep) -> StepResult:
    """Ask for the code, reading a courier card meanwhile, until one is accepted; too many
    misses end the flow (`locker.courier_locked_out`)."""
    locker = locker_of(ctx)
    reading = ctx.services.devices.available(DeviceKind.SMART_CARD)
    error: str | None = None

    def build() -> Prompt:
        default = "locker.sign_in_card" if reading else "locker.sign_in"
        text = ctx.text(step.text) or ctx.translate(default)
        return ctx.prompt(
            PromptKind.INPUT,
            text=text,
            say=text,
            input=RULES,
            error=error,
            device=DeviceKind.SMART_CARD.value if reading else None,
        )

    while True:
        reply = await ctx.ask(build, _card(ctx) if reading else None)
        if isinstance(reply, Event):
            return reply
        try:
            if isinstance(reply, Done):
                if not reply.value:
                    error, reading = "locker.card_unreadable", False
                    continue
                courier = await locker.sign_in_card(str(reply.value))
            else:
                code = str(reply.value if isinstance(reply, Answer) else "").strip()
                courier = await locker.sign_in(code)
        except LockerError as exc:
            ctx.journal(f"refused:{exc.key}")
            if exc.key not in ("locker.courier_refused", "locker.card_refused"):
                raise failed(exc) from exc
            error = exc.key
            # the same card would be read again at once: the code is the way in now
            reading = reading and exc.key != "locker.card_refused"
            continue
        ctx.save(step.save_as or step.id, courier)
        ctx.journal("signed_in", {"method": "card" if isinstance(reply, Done) else "code"})
        return Next()


CARD_TRIES = 3
"""Card reads begun again after the card left mid-read (pulled out too soon), then given up."""


async def _card(ctx: StepContext) -> str:
    """A card's number, or "" when no card could be read (the code is still asked)."""
    for _ in range(CARD_TRIES):
        try:
            return await ctx.services.devices.smart_card().card_number(CARD_WAIT)
        except DeviceError as exc:
            log.info("courier card not read: %s", exc.key)
            if exc.key != "smart_card.removed":
                break
    return ""
