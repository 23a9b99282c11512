"""`retrievable_parcels`: the parcels a courier is to take back (overdue and refused)."""

from __future__ import annotations

from typing import Any

from kiosk.flow.locker import Found
from kiosk.flow.schema import RetrievableParcelsStep
from kiosk.flow.steps.compartment_place import locker_of, place_data
from kiosk.flow.steps.context import Next, StepContext, StepResult

KIND = "retrievable_parcels"


async def execute(ctx: StepContext, step: RetrievableParcelsStep) -> StepResult:
    """Save `{count, ids, places, compartments, overdue, refused}` of the company's parcels to
    take back (`overdue` and `refused`: `{count, compartments}` of each kind)."""
    company = ctx.render(step.company).strip()
    found = await locker_of(ctx).to_retrieve(company) if company else []
    places = [{**place_data(ctx, f.place), "parcel": f.parcel, "refused": f.refused} for f in found]
    ctx.save(
        step.save_as or step.id,
        {
            "count": len(found),
            "ids": [f.parcel for f in found],
            "places": places,
            "compartments": ", ".join(p["compartment"] for p in places),
            "overdue": _kind([f for f in found if not f.refused]),
            "refused": _kind([f for f in found if f.refused]),
        },
    )
    ctx.journal("to_retrieve", {"count": len(found)})
    return Next()


def _kind(found: list[Found]) -> dict[str, Any]:
    return {"count": len(found), "compartments": ", ".join(f.place.compartment for f in found)}
