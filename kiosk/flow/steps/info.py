"""`info`: show a message and wait for the resident to continue; a long one page by page."""

from __future__ import annotations

from functools import partial

from kiosk.flow.paging import paginate
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind, PromptOption
from kiosk.flow.schema import InfoStep
from kiosk.flow.steps.browse import NEXT, PREVIOUS, page_turns
from kiosk.flow.steps.context import Next, StepContext, StepResult

KIND = "info"
CONTINUE = "continue"


async def execute(ctx: StepContext, step: InfoStep) -> StepResult:
    """Wait for any answer, then go on; with `page_chars`, turn pages until the last."""
    if step.page_chars is None:
        return await _single(ctx)
    number = 0
    while True:
        reply = await ctx.ask(partial(_page, ctx, step, number))
        if isinstance(reply, Event):
            return reply
        value = str(reply.value) if isinstance(reply, Answer) else CONTINUE
        pages = len(paginate(ctx.text(step.text), step.page_chars))
        if value == NEXT:
            number = min(number + 1, pages - 1)
        elif value == PREVIOUS:
            number = max(number - 1, 0)
        else:
            return Next()


async def _single(ctx: StepContext) -> StepResult:
    def build() -> Prompt:
        label = ctx.translate("common.continue")
        option = PromptOption(value="continue", label=label, say=label, key=1)
        return ctx.prompt(PromptKind.INFO, options=(option,))

    reply = await ctx.ask(build)
    if isinstance(reply, Event):
        return reply
    return Next()


def _page(ctx: StepContext, step: InfoStep, number: int) -> Prompt:
    """Page `number` (0-based) as a choice: next, previous, and continue on the last page."""
    pages = paginate(ctx.text(step.text), step.page_chars or 1)
    number = min(number, len(pages) - 1)
    last = (CONTINUE, "common.continue" if number == len(pages) - 1 else "browse.skip")
    options = tuple(page_turns(ctx, number + 1, len(pages), last))
    where = ctx.translate("browse.page", page=number + 1, pages=len(pages))
    text = f"{pages[number]}\n{where}" if len(pages) > 1 else pages[number]
    return ctx.prompt(PromptKind.CHOOSE, text=text, options=options, reading=True)
