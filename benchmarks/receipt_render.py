"""Time to render a typical receipt to ESC/POS bytes, next to plain python-escpos as a baseline.

Run: `python benchmarks/receipt_render.py [--runs N]`. The baseline prints the same title, rows
and QR code with a bare `Dummy` (no receipt model, no encodability checks, no image fallback).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from escpos.printer import Dummy

from peripherals.printer.receipt import Line, Qr, Receipt, Row
from peripherals.printer.render import ReceiptRenderer

ROWS = (
    ("业务", "社会保险参保证明"),
    ("姓名", "王*"),
    ("身份证号", "110105********0021"),
    ("参保地", "北京市朝阳区"),
    ("险种", "城镇职工基本养老保险"),
    ("缴费月数", "128"),
    ("打印时间", "2024-05-06 10:21"),
    ("终端", "BJ-CY-0042"),
)
QR = "https://example.cn/verify?code=8F3A2C91"
RECEIPT = Receipt(
    title="社保参保证明",
    lines=(Line("本凭证仅供查验使用，请妥善保管。"),),
    rows=tuple(Row(k, v) for k, v in ROWS),
    qr=Qr(QR, size=6, description="扫码查验真伪"),
    footer=(Line("谢谢使用", align="center"),),
)


def ours(renderer: ReceiptRenderer) -> bytes:
    """Render the receipt with the kiosk's renderer."""
    return renderer.render(RECEIPT)


def baseline() -> bytes:
    """The same content straight through python-escpos."""
    p = Dummy()
    p.set(align="center", bold=True, double_height=True, double_width=True)
    p.textln("社保参保证明")
    p.set(align="left", bold=False, normal_textsize=True)
    p.textln("本凭证仅供查验使用，请妥善保管。")
    for key, value in ROWS:
        p.textln(f"{key}  {value}")
    p.set(align="center")
    p.qr(QR, size=6, native=True)
    p.textln("扫码查验真伪")
    p.textln("谢谢使用")
    p.cut()
    return bytes(p.output)


def median_ms(func: Callable[[], bytes], runs: int) -> float:
    """Median wall time of `func` in milliseconds after one warm-up call."""
    func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Run both and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    renderer = ReceiptRenderer()
    ours_ms = median_ms(lambda: ours(renderer), args.runs)
    base_ms = median_ms(baseline, args.runs)
    size = len(ours(renderer))
    print(f"receipt render, median of {args.runs} runs")
    print(f"{'':24}{'ms':>10}{'bytes':>10}")
    print(f"{'ours (Receipt model)':24}{ours_ms:10.3f}{size:10d}")
    print(f"{'python-escpos Dummy':24}{base_ms:10.3f}{len(baseline()):10d}")
    print(f"ratio ours/baseline: {ours_ms / base_ms:.2f}x")


if __name__ == "__main__":
    main()
