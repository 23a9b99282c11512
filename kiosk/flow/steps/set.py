"""`set`: set variables from templates; a value reading personal data stays in the vault."""

from __future__ import annotations

from kiosk.flow.schema import SetStep
from kiosk.flow.steps.context import Next, StepContext, StepResult

KIND = "set"


async def execute(ctx: StepContext, step: SetStep) -> StepResult:
    """Render every value, then store them all."""
    rendered = {name: ctx.value(value) for name, value in step.values.items()}
    for name, value in rendered.items():
        ctx.save(name, value, personal=ctx.reads_personal(step.values[name]))
    return Next()
