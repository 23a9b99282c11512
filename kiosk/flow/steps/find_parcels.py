"""`find_parcels`: a pickup code typed or scanned; every parcel of that recipient."""

from __future__ import annotations

import re

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
            found = locker.find(code)
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
                "fee": f.fee,
                "free_hours": hours(f.storage_hours),
            }
            for f in found
        ]
        # the free period told with a fee: that of the parcels the fee is for
        charged = [f for f in found if f.fee > 0] or found
        ctx.save(
            step.save_as or step.id,
            {
                "count": len(found),
                "ids": [f.parcel for f in found],
                "fee": sum(f.fee for f in found),
                "free_hours": hours(min(f.storage_hours for f in charged)),
                "places": places,
                "compartments": ", ".join(p["compartment"] for p in places),
            },
        )
        ctx.journal("found", {"count": len(found)})
        return Next()
