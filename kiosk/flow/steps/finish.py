"""`finish`: show the result (without waiting) and end the flow with its `result`."""

from __future__ import annotations

from kiosk.flow.prompt import PromptKind
from kiosk.flow.schema import FinishStep
from kiosk.flow.steps.context import Finish, StepContext, StepResult

KIND = "finish"


async def execute(ctx: StepContext, step: FinishStep) -> StepResult:
    """Render the result, show it, and end."""
    result = ctx.value(step.result) if step.result else {}
    # taint: a value rendered from personal data stays personal for the caller and any display
    personal = frozenset(k for k, v in (step.result or {}).items() if ctx.reads_personal(v))
    if step.text is not None or ctx.depth == 0:
        # a sub-flow's silent finish hands its result back without a screen of its own
        await ctx.show(ctx.prompt(PromptKind.RESULT, waits=False))
    ctx.journal("finished", {"status": step.status})
    return Finish(step.status, dict(result), personal)
