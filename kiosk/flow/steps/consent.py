"""`consent`: state the purpose and ask; agreeing goes on, declining goes to `on_decline`."""

from __future__ import annotations

from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.flow.schema import ConsentStep
from kiosk.flow.steps.answers import yes_no, yes_no_options
from kiosk.flow.steps.context import Next, StepContext, StepResult

KIND = "consent"


async def execute(ctx: StepContext, step: ConsentStep) -> StepResult:
    """Ask for consent to the stated purpose."""
    error: str | None = None

    def build() -> Prompt:
        purpose = ctx.text(step.purpose)
        text = "\n".join(p for p in (ctx.text(step.text), purpose) if p)
        say = "\n".join(p for p in (ctx.text(step.voice) or ctx.text(step.text), purpose) if p)
        options = yes_no_options(
            ctx.translate("voice.answer.agree"), ctx.translate("voice.answer.decline")
        )
        return ctx.prompt(PromptKind.CONSENT, text=text, say=say, options=options, error=error)

    while True:
        reply = await ctx.ask(build)
        if isinstance(reply, Event):
            return reply
        decision = yes_no(reply.value if isinstance(reply, Answer) else None)
        if decision is None:
            error = "input.invalid_choice"
            continue
        ctx.journal("consented" if decision else "declined")
        return Next() if decision else Next(step.on_decline)
