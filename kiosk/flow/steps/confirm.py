"""`confirm`: review rows (personal ones masked) then yes to go on, no to `on_decline`."""

from __future__ import annotations

from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind, PromptRow
from kiosk.flow.schema import ConfirmStep, Text
from kiosk.flow.steps.answers import yes_no, yes_no_options
from kiosk.flow.steps.context import Next, StepContext, StepResult
from kiosk.privacy.masking import mask_personal, scrub

KIND = "confirm"


def rows(ctx: StepContext, step: ConfirmStep) -> tuple[PromptRow, ...]:
    """The review rows rendered in the session language; a personal one masked whole, one whose
    value is empty (a name no card gave) left out."""
    result = []
    for row in step.rows:
        value = ctx.text(row.value) if isinstance(row.value, Text) else ctx.render(row.value)
        if not value.strip():
            continue
        source = row.value.get(ctx.lang) if isinstance(row.value, Text) else row.value
        personal = row.personal if row.personal is not None else ctx.reads_personal(source)
        shown = mask_personal(value) if personal else scrub(value)
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
