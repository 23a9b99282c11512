"""`finish`: show the result (without waiting) and end the flow with its `result`."""

from __future__ import annotations

from kiosk.flow.prompt import PromptKind, Sign
from kiosk.flow.schema import FinishStep
from kiosk.flow.steps.context import Finish, StepContext, StepResult

KIND = "finish"


def sign(ctx: StepContext, step: FinishStep) -> Sign:
    """Refused for a failure; pending when a submission of this session is still queued."""
    if step.status == "failure":
        return Sign.REFUSED
    return Sign.PENDING if ctx.session.queued else Sign.SUCCESS


async def execute(ctx: StepContext, step: FinishStep) -> StepResult:
    """Render the result, show it, and end."""
    result = ctx.value(step.result) if step.result else {}
    # taint: a value rendered from personal data stays personal for the caller and any display
    personal = frozenset(k for k, v in (step.result or {}).items() if ctx.reads_personal(v))
    if step.text is not None or ctx.depth == 0:
        # a sub-flow's silent finish hands its result back without a screen of its own
        reference = ctx.render(step.reference) if step.reference else ""
        await ctx.show(
            ctx.prompt(PromptKind.RESULT, waits=False, sign=sign(ctx, step), reference=reference)
        )
    ctx.journal("finished", {"status": step.status})
    return Finish(step.status, dict(result), personal)
