"""`call`: run another flow with a child scope and save what its `finish` returns."""

from __future__ import annotations

from kiosk.flow.prompt import Event
from kiosk.flow.schema import CallStep
from kiosk.flow.steps.context import Next, StepContext, StepFailed, StepResult

KIND = "call"


async def execute(ctx: StepContext, step: CallStep) -> StepResult:
    """Cancel, timeout and back propagate; a failed sub-flow fails this step.

    A result holding any personal value of the sub-flow is kept in the vault.
    """
    values = {name: ctx.value(value) for name, value in step.with_.items()}
    personal = [name for name, value in step.with_.items() if ctx.reads_personal(value)]
    scope = ctx.session.open_scope(values, personal)
    try:
        end = await ctx.subflows.run_subflow(ctx, step.flow, scope)
        # Asked before the sub-flow's scope, and the values it knows, are wiped.
        carries = ctx.session.personal.found_in(end.result)
    finally:
        ctx.session.close_scope(scope)
    match end.status:
        case "finished":
            ctx.save(step.save_as or step.id, end.result, personal=carries)
            return Next()
        case "cancelled":
            return Event.CANCEL
        case "timeout":
            return Event.TIMEOUT
        case "back":
            return Event.BACK
    raise StepFailed(end.error or "flow.subflow_failed", f"sub-flow {step.flow} failed")
