"""A receipt as plain data: what to print, not how; rendered once to ESC/POS by `render.py`."""

from __future__ import annotations

from typing import Literal

import msgspec

Align = Literal["left", "center", "right"]

BARCODE_KINDS = frozenset({"CODE128", "CODE39", "EAN13", "EAN8", "UPC-A", "ITF"})
"""Barcode symbologies every ESC/POS profile with barcodes can print in hardware."""


class Line(msgspec.Struct, frozen=True):
    """One paragraph of text; `size` is the ESC/POS character magnification (1..8)."""

    text: str
    align: Align = "left"
    bold: bool = False
    size: int = 1

    def __post_init__(self) -> None:
        if self.align not in ("left", "center", "right"):
            raise ValueError(f"align must be left, center or right, not {self.align!r}")
        if not 1 <= self.size <= 8:
            raise ValueError(f"size must be 1..8, not {self.size}")
        if "\n" in self.text:
            raise ValueError("a Line holds one paragraph; use several Lines for several")


class Row(msgspec.Struct, frozen=True):
    """A key on the left and its value on the right (`姓名 ........ 张*`)."""

    key: str
    value: str


class Qr(msgspec.Struct, frozen=True):
    """A QR code; `size` is the module size in printer dots (1..16)."""

    data: str
    size: int = 6
    description: str = ""

    def __post_init__(self) -> None:
        if not self.data:
            raise ValueError("a QR code needs data")
        if not 1 <= self.size <= 16:
            raise ValueError(f"QR module size must be 1..16, not {self.size}")


class Barcode(msgspec.Struct, frozen=True):
    """A one-dimensional barcode of a kind in `BARCODE_KINDS`."""

    data: str
    kind: str = "CODE128"

    def __post_init__(self) -> None:
        if self.kind not in BARCODE_KINDS:
            raise ValueError(f"barcode kind must be one of {sorted(BARCODE_KINDS)}")
        if not self.data or not self.data.isascii():
            raise ValueError("barcode data must be non-empty ASCII")


class Receipt(msgspec.Struct, frozen=True):
    """A whole receipt: title, free lines, key-value rows, optional codes, footer, cut."""

    title: str = ""
    lines: tuple[Line, ...] = ()
    rows: tuple[Row, ...] = ()
    qr: Qr | None = None
    barcode: Barcode | None = None
    footer: tuple[Line, ...] = msgspec.field(default_factory=tuple)
    cut: bool = True

    def __post_init__(self) -> None:
        # Accept lists from callers (templates) but keep the receipt immutable and hashable.
        msgspec.structs.force_setattr(self, "lines", tuple(self.lines))
        msgspec.structs.force_setattr(self, "rows", tuple(self.rows))
        msgspec.structs.force_setattr(self, "footer", tuple(self.footer))

    def texts(self) -> list[str]:
        """Every human-readable string on the receipt, in print order (for checks and tests)."""
        out = [self.title] if self.title else []
        out += [line.text for line in self.lines]
        for row in self.rows:
            out += [row.key, row.value]
        if self.qr is not None and self.qr.description:
            out.append(self.qr.description)
        out += [line.text for line in self.footer]
        return out
