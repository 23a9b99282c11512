"""`release_parcels`: open each parcel's door, say where it is, record it taken, then wait for
the doors to be closed (a reminder, then an alarm)."""

from __future__ import annotations

import asyncio

from kiosk.flow.locker import LockerError, Opening
from kiosk.flow.prompt import Prompt, PromptKind
from kiosk.flow.schema import ReleaseParcelsStep
from kiosk.flow.steps.compartment_place import failed, locker_of, where
from kiosk.flow.steps.context import Next, StepContext, StepFailed, StepResult
from kiosk.flow.steps.door_wait import until_closed
from kiosk.languages import join_sentences

KIND = "release_parcels"


async def execute(ctx: StepContext, step: ReleaseParcelsStep) -> StepResult:
    """Record the fee paid, open every door (a jammed one is reported, the rest still open),
    then wait for them all to be closed."""
    locker = locker_of(ctx)
    ids = ctx.value(step.parcels)
    if not isinstance(ids, list) or not ids:
        raise StepFailed("locker.nothing_to_release", "no parcels given")
    paid = ctx.value(step.paid) if isinstance(step.paid, str) else step.paid
    if paid:
        await locker.pay([str(i) for i in ids], int(paid))
    busy = ctx.translate("locker.opening", count=len(ids))
    await ctx.show(ctx.prompt(PromptKind.BUSY, text=busy, say=busy, waits=False))
    opened: list[Opening] = []
    jammed: list[str] = []
    for parcel in ids:
        try:
            opened.append(await locker.release(str(parcel), step.action))
        except LockerError as exc:
            ctx.journal(f"refused:{exc.key}")
            if exc.key != "locker.jammed":
                raise failed(exc) from exc
            jammed.append(exc.detail)
    if not opened:
        raise StepFailed("locker.jammed", ", ".join(jammed))

    def build(error: str | None) -> Prompt:
        parts = [
            ctx.translate(
                _opened_key(step.action, o),
                compartment=o.place.compartment,
                where=where(ctx, o.place),
            )
            for o in opened
        ]
        stuck = f"locker.release_jammed_{step.action}"
        parts += [ctx.translate(stuck, compartment=c) for c in jammed]
        parts.append(ctx.translate(f"locker.take_and_close_{step.action}", count=len(opened)))
        text = join_sentences(parts)
        return ctx.prompt(
            PromptKind.DEVICE_WAIT, text=text, say=text, device="lock_board", error=error
        )

    async def all_closed() -> None:
        await asyncio.gather(*(locker.closed(o) for o in opened))

    ended = await until_closed(ctx, build, all_closed, locker.rules.door_reminder)
    if ended == "alarm":
        for opening in opened:
            await locker.alarm(opening, f"door left open after a {step.action}")
    ctx.save(
        step.save_as or step.id,
        {
            "count": len(opened),
            "compartments": ", ".join(o.place.compartment for o in opened),
            "jammed": jammed,
            "door_alarm": ended == "alarm",
        },
    )
    ctx.journal("released", {"count": len(opened), "jammed": len(jammed)})
    return Next()


def _opened_key(action: str, opening: Opening) -> str:
    """What an opened door is said as: a courier taking parcels back hears which were refused
    by their recipients and which were overdue (the only two kinds taken back)."""
    if action != "retrieve":
        return "locker.release_open"
    return "locker.release_open_refused" if opening.refused else "locker.release_open_overdue"
