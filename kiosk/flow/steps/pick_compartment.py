"""`pick_compartment`: the smallest free compartment that fits first, then larger ones."""

from __future__ import annotations

from kiosk.flow.locker import Place
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind, PromptOption
from kiosk.flow.schema import PickCompartmentStep
from kiosk.flow.steps.answers import pick
from kiosk.flow.steps.compartment_place import flag, locker_of, where
from kiosk.flow.steps.context import Next, StepContext, StepFailed, StepResult

KIND = "pick_compartment"


def offered(places: list[Place]) -> list[Place]:
    """The first (smallest) place, then the first of each larger size."""
    shown: list[Place] = []
    sizes: set[str] = set()
    for place in places:
        if place.size not in sizes:
            sizes.add(place.size)
            shown.append(place)
    return shown


async def execute(ctx: StepContext, step: PickCompartmentStep) -> StepResult:
    """Offer compartments that fit; save the one picked."""
    locker = locker_of(ctx)
    size = ctx.render(step.size).strip().upper()
    places = offered(
        await locker.suggest(size, low=flag(ctx, step.low), wheelchair=flag(ctx, step.wheelchair))
    )
    if not places:
        raise StepFailed("locker.no_compartment", f"no free compartment fits {size}")
    error: str | None = None

    def options() -> tuple[PromptOption, ...]:
        found = []
        for key, place in enumerate(places, start=1):
            label = ctx.translate(
                "locker.compartment_option" if key > 1 else "locker.compartment_suggested",
                compartment=place.compartment,
                size=place.size,
                where=where(ctx, place),
            )
            found.append(PromptOption(value=place.compartment, label=label, say=label, key=key))
        return tuple(found)

    def build() -> Prompt:
        text = ctx.text(step.text) or ctx.translate("locker.pick")
        return ctx.prompt(PromptKind.CHOOSE, text=text, say=text, options=options(), error=error)

    while True:
        reply = await ctx.ask(build)
        if isinstance(reply, Event):
            return reply
        chosen = pick(options(), reply.value if isinstance(reply, Answer) else None)
        if chosen is None:
            error = "input.invalid_choice"
            continue
        ctx.save(step.save_as or step.id, chosen.value)
        return Next()
