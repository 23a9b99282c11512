"""What leaves the flow engine, masked by the session's personal values: prompts and receipts.

Every prompt reaches a renderer through `MaskedRenderer`, the engine's one door, so whichever
step (or the engine itself) built it, what is shown and said carries no personal value in any
format. A review row keeps its full `value` for private speech on the headset only.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from kiosk.flow.prompt import Answer, Event, Prompt, Renderer
from kiosk.flow.session import Session
from kiosk.privacy.personal import PersonalValues
from peripherals.printer.receipt import Line, Receipt

T = TypeVar("T")


def mask_prompt(prompt: Prompt, personal: PersonalValues) -> Prompt:
    """The prompt with every shown and spoken text masked (rows keep `value` and the prompt its
    `say_private` for the headset)."""
    texts = [prompt.text, prompt.say, prompt.title, prompt.help, prompt.error_text]
    texts += [text for o in prompt.options for text in (o.label, o.say)]
    texts += [g.title for g in prompt.groups]
    texts += [text for r in prompt.rows for text in (r.label, r.shown)]
    if personal.leaves_as_is("\n".join(texts)):  # most prompts: tested once, not text by text
        return prompt
    mask = personal.mask
    return _with(
        prompt,
        text=mask(prompt.text),
        say=mask(prompt.say),
        title=mask(prompt.title),
        help=mask(prompt.help),
        error_text=mask(prompt.error_text),
        options=tuple(_with(o, label=mask(o.label), say=mask(o.say)) for o in prompt.options),
        groups=tuple(_with(g, title=mask(g.title)) for g in prompt.groups),
        rows=tuple(_with(r, label=mask(r.label), shown=mask(r.shown)) for r in prompt.rows),
    )


def _with(item: T, **fields: Any) -> T:
    """The frozen `item` with `fields` replaced, or `item` itself when it holds them already
    (most prompts hold no personal value: nothing to copy)."""
    if all(getattr(item, name) == value for name, value in fields.items()):
        return item
    return msgspec.structs.replace(item, **fields)  # type: ignore[type-var]


def mask_receipt(receipt: Receipt, personal: PersonalValues) -> Receipt:
    """The receipt with every printed text, QR code and barcode masked."""
    mask = personal.mask

    replace = msgspec.structs.replace

    def line(item: Line) -> Line:
        return replace(item, text=mask(item.text))

    qr = receipt.qr
    barcode = receipt.barcode
    return replace(
        receipt,
        title=mask(receipt.title),
        lines=tuple(line(item) for item in receipt.lines),
        rows=tuple(replace(r, key=mask(r.key), value=mask(r.value)) for r in receipt.rows),
        qr=None
        if qr is None
        else replace(qr, data=mask(qr.data), description=mask(qr.description)),
        barcode=None if barcode is None else replace(barcode, data=mask(barcode.data)),
        footer=tuple(line(item) for item in receipt.footer),
    )


class MaskedRenderer:
    """A renderer behind the engine's door: each prompt is masked as the session is now."""

    def __init__(self, renderer: Renderer, session: Session) -> None:
        self.renderer = renderer
        self.session = session

    async def ask(self, prompt: Prompt) -> Answer | Event:
        """Ask the masked prompt."""
        return await self.renderer.ask(mask_prompt(prompt, self.session.personal))

    async def show(self, prompt: Prompt) -> None:
        """Show the masked prompt."""
        await self.renderer.show(mask_prompt(prompt, self.session.personal))
