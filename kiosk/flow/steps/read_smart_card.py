"""`read_smart_card`: wait for a social security card and read it into the vault."""

from __future__ import annotations

from kiosk.flow.prompt import Answer, Event
from kiosk.flow.schema import ReadSmartCardStep
from kiosk.flow.steps.context import Next, StepContext, StepResult
from kiosk.flow.steps.device import kept, run_device

KIND = "read_smart_card"


async def execute(ctx: StepContext, step: ReadSmartCardStep) -> StepResult:
    """Read the card and keep the declared fields (personal data, in the vault)."""
    result = await run_device(ctx, step, lambda devices: devices.smart_card().read())
    if isinstance(result, Event):
        return result
    card = kept(result.value if isinstance(result, Answer) else result, step.fields)
    ctx.save(step.save_as or step.id, card, personal=True)
    ctx.journal("card_read")
    return Next()
