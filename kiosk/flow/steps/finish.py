"""`finish`: show the result (without waiting) and end the flow with its `result`."""

from __future__ import annotations

from kiosk.flow.prompt import PromptKind
from kiosk.flow.schema import FinishStep
from kiosk.flow.steps.context import Finish, StepContext, StepResult

KIND = "finish"


async def execute(ctx: StepContext, step: FinishStep) -> StepResult:
    """Render the result, show it, and end."""
    result = ctx.value(step.result) if step.result else {}
    await ctx.show(ctx.prompt(PromptKind.RESULT, waits=False))
    ctx.journal("finished", {"status": step.status})
    return Finish(step.status, dict(result))
