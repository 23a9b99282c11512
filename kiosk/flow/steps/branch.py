"""`branch`: decide where to go and nothing else (no prompt, nothing saved)."""

from __future__ import annotations

from kiosk.flow.schema import BranchStep
from kiosk.flow.steps.context import Next, StepContext, StepResult

KIND = "branch"


async def execute(ctx: StepContext, step: BranchStep) -> StepResult:
    """Go by the step's `next` (the engine evaluates its conditions)."""
    return Next()
