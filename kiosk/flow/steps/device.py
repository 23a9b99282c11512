"""What the device step kinds share: a DEVICE_WAIT prompt while one typed device call runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from kiosk.flow.code_typing import CodeTyping
from kiosk.flow.devices import DeviceError, Devices
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.flow.schema import DeviceStepBase
from kiosk.flow.steps.context import Done, StepContext, StepFailed
from kiosk.languages import end_sentence, join_sentences

T = TypeVar("T")


def _fail(exc: DeviceError) -> StepFailed:
    key = exc.key if exc.key.startswith("device.") else f"device.{exc.key}"
    return StepFailed(key, exc.detail)


def kept(card: Any, fields: Iterable[str]) -> dict[str, Any]:
    """Only the card fields a flow declared: the rest is dropped as soon as it is read."""
    read = card if isinstance(card, Mapping) else {}
    return {name: read.get(name) for name in fields}


async def run_device(
    ctx: StepContext,
    step: DeviceStepBase,
    call: Callable[[Devices], Awaitable[T]],
    *,
    error: str | None = None,
    also_say: str = "",
    typing: CodeTyping | None = None,
) -> T | Answer | Event:
    """Show the DEVICE_WAIT prompt while `call` works the device; a waiting step races the resident.

    Returns what the device gave, or the resident's own answer standing in for it (a code typed at
    the keypad, a scripted card), or BACK/CANCEL/TIMEOUT. Device failures become `device.*` keys.
    `also_say` is spoken after the prompt's own words (what a printed QR code is for); `typing`
    says what may be typed instead of the device's read (a scanned code's characters).
    """
    kind = step.DEVICE
    if kind is None:
        raise StepFailed("flow.not_a_device_step", step.id)
    devices = ctx.services.devices
    if not devices.available(kind):
        raise StepFailed("device.unavailable", kind.value)

    def build() -> Prompt:
        text = ctx.text(step.text) or ctx.translate(f"voice.device.{kind.value}")
        said = ctx.text(step.voice) or text
        say = join_sentences((end_sentence(said, ctx.lang), also_say)) if also_say else said
        return ctx.prompt(
            PromptKind.DEVICE_WAIT,
            text=text,
            say=say,
            device=kind.value,
            waits=step.WAITS,
            error=error,
            typing=typing,
        )

    try:
        if not step.WAITS:
            await ctx.show(build())
            return await call(devices)
        reply = await ctx.ask(build, call(devices))
    except DeviceError as exc:
        raise _fail(exc) from exc
    if isinstance(reply, Done):
        value: T = reply.value
        return value
    return reply
