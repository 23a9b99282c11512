"""`http`: call a named back office now and save its JSON reply."""

from __future__ import annotations

from typing import Any

from kiosk.flow.prompt import PromptKind
from kiosk.flow.schema import HttpStep
from kiosk.flow.steps.context import Next, StepContext, StepResult
from kiosk.flow.steps.request import send

KIND = "http"


async def execute(ctx: StepContext, step: HttpStep) -> StepResult:
    """Send the request; a reply with `personal_fields` is kept in the vault."""
    busy = ctx.text(step.text) or ctx.translate("voice.busy")
    await ctx.show(ctx.prompt(PromptKind.BUSY, text=busy, say=busy, waits=False))
    reply: Any = await send(ctx, step.backend, step.request)
    personal = bool(step.personal_fields)
    ctx.save(step.save_as or step.id, reply, personal=personal, fields=step.personal_fields)
    return Next()
