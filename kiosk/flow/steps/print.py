"""`print`: print a receipt template from `flows/receipts/` with the flow's variables."""

from __future__ import annotations

from kiosk.flow.prompt import Event
from kiosk.flow.schema import PrintStep
from kiosk.flow.steps.context import Next, StepContext, StepResult
from kiosk.flow.steps.device import perform

KIND = "print"


async def execute(ctx: StepContext, step: PrintStep) -> StepResult:
    """Print; the receipt template masks personal data itself."""
    params = {"receipt": step.receipt, "variables": ctx.variables, "language": ctx.lang}
    result = await perform(ctx, step, "print", params)
    if isinstance(result, Event):
        return result
    if step.save_as:
        ctx.save(step.save_as, result)
    ctx.journal("printed")
    return Next()
