"""`info`: show a message and wait for the resident to continue."""

from __future__ import annotations

from kiosk.flow.prompt import Event, Prompt, PromptKind, PromptOption
from kiosk.flow.schema import InfoStep
from kiosk.flow.steps.context import Next, StepContext, StepResult

KIND = "info"


async def execute(ctx: StepContext, step: InfoStep) -> StepResult:
    """Wait for any answer, then go on."""

    def build() -> Prompt:
        label = ctx.translate("common.continue")
        option = PromptOption(value="continue", label=label, say=label, key=1)
        return ctx.prompt(PromptKind.INFO, options=(option,))

    reply = await ctx.ask(build)
    if isinstance(reply, Event):
        return reply
    return Next()
