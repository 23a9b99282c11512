"""`overdue_parcels`: the parcels a courier is to take back."""

from __future__ import annotations

from kiosk.flow.schema import OverdueParcelsStep
from kiosk.flow.steps.compartment_place import locker_of, place_data
from kiosk.flow.steps.context import Next, StepContext, StepResult

KIND = "overdue_parcels"


async def execute(ctx: StepContext, step: OverdueParcelsStep) -> StepResult:
    """Save `{count, ids, places, compartments}` of the overdue parcels."""
    found = locker_of(ctx).overdue()
    places = [{**place_data(ctx, f.place), "parcel": f.parcel} for f in found]
    ctx.save(
        step.save_as or step.id,
        {
            "count": len(found),
            "ids": [f.parcel for f in found],
            "places": places,
            "compartments": ", ".join(p["compartment"] for p in places),
        },
    )
    return Next()
