"""Receipt templates loaded from `flows/receipts/` and rendered to the printer's receipt model.

The flow layer renders, so the printer is handed a finished document and never sees the flow's
variables. Every personal row is masked on paper, and every text passes through `scrub` as a last
line of defence, so no full ID or phone number is ever printed.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kiosk.flow.errors import KeyedError
from kiosk.flow.expressions import ExpressionError, render
from kiosk.flow.loader import FlowLoadError, read_yaml
from kiosk.flow.receipt_schema import MaskKind, ReceiptLine, ReceiptTemplate
from kiosk.flow.schema import SchemaError, Text, convert
from kiosk.languages import counted
from kiosk.privacy.masking import ID_NUMBER, mask_id, mask_name, mask_phone, mask_text, scrub
from peripherals.printer.receipt import Line, Qr, Receipt, Row

log = logging.getLogger(__name__)


class ReceiptError(KeyedError):
    """A receipt template is missing (`receipt.missing`), invalid or failed to render."""


def _mask(value: str, how: MaskKind) -> str:
    if how == "none":
        return value
    if how == "id" or (how == "auto" and ID_NUMBER.fullmatch(value)):
        return mask_id(value)
    if how == "phone" or (how == "auto" and value.isdigit() and len(value) == 11):
        return mask_phone(value)
    if how == "name":
        return mask_name(value)
    return mask_text(value)


class ReceiptLibrary:
    """The receipt templates of one flows directory, loaded on first use: the `Receipts` service."""

    def __init__(
        self,
        directory: Path,
        *,
        terminal: Mapping[str, str] | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self._cache: dict[str, ReceiptTemplate] = {}
        self.terminal = dict(terminal or {})
        """The terminal's name by language, printed with the date and time on every receipt."""
        self._now = now

    def template(self, receipt_id: str) -> ReceiptTemplate:
        """The template with this id; `ReceiptError` if missing or invalid."""
        if receipt_id in self._cache:
            return self._cache[receipt_id]
        path = self.directory / f"{receipt_id}.yaml"
        try:
            template = convert(read_yaml(path), ReceiptTemplate)
        except FlowLoadError as exc:
            missing = exc.code == "unreadable" and exc.message == "no such file"
            raise ReceiptError(
                "receipt.missing" if missing else "receipt.invalid", str(exc)
            ) from exc
        except (SchemaError, RecursionError) as exc:
            first = str(exc).splitlines()[0]
            raise ReceiptError("receipt.invalid", f"{path}: {first}") from exc
        if template.id != receipt_id:
            raise ReceiptError("receipt.invalid", f"{path}: id is {template.id!r}")
        self._cache[receipt_id] = template
        return template

    def _printed_at(self, language: str) -> Line:
        """Where and when the receipt was printed: the terminal's name, date and time."""
        when = datetime.datetime.fromtimestamp(self._now()).strftime("%Y-%m-%d %H:%M")
        name = self.terminal.get(language) or next(iter(self.terminal.values()), "")
        return Line(scrub(f"{name}  {when}".strip()), align="center")

    def render(self, receipt_id: str, variables: Mapping[str, Any], language: str) -> Receipt:
        """The receipt filled in with the flow's variables, in `language`, masked."""
        template = self.template(receipt_id)

        def text(source: Text) -> str:
            return scrub(counted(render(source.get(language), variables), language))

        def line(item: ReceiptLine) -> Line:
            return Line(text(item.text), align=item.align, bold=item.bold, size=item.size)

        try:
            rows = []
            for row in template.rows:
                source = row.value.get(language) if isinstance(row.value, Text) else row.value
                value = render(source, variables)
                if not value.strip():
                    continue  # nothing to print (a name no card gave): no bare label
                shown = _mask(value, row.mask) if row.personal else value
                rows.append(Row(text(row.label), scrub(shown)))
            qr = None
            if template.qr is not None:
                description = text(template.qr.description) if template.qr.description else ""
                qr = Qr(
                    scrub(render(template.qr.data, variables)),
                    size=template.qr.size,
                    description=description,
                )
            return Receipt(
                title=text(template.title),
                lines=tuple(line(item) for item in template.lines),
                rows=tuple(rows),
                qr=qr,
                footer=(*(line(item) for item in template.footer), self._printed_at(language)),
                cut=template.cut,
            )
        except (ExpressionError, ValueError) as exc:
            raise ReceiptError("receipt.template", f"{receipt_id}: {exc}") from exc
