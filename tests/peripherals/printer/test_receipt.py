"""The receipt model rejects content a printer cannot print, before anything is rendered."""

from __future__ import annotations

import pytest

from peripherals.printer.receipt import Barcode, Line, Qr, Receipt, Row


def test_lists_become_tuples_so_receipts_are_immutable_values() -> None:
    receipt = Receipt(title="凭证", lines=[Line("a")], rows=[Row("k", "v")])  # type: ignore[arg-type]
    assert receipt.lines == (Line("a"),)
    assert hash(receipt) == hash(Receipt(title="凭证", lines=(Line("a"),), rows=(Row("k", "v"),)))


@pytest.mark.parametrize(
    "build",
    [
        lambda: Line("x", align="middle"),  # type: ignore[arg-type]
        lambda: Line("x", size=9),
        lambda: Line("two\nlines"),
        lambda: Qr(""),
        lambda: Qr("x", size=17),
        lambda: Barcode("123", kind="AZTEC"),
        lambda: Barcode("张三"),
    ],
)
def test_invalid_parts_are_refused(build) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        build()


def test_texts_lists_every_readable_string_in_print_order() -> None:
    receipt = Receipt(
        title="T",
        lines=(Line("a"),),
        rows=(Row("k", "v"),),
        qr=Qr("data", description="d"),
        footer=(Line("f"),),
    )
    assert receipt.texts() == ["T", "a", "k", "v", "d", "f"]
