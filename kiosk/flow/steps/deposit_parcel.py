"""`deposit_parcel`: open a compartment for the courier, see it closed, record, notify."""

from __future__ import annotations

from kiosk.flow.locker import LockerError, NewParcel, Opening
from kiosk.flow.prompt import Prompt, PromptKind
from kiosk.flow.schema import DepositParcelStep
from kiosk.flow.steps.accept_item import refuse_item
from kiosk.flow.steps.compartment_place import (
    failed,
    flag,
    hours,
    locker_of,
    place_data,
    where,
)
from kiosk.flow.steps.context import Next, StepContext, StepResult
from kiosk.flow.steps.door_wait import until_closed
from kiosk.languages import join_sentences

KIND = "deposit_parcel"


async def execute(ctx: StepContext, step: DepositParcelStep) -> StepResult:
    """Refuse what the locker refuses; open (moving on from a jammed door), wait for the door
    to close, record the parcel and queue the recipient's notice."""
    locker = locker_of(ctx)
    refuse_item(ctx, ctx.render(step.item).strip())  # again: a flow may not ask first
    parcel = NewParcel(
        waybill=ctx.render(step.waybill).strip(),
        company=ctx.render(step.company).strip(),
        phone=ctx.render(step.phone).strip(),
        courier=ctx.render(step.courier).strip(),
        elder=flag(ctx, step.elder),
    )
    busy = ctx.translate("locker.opening", count=1)
    await ctx.show(ctx.prompt(PromptKind.BUSY, text=busy, say=busy, waits=False))
    try:
        opening = await locker.deposit(ctx.render(step.compartment).strip(), parcel)
    except LockerError as exc:
        raise failed(exc) from exc

    def build(error: str | None) -> Prompt:
        text = door_text(ctx, opening)
        return ctx.prompt(
            PromptKind.DEVICE_WAIT, text=text, say=text, device="lock_board", error=error
        )

    ended = await until_closed(
        ctx, build, lambda: locker.closed(opening), locker.rules.door_reminder
    )
    if ended == "alarm":
        # Never a lost parcel: it is recorded where it is, and the open door is an alarm.
        await locker.alarm(opening, "door left open after a deposit")
    try:
        await locker.record_deposit(opening)
    except LockerError as exc:
        raise failed(exc) from exc
    ctx.save(
        step.save_as or step.id,
        {
            "parcel": opening.parcel,
            "moved_from": opening.moved_from,
            "free_hours": hours(opening.storage_hours),
            **place_data(ctx, opening.place),
        },
    )
    ctx.journal("deposited", {"compartment": opening.place.compartment})
    return Next()


def door_text(ctx: StepContext, opening: Opening) -> str:
    """What the courier is told: which door is open (and why not the one chosen)."""
    text = ctx.translate(
        "locker.deposit_open",
        compartment=opening.place.compartment,
        where=where(ctx, opening.place),
    )
    if opening.moved_from:
        moved = ctx.translate(
            "locker.moved", old=opening.moved_from, compartment=opening.place.compartment
        )
        text = join_sentences((moved, text))
    return text
