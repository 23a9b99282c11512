"""`scan_code`: wait for a code at the scanner, or typed in its place (on the screen's keyboard
of the characters `pattern` allows, or digits on the keypad); a code not matching `pattern` is
asked again, and after a few wrong codes the step fails to its `on_error`."""

from __future__ import annotations

import re

from kiosk.flow.code_typing import code_typing
from kiosk.flow.prompt import Answer, Event
from kiosk.flow.schema import ScanCodeStep
from kiosk.flow.steps.context import Next, StepContext, StepFailed, StepResult
from kiosk.flow.steps.device import run_device

KIND = "scan_code"

MAX_CODE = 2000
MAX_INVALID = 3
"""Wrong codes in a row before the step fails to its `on_error` (typing the code, say)."""


async def execute(ctx: StepContext, step: ScanCodeStep) -> StepResult:
    """Scan until a code matches the step's pattern (any code without one)."""
    error: str | None = None
    typing = code_typing(step.pattern)
    for _ in range(MAX_INVALID):
        result = await run_device(
            ctx, step, lambda devices: devices.scanner().scan(), error=error, typing=typing
        )
        if isinstance(result, Event):
            return result
        # A code typed (on the screen's keyboard or the keypad) stands in for a scan.
        code = str(result.value if isinstance(result, Answer) else result)
        if len(code) <= MAX_CODE and (step.pattern is None or re.fullmatch(step.pattern, code)):
            ctx.save(step.save_as or step.id, code)
            return Next()
        error = "scan.invalid_code"
        ctx.journal("invalid:" + error)
    raise StepFailed("scan.invalid_code", f"{MAX_INVALID} codes in a row did not match")
