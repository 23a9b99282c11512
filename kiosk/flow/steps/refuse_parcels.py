"""`refuse_parcels`: after a pickup code, collect every parcel found or refuse some (拒收)."""

from __future__ import annotations

from typing import Any

from kiosk.flow.locker import LockerError, courier_name
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind, PromptOption
from kiosk.flow.schema import RefuseParcelsStep
from kiosk.flow.steps.answers import pick, yes_no, yes_no_options
from kiosk.flow.steps.compartment_place import failed, locker_of
from kiosk.flow.steps.context import Next, StepContext, StepFailed, StepResult
from kiosk.flow.steps.find_parcels import found_data

KIND = "refuse_parcels"

COLLECT = "collect"


def options(ctx: StepContext, places: list[dict[str, Any]]) -> tuple[PromptOption, ...]:
    """Collect them all (key 1), then refuse each parcel by its compartment."""
    collect = ctx.translate("locker.collect_all", count=len(places))
    result = [PromptOption(value=COLLECT, label=collect, say=collect, key=1)]
    for key, place in enumerate(places, start=2):
        names = {
            "compartment": place["compartment"],
            "company": courier_name(ctx.services.texts, place["company"], ctx.lang),
            "tail": place["waybill_tail"],
        }
        label = ctx.translate("locker.refuse_option", **names)  # short: one line on a button
        say = ctx.translate("locker.refuse_option_say", **names)
        result.append(PromptOption(value=place["compartment"], label=label, say=say, key=key))
    return tuple(result)


async def execute(ctx: StepContext, step: RefuseParcelsStep) -> StepResult:
    """Ask until the resident collects; each refusal, once confirmed, is recorded at once and
    the parcel left out of `found` (its door stays shut, its fee no longer counts)."""
    locker = locker_of(ctx)
    found = ctx.variables.get(step.found)
    if not isinstance(found, dict) or not isinstance(found.get("places"), list):
        raise StepFailed("locker.nothing_to_release", f"no parcels found in {step.found!r}")
    places: list[dict[str, Any]] = list(found["places"])
    refused: list[str] = list(found.get("refused") or [])
    error: str | None = None

    def build() -> Prompt:
        if step.text is not None:
            text = ctx.text(step.text)
        else:
            text = ctx.translate("locker.refuse", count=len(places))
        if refused:
            so_far = ", ".join(refused)
            count = len(refused)
            text = ctx.translate("locker.refused_so_far", compartments=so_far, count=count) + text
        return ctx.prompt(
            PromptKind.CHOOSE, text=text, say=text, options=options(ctx, places), error=error
        )

    while places:
        reply = await ctx.ask(build)
        if isinstance(reply, Event):
            return reply
        chosen = pick(options(ctx, places), reply.value if isinstance(reply, Answer) else None)
        if chosen is None:
            error = "input.invalid_choice"
            ctx.journal("invalid:" + error)
            continue
        if chosen.value == COLLECT:
            break
        place = next(p for p in places if p["compartment"] == chosen.value)
        sure = await _confirmed(ctx, place)
        if isinstance(sure, Event):
            return sure
        if not sure:
            ctx.journal("declined")
            continue
        try:
            await locker.refuse(str(place["parcel"]))
        except LockerError as exc:
            ctx.journal(f"refused:{exc.key}")
            raise failed(exc) from exc
        places.remove(place)
        refused.append(place["compartment"])
        error = None
        ctx.journal("parcel_refused", {"compartment": place["compartment"]})
    ctx.save(step.found, found_data(places, refused))
    return Next()


async def _confirmed(ctx: StepContext, place: dict[str, Any]) -> bool | Event:
    """Yes to refuse the parcel (it cannot be undone), no to go back to the list."""
    text = ctx.translate(
        "locker.refuse_confirm",
        compartment=place["compartment"],
        company=courier_name(ctx.services.texts, place["company"], ctx.lang),
        tail=place["waybill_tail"],
    )
    error: str | None = None
    # a choice, not a review: its two buttons say what each does
    choices = yes_no_options(ctx.translate("locker.refuse_yes"), ctx.translate("locker.refuse_no"))

    def build() -> Prompt:
        return ctx.prompt(PromptKind.CHOOSE, text=text, say=text, options=choices, error=error)

    while True:
        reply = await ctx.ask(build)
        if isinstance(reply, Event):
            return reply
        value = reply.value if isinstance(reply, Answer) else None
        chosen = pick(choices, value)
        decision = chosen.value == "yes" if chosen is not None else yes_no(value)
        if decision is not None:
            return decision
        error = "input.invalid_choice"
