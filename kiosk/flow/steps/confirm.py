"""`confirm`: review rows (personal ones masked) then yes to go on, no to `on_decline`."""

from __future__ import annotations

from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind, PromptRow
from kiosk.flow.schema import ConfirmStep
from kiosk.flow.steps.answers import yes_no, yes_no_options
from kiosk.flow.steps.context import Next, StepContext, StepResult
from kiosk.privacy.masking import (
    ID_NUMBER,
    PHONE_NUMBER,
    mask_id,
    mask_name,
    mask_phone,
    mask_text,
    scrub,
)

KIND = "confirm"


def masked(value: str) -> str:
    """How a personal value is shown: ID and phone numbers keep their ends, names one character."""
    if ID_NUMBER.fullmatch(value):
        return mask_id(value)
    if PHONE_NUMBER.fullmatch(value):
        return mask_phone(value)
    if len(value) <= 6:
        return mask_name(value)
    return mask_text(value)


def rows(ctx: StepContext, step: ConfirmStep) -> tuple[PromptRow, ...]:
    """The review rows rendered in the session language."""
    result = []
    for row in step.rows:
        value = ctx.render(row.value)
        personal = row.personal or ctx.reads_personal(row.value)
        shown = masked(value) if personal else scrub(value)
        result.append(PromptRow(ctx.text(row.label), shown, value, personal))
    return tuple(result)


async def execute(ctx: StepContext, step: ConfirmStep) -> StepResult:
    """Yes goes on; no goes to `on_decline` (default: cancel)."""
    error: str | None = None

    def build() -> Prompt:
        shown = rows(ctx, step)
        personal = frozenset({"rows"}) if any(r.personal for r in shown) else frozenset()
        options = yes_no_options(
            ctx.translate("voice.answer.confirm"), ctx.translate("voice.answer.change")
        )
        return ctx.prompt(
            PromptKind.CONFIRM, rows=shown, options=options, personal=personal, error=error
        )

    while True:
        reply = await ctx.ask(build)
        if isinstance(reply, Event):
            return reply
        decision = yes_no(reply.value if isinstance(reply, Answer) else None)
        if decision is None:
            error = "input.invalid_choice"
            continue
        if decision:
            ctx.journal("confirmed")
            return Next()
        ctx.journal("declined")
        return Next(step.on_decline)
