"""`browse`: records a page at a time, from a value or a paged back-office reply."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind, PromptOption
from kiosk.flow.schema import BrowseStep
from kiosk.flow.steps.context import Next, StepContext, StepFailed, StepResult
from kiosk.flow.steps.request import send

KIND = "browse"
NEXT, PREVIOUS, DONE = "next", "previous", "done"
"""Option values of the paging actions (records are `item1`, `item2`, ... on each page)."""


@dataclass(frozen=True)
class Page:
    """One page of records and where it sits."""

    items: list[Any]
    number: int
    pages: int


async def execute(ctx: StepContext, step: BrowseStep) -> StepResult:
    """Show a page, turn pages on request, and save the record picked (or go on)."""
    number = 1
    while True:
        page = await _page(ctx, step, number)
        if not page.items:
            return await _empty(ctx, step)
        reply = await ctx.ask(partial(_prompt, ctx, step, page))
        if isinstance(reply, Event):
            return reply
        value = str(reply.value) if isinstance(reply, Answer) else DONE
        if value == NEXT and page.number < page.pages:
            number = page.number + 1
        elif value == PREVIOUS and page.number > 1:
            number = page.number - 1
        elif value == DONE:
            return Next()
        elif value.startswith("item") and value[4:].isdigit():
            index = int(value[4:]) - 1
            if 0 <= index < len(page.items):
                ctx.save(step.save_as or step.id, page.items[index])
                return Next()


async def _page(ctx: StepContext, step: BrowseStep, number: int) -> Page:
    """Page `number` of the records (clamped to the pages there are)."""
    ctx.locals["page"] = number
    if step.request is None:
        records = ctx.value(step.items)
        if not isinstance(records, list):
            raise StepFailed("flow.expression", f"step {step.id!r}: `items` is not a list")
        pages = max(1, -(-len(records) // step.per_page))
        number = min(number, pages)
        start = (number - 1) * step.per_page
        return Page(records[start : start + step.per_page], number, pages)
    busy = ctx.text(step.text) or ctx.translate("voice.busy")
    await ctx.show(ctx.prompt(PromptKind.BUSY, text=busy, say=busy, waits=False))
    reply: Any = await send(ctx, str(step.backend), step.request)
    items = reply.get("items") if isinstance(reply, dict) else None
    if not isinstance(items, list):
        raise StepFailed("backend.bad_reply", f"{step.backend}: a page needs a list `items`")
    pages = reply.get("pages") if isinstance(reply.get("pages"), int) else 1
    return Page(items[:9], number, max(1, min(int(pages), 1000)))


def _prompt(ctx: StepContext, step: BrowseStep, page: Page) -> Prompt:
    """The page as a choice: its records by number (or, to read only, as lines of the text),
    then the paging actions."""
    lines: list[str] = []
    for item in page.items:
        ctx.locals["item"] = item
        lines.append(ctx.text(step.row))
    ctx.locals.pop("item", None)
    options: list[PromptOption] = []
    if step.pick:
        for index, line in enumerate(lines):
            options.append(PromptOption(f"item{index + 1}", line, line, index + 1))
    last = None if step.pick else (DONE, "common.continue")
    options += page_turns(ctx, page.number, page.pages, last, first_key=len(options) + 1)
    # "page 1 of 1" says nothing: only a list of several pages says where it is
    where = (
        ctx.translate("browse.page", page=page.number, pages=page.pages) if page.pages > 1 else ""
    )
    stop, end = ("；", "。") if ctx.lang == "zh_CN" else (";", ".")
    shown = [] if step.pick else [f"{stop}\n".join(lines) + end]
    text = "\n".join(part for part in (ctx.text(step.text), *shown, where) if part)
    return ctx.prompt(PromptKind.CHOOSE, text=text, options=tuple(options))


def page_turns(
    ctx: StepContext,
    number: int,
    pages: int,
    last: tuple[str, str] | None,
    first_key: int = 1,
) -> list[PromptOption]:
    """Next page and previous page where there is one, then `last` (value, text key) if given;
    numbered for the keypad from `first_key` (`number` counts from 1)."""
    actions = []
    if number < pages:
        actions.append((NEXT, "browse.next"))
    if number > 1:
        actions.append((PREVIOUS, "browse.previous"))
    if last is not None:
        actions.append(last)
    return [
        PromptOption(value, ctx.translate(key), ctx.translate(key), key_number)
        for key_number, (value, key) in enumerate(actions, start=first_key)
    ]


async def _empty(ctx: StepContext, step: BrowseStep) -> StepResult:
    """Nothing to list: say so, and go on when the resident has heard it."""
    text = ctx.text(step.empty) or ctx.translate("browse.empty")
    label = ctx.translate("common.continue")
    option = PromptOption("continue", label, label, 1)
    reply = await ctx.ask(lambda: ctx.prompt(PromptKind.INFO, text=text, options=(option,)))
    if isinstance(reply, Event):
        return reply
    if step.pick:
        raise StepFailed("browse.empty", step.id)  # nothing picked: the flow's `on_error`
    return Next()
