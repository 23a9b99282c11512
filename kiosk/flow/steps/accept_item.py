"""`accept_item`: refuse at once an item kind the locker does not take (fresh, valuable,
damaged...), before the courier goes on with the parcel."""

from __future__ import annotations

from kiosk.flow.schema import AcceptItemStep
from kiosk.flow.steps.compartment_place import locker_of
from kiosk.flow.steps.context import Next, StepContext, StepFailed, StepResult

KIND = "accept_item"


def refuse_item(ctx: StepContext, item: str) -> None:
    """`locker.refused_item` for an item kind the locker's configuration refuses (journaled)."""
    if item in locker_of(ctx).rules.refused_items:
        ctx.journal("refused_item", {"item": item})
        raise StepFailed("locker.refused_item", item)


async def execute(ctx: StepContext, step: AcceptItemStep) -> StepResult:
    """Go on with an item the locker takes; fail with `locker.refused_item` otherwise."""
    refuse_item(ctx, ctx.render(step.item).strip())
    return Next()
