"""Time to render a typical receipt to ESC/POS bytes, next to plain python-escpos as a baseline.

Run: `python benchmarks/receipt_render.py [--runs N] [--quick]`. The baseline prints the same
title, rows and QR code with a bare `Dummy` (no receipt model, no encodability checks, no image
fallback). The two take turns, GC paused on both, after one unmeasured round each.

Goal (PASS or FAIL): the kiosk's render of a typical receipt, median < 5 ms (far below what a
resident waiting for the paper notices). The ratio to the baseline is shown for scale: the
bytes differ (the kiosk's receipt carries more), so it is not the same work.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from escpos.printer import Dummy
from side_by_side import Goals, alternate, ratio

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


TARGET_MS = 5.0


def main(argv: list[str] | None = None) -> int:
    """Run both, taking turns, and print them side by side with the goal's verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="a short run: shows that it works")
    args = parser.parse_args(argv)
    runs = 5 if args.quick else args.runs
    goals = Goals(quick=args.quick)
    renderer = ReceiptRenderer()
    samples = alternate(
        {"ours (Receipt model)": lambda: ours(renderer), "python-escpos Dummy": baseline}, runs
    )
    print(f"receipt render, {runs} alternating runs ({len(ours(renderer))} bytes vs "
          f"{len(baseline())} bytes)")  # fmt: skip
    for sample in samples.values():
        print(sample.line())
    mine = samples["ours (Receipt model)"]
    print(f"ratio ours/baseline: {ratio(mine, samples['python-escpos Dummy']):.2f}x")
    goals.check(
        f"typical receipt rendered in < {TARGET_MS:.0f} ms",
        f"median {mine.median * 1e3:.3f} ms, p95 {mine.p95 * 1e3:.3f} ms",
        mine.median * 1e3 < TARGET_MS,
    )
    return goals.exit_code()


if __name__ == "__main__":
    sys.exit(main())
