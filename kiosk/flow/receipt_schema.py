"""Receipt templates (`flows/receipts/<id>.yaml`): content, rendered with the flow's variables."""

# No `from __future__ import annotations`: msgspec reads a struct's annotations when it first
# converts to it, and each one written as a string costs a compile (~20 ms a process for the
# flow schema and the configuration).

from typing import Annotated, Literal

from msgspec import Meta, field

from kiosk.flow.schema import Strict, Template, Text

MaskKind = Literal["auto", "id", "phone", "name", "text", "none"]


class ReceiptLine(Strict, frozen=True, kw_only=True):
    """A line of text; `text` templates per language."""

    text: Text
    align: Literal["left", "center", "right"] = "left"
    bold: bool = False
    size: Annotated[int, Meta(ge=1, le=8)] = 1


class ReceiptRow(Strict, frozen=True, kw_only=True):
    """A label and a value; a personal value is always masked on paper."""

    label: Text
    value: Template | Text
    personal: bool = False
    mask: MaskKind = "auto"


class ReceiptQr(Strict, frozen=True, kw_only=True):
    """A QR code and what a voice user is told it holds."""

    data: Template
    description: Text | None = None
    size: Annotated[int, Meta(ge=1, le=16)] = 6


class ReceiptTemplate(Strict, frozen=True, kw_only=True):
    """One receipt: title, lines, rows, optional QR code, footer."""

    id: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_-]*$")]
    title: Text
    lines: list[ReceiptLine] = field(default_factory=list)
    rows: list[ReceiptRow] = field(default_factory=list)
    qr: ReceiptQr | None = None
    footer: list[ReceiptLine] = field(default_factory=list)
    cut: bool = True
