"""Sending a step's `HttpRequest` to its named back office, templates rendered."""

from __future__ import annotations

from typing import Any

from kiosk.flow.schema import HttpRequest
from kiosk.flow.services import BackendError
from kiosk.flow.steps.context import StepContext, StepFailed


async def send(ctx: StepContext, backend: str, request: HttpRequest) -> Any:
    """The decoded reply; a back-office failure is the step's failure (its `on_error`)."""
    try:
        return await ctx.services.backends.request(
            backend,
            request.method,
            ctx.render(request.path),
            ctx.value(request.json_body) if request.json_body is not None else None,
            {k: ctx.render(v) for k, v in (request.query or {}).items()} or None,
        )
    except BackendError as exc:
        raise StepFailed(exc.key, exc.detail) from exc
