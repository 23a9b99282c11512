"""`http`: call a named back office now and save its JSON reply."""

from __future__ import annotations

from typing import Any

from kiosk.flow.prompt import PromptKind
from kiosk.flow.schema import HttpStep
from kiosk.flow.services import BackendError
from kiosk.flow.steps.context import Next, StepContext, StepFailed, StepResult

KIND = "http"


async def execute(ctx: StepContext, step: HttpStep) -> StepResult:
    """Send the request; a reply with `personal_fields` is kept in the vault."""
    request = step.request
    path = ctx.render(request.path)
    body = ctx.value(request.json_body) if request.json_body is not None else None
    query = {k: ctx.render(v) for k, v in (request.query or {}).items()} or None
    busy = ctx.text(step.text) or ctx.translate("voice.busy")
    await ctx.show(ctx.prompt(PromptKind.BUSY, text=busy, say=busy, waits=False))
    try:
        reply: Any = await ctx.services.backends.request(
            step.backend, request.method, path, body, query
        )
    except BackendError as exc:
        raise StepFailed(exc.key, exc.detail) from exc
    personal = bool(step.personal_fields)
    ctx.save(step.save_as or step.id, reply, personal=personal, fields=step.personal_fields)
    return Next()
