"""`input`: typed input validated by type, length and pattern; invalid answers are asked again."""

from __future__ import annotations

from decimal import Decimal

from kiosk.flow.inputs import InputRules, InputType, validate
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind, PromptOption
from kiosk.flow.schema import InputStep
from kiosk.flow.steps.context import Next, StepContext, StepResult

KIND = "input"


def rules(step: InputStep) -> InputRules:
    """The input rules a renderer needs (keyboard layout, masking, limits)."""
    return InputRules(
        input_type=step.input_type,
        min_length=step.min_length,
        max_length=step.max_length,
        pattern=step.pattern,
        minimum=None if step.minimum is None else Decimal(str(step.minimum)),
        maximum=None if step.maximum is None else Decimal(str(step.maximum)),
        secret=step.input_type == InputType.SECRET,
        personal=step.is_personal(),
    )


def phrases(ctx: StepContext, step: InputStep) -> tuple[PromptOption, ...]:
    """The step's common phrases, numbered for the keypad: picking one types it."""
    found = []
    for number, phrase in enumerate(step.phrases, start=1):
        text = ctx.text(phrase)
        found.append(PromptOption(value=text, label=text, say=text, key=number))
    return tuple(found)


async def execute(ctx: StepContext, step: InputStep) -> StepResult:
    """Ask until the value is valid, then save it (personal values in the vault)."""
    error: str | None = None
    personal = frozenset({"input"}) if step.is_personal() else frozenset()

    def build() -> Prompt:
        return ctx.prompt(
            PromptKind.INPUT,
            input=rules(step),
            options=phrases(ctx, step),
            personal=personal,
            error=error,
        )

    while True:
        reply = await ctx.ask(build)
        if isinstance(reply, Event):
            return reply
        error, value = validate(rules(step), reply.value if isinstance(reply, Answer) else None)
        if error:
            ctx.journal("invalid:" + error)
            continue
        ctx.save(step.save_as or step.id, value, personal=step.is_personal())
        return Next()
