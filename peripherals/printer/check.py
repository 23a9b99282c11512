"""`kiosk devices test printer`: print one test receipt and report the status."""

from __future__ import annotations

import datetime

from peripherals.printer.base import Printer, PrinterFeature
from peripherals.printer.receipt import Line, Qr, Receipt, Row

PERSONAL_FIELDS: frozenset[str] = frozenset()
"""The test receipt holds no personal data."""


def check_receipt(terminal: str = "") -> Receipt:
    """A receipt exercising what residents' receipts need: Chinese text with a rare name
    character and full-width punctuation, text escpos cannot encode, rows, and a QR code."""
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    return Receipt(
        title="打印机测试",
        lines=(
            Line("社区自助服务终端——打印测试。", align="center"),
            Line("生僻字：堃、昇、喆；标点：，。！？（）【】"),
            Line("𠮷（吉的异体）"),
            Line("「」《》"),
        ),
        rows=(Row("终端", terminal or "-"), Row("时间", now), Row("状态", "正常")),
        qr=Qr("https://example.invalid/kiosk/printer-test?字=堃", description="扫码核对二维码"),
        footer=(Line("测试完毕，请撕下。", align="center"),),
    )


def run_check(device: Printer, params: dict[str, str]) -> dict[str, object]:
    """Print the test receipt on an opened printer; returns whether it printed and the status."""
    device.print_receipt(check_receipt(params.get("terminal", "")))
    result: dict[str, object] = {"printed": True, "features": device.features.name or ""}
    if device.features & PrinterFeature.STATUS:
        result["status"] = device.status().as_dict()
    else:
        result["status"] = {"available": False}
    return result
