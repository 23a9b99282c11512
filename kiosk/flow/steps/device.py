"""What the device step kinds share: a DEVICE_WAIT prompt, then one `Devices.perform` call."""

from __future__ import annotations

from typing import Any

from kiosk.flow.prompt import Event, Prompt, PromptKind
from kiosk.flow.schema import DeviceStepBase
from kiosk.flow.services import DeviceError
from kiosk.flow.steps.context import Done, StepContext, StepFailed
from kiosk.i18n import t


def _fail(exc: DeviceError) -> StepFailed:
    key = exc.key if exc.key.startswith("device.") else f"device.{exc.key}"
    return StepFailed(key, exc.detail)


async def perform(
    ctx: StepContext,
    step: DeviceStepBase,
    action: str,
    params: dict[str, Any],
    *,
    error: str | None = None,
) -> Any | Event:
    """Show the DEVICE_WAIT prompt and run the action; a waiting step races the resident."""
    kind = step.DEVICE
    if kind is None:
        raise StepFailed("flow.not_a_device_step", step.id)
    if not ctx.services.devices.available(kind):
        raise StepFailed("device.unavailable", kind)

    def build() -> Prompt:
        text = ctx.text(step.text) or t(f"voice.device.{kind}", ctx.lang)
        say = ctx.text(step.voice) or text
        return ctx.prompt(
            PromptKind.DEVICE_WAIT, text=text, say=say, device=kind, waits=step.WAITS, error=error
        )

    work = ctx.services.devices.perform(kind, action, params)
    try:
        if not step.WAITS:
            await ctx.show(build())
            return await work
        reply = await ctx.ask(build, work)
    except DeviceError as exc:
        raise _fail(exc) from exc
    if isinstance(reply, Event):
        return reply
    if isinstance(reply, Done):
        return reply.value
    # A scripted or typed answer stands in for the device (e.g. a code typed at the keypad).
    return reply.value
