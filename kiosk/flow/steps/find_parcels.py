"""`find_parcels`: a pickup code typed or scanned; every parcel of that recipient."""

from __future__ import annotations

import re
from typing import Any

from kiosk.flow.locker import LockerError
from kiosk.flow.prompt import Answer, Event
from kiosk.flow.schema import FindParcelsStep
from kiosk.flow.steps.compartment_place import failed, hours, locker_of, place_data
from kiosk.flow.steps.context import Next, StepContext, StepResult
from kiosk.flow.steps.device import run_device

KIND = "find_parcels"

_CODE = re.compile(r"(?:PICKUP:[A-Za-z0-9._-]+:)?(\d{6})")


def code_of(text: str) -> str | None:
    """The 6-digit code in what was typed or scanned (a notice's QR: `PICKUP:TERMINAL:CODE`)."""
    matched = _CODE.fullmatch(text.strip())
    return matched[1] if matched else None


async def execute(ctx: StepContext, step: FindParcelsStep) -> StepResult:
    """Wait for a code until one finds parcels; too many wrong ones end the flow."""
    locker = locker_of(ctx)
    error: str | None = None
    while True:
        result = await run_device(ctx, step, lambda devices: devices.scanner().scan(), error=error)
        if isinstance(result, Event):
            return result
        code = code_of(str(result.value if isinstance(result, Answer) else result))
        if code is None:
            error = "locker.wrong_code"
            ctx.journal("invalid:" + error)
            continue
        try:
            found = await locker.find(code)
        except LockerError as exc:
            ctx.journal(f"refused:{exc.key}")
            if exc.key != "locker.wrong_code":
                raise failed(exc) from exc
            error = exc.key
            continue
        places = [
            {
                **place_data(ctx, f.place),
                "parcel": f.parcel,
                "company": f.company,
                "waybill_tail": f.waybill_tail,
                "fee": f.fee,
                "free_hours": hours(f.storage_hours),
            }
            for f in found
        ]
        ctx.save(step.save_as or step.id, found_data(places))
        ctx.journal("found", {"count": len(found)})
        return Next()


def found_data(places: list[dict[str, Any]], refused: list[str] | None = None) -> dict[str, Any]:
    """The saved `{count, ids, fee, free_hours, places, compartments, refused}` of these
    parcels' places (`free_hours`: of the parcels a fee is due for, else of all)."""
    charged = [p for p in places if p["fee"] > 0] or places
    return {
        "count": len(places),
        "ids": [p["parcel"] for p in places],
        "fee": sum(p["fee"] for p in places),
        "free_hours": min((p["free_hours"] for p in charged), default=0),
        "places": places,
        "compartments": ", ".join(p["compartment"] for p in places),
        "refused": refused or [],
    }
