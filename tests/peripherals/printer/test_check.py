"""The device check prints a Chinese test receipt and reports the status."""

from __future__ import annotations

import json

import zxingcpp

from peripherals import registry
from peripherals.printer.check import PERSONAL_FIELDS, run_check


def test_check_prints_rare_characters_punctuation_and_a_readable_qr() -> None:
    with registry.create("printer", "simulated") as printer:
        result = run_check(printer, {"terminal": "GZ-001"})  # type: ignore[arg-type]
        sim = printer.simulator  # type: ignore[attr-defined]
        assert sim.wait_for_cuts(1)
        paper = sim.paper()
        preview = sim.preview()
    assert result["printed"] is True
    assert result["status"]["online"] is True  # type: ignore[index]
    json.dumps(result)
    assert PERSONAL_FIELDS == frozenset()
    assert "堃" in paper.text and "，。！？" in paper.text
    assert "?" not in paper.text
    assert len(paper.images) >= 2  # 𠮷 and the punctuation-only line
    decoded = [r.text for r in zxingcpp.read_barcodes(preview.convert("L"))]
    assert decoded == ["https://example.invalid/kiosk/printer-test?字=堃"]
