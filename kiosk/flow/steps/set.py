"""`set`: set variables from templates; a value reading personal data stays in the vault."""

from __future__ import annotations

from kiosk.flow.schema import SetStep
from kiosk.flow.steps.context import Next, StepContext, StepResult

KIND = "set"


async def execute(ctx: StepContext, step: SetStep) -> StepResult:
    """Render and store each value in turn, so a value may read the ones set before it; a value
    named `public` is kept as ordinary data even when it reads personal data."""
    for name, source in step.values.items():
        personal = name not in step.public and ctx.reads_personal(source)
        ctx.save(name, ctx.value(source), personal=personal)
    return Next()
