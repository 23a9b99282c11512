"""`choose`: pick one option (by value or keypad number); saved under `save_as` or the step id."""

from __future__ import annotations

from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind, PromptOption
from kiosk.flow.schema import ChooseStep
from kiosk.flow.steps.answers import pick
from kiosk.flow.steps.context import Next, StepContext, StepFailed, StepResult, holds

KIND = "choose"


def options(ctx: StepContext, step: ChooseStep) -> tuple[PromptOption, ...]:
    """The options whose `when` holds, numbered from 1 for the keypad."""
    shown = [o for o in step.options if o.when is None or holds(o.when, ctx.variables)]
    result = []
    for key, option in enumerate(shown, start=1):
        label = ctx.text(option.label)
        say = ctx.text(option.voice, label)
        result.append(PromptOption(value=option.value, label=label, say=say, key=key))
    return tuple(result)


async def execute(ctx: StepContext, step: ChooseStep) -> StepResult:
    """Ask until the answer names an option."""
    error: str | None = None

    def build() -> Prompt:
        choices = options(ctx, step)
        if not choices:
            raise StepFailed("flow.no_options", f"step {step.id} has no option to offer")
        return ctx.prompt(PromptKind.CHOOSE, options=choices, error=error)

    while True:
        reply = await ctx.ask(build)
        if isinstance(reply, Event):
            return reply
        chosen = pick(options(ctx, step), reply.value if isinstance(reply, Answer) else None)
        if chosen is None:
            error = "input.invalid_choice"
            ctx.journal("invalid:" + error)
            continue
        ctx.save(step.save_as or step.id, chosen.value)
        return Next()
