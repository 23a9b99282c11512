"""`print`: render a receipt template from `flows/receipts/` and print the finished document."""

from __future__ import annotations

from collections.abc import Awaitable

from kiosk.flow.devices import DeviceKind, Devices
from kiosk.flow.masked import mask_receipt
from kiosk.flow.prompt import Event
from kiosk.flow.schema import PrintStep
from kiosk.flow.steps.context import Next, StepContext, StepResult
from kiosk.flow.steps.device import run_device
from peripherals.printer.receipt import Receipt

KIND = "print"


async def execute(ctx: StepContext, step: PrintStep) -> StepResult:
    """Print; the template masks personal rows and scrubs every text before the printer sees it.

    What a printed QR code is for is said while it prints: a resident who cannot see the paper
    learns there is a code on it and what scanning it does.
    """
    receipt: Receipt | None = None
    # Rendered only once the printer is known to be there: a resident at a broken printer
    # hears that the device is unavailable, not that a template failed.
    if ctx.services.devices.available(DeviceKind.PRINTER):
        receipt = ctx.services.receipts.render(step.receipt, ctx.variables, ctx.lang)
    described = receipt.qr.description if receipt is not None and receipt.qr else ""

    def print_receipt(devices: Devices) -> Awaitable[None]:
        document = receipt or ctx.services.receipts.render(step.receipt, ctx.variables, ctx.lang)
        # every printed text, QR code and barcode masked by the session's personal values
        return devices.printer().print_receipt(mask_receipt(document, ctx.session.personal))

    also = ctx.translate("voice.receipt_qr", description=described) if described else ""
    result = await run_device(ctx, step, print_receipt, also_say=also)
    if isinstance(result, Event):
        return result
    if step.save_as:
        ctx.save(step.save_as, {"printed": True})
    ctx.journal("printed")
    return Next()
