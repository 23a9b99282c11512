"""`print`: render a receipt template from `flows/receipts/` and print the finished document."""

from __future__ import annotations

from collections.abc import Awaitable

from kiosk.flow.devices import Devices
from kiosk.flow.masked import mask_receipt
from kiosk.flow.prompt import Event
from kiosk.flow.schema import PrintStep
from kiosk.flow.steps.context import Next, StepContext, StepResult
from kiosk.flow.steps.device import run_device

KIND = "print"


async def execute(ctx: StepContext, step: PrintStep) -> StepResult:
    """Print; personal values are masked in every printed text before the printer sees it."""

    def print_receipt(devices: Devices) -> Awaitable[None]:
        # Rendered only once the printer is known to be there: a resident at a broken printer
        # hears that the device is unavailable, not that a template failed.
        receipt = ctx.services.receipts.render(step.receipt, ctx.variables, ctx.lang)
        return devices.printer().print_receipt(mask_receipt(receipt, ctx.session.personal))

    result = await run_device(ctx, step, print_receipt)
    if isinstance(result, Event):
        return result
    if step.save_as:
        ctx.save(step.save_as, {"printed": True})
    ctx.journal("printed")
    return Next()
