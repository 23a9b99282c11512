"""Receipt templates (`flows/receipts/<id>.yaml`): content, rendered with the flow's variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kiosk.flow.schema import Strict, Template, Text

MaskKind = Literal["auto", "id", "phone", "name", "text", "none"]


class ReceiptLine(Strict):
    """A line of text; `text` templates per language."""

    text: Text
    align: Literal["left", "center", "right"] = "left"
    bold: bool = False
    size: int = Field(1, ge=1, le=8)


class ReceiptRow(Strict):
    """A label and a value; a personal value is always masked on paper."""

    label: Text
    value: Template | Text
    personal: bool = False
    mask: MaskKind = "auto"


class ReceiptQr(Strict):
    """A QR code and what a voice user is told it holds."""

    data: Template
    description: Text | None = None
    size: int = Field(6, ge=1, le=16)


class ReceiptTemplate(Strict):
    """One receipt: title, lines, rows, optional QR code, footer."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: Text
    lines: list[ReceiptLine] = Field(default_factory=list)
    rows: list[ReceiptRow] = Field(default_factory=list)
    qr: ReceiptQr | None = None
    footer: list[ReceiptLine] = Field(default_factory=list)
    cut: bool = True
