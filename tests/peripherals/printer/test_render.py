"""Receipts render to the exact ESC/POS bytes, with text escpos would mangle drawn as images."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Literal

import pytest
import zxingcpp
from escpos.printer import Dummy

from peripherals.errors import DeviceUnavailable
from peripherals.printer import render
from peripherals.printer.decode import QrCode, RasterImage, TextLine, decode
from peripherals.printer.receipt import Barcode, Line, Qr, Receipt, Row
from peripherals.printer.render import SYSTEM_FONT, ReceiptRenderer, find_font, prints_natively
from tests.support.ink import ink_rows

GOLDEN_PICKUP = (
    b"\x1b@"
    b"\x1d!\x11\x1bE\x01\x1ba\x01\xc8\xa1\xbc\xfe\xc6\xbe\xd6\xa4\n"  # 取件凭证, centred, 2x
    b"\x1d!\x00\x1bE\x00\x1ba\x00\x1bt\x00Hi\n"
    b"\x1d!\x00\x1bE\x00\x1ba\x00" + b"-" * 48 + b"\n"
    b"\x1d!\x00\x1bE\x00\x1ba\x00\xb9\xf1\xba\xc5" + b" " * 40 + b"A-07\n"  # 柜号 ... A-07
    b"\x1d!\x00\x1bE\x00\x1ba\x00" + b"-" * 48 + b"\n"
    b"\x1d!\x00\x1bE\x00\x1ba\x00\x1bd\x06\x1dV\x00"  # feed, full cut
)

GOLDEN_NATIVE_QR = (
    b"\x1b@\x1d!\x00\x1bE\x01\x1ba\x01\x1bt\x00OK\n"
    b"\x1d!\x00\x1bE\x00\x1ba\x01"
    b"\x1d(k\x04\x001A2\x00"  # model 2
    b"\x1d(k\x03\x001C\x04"  # module size 4
    b"\x1d(k\x03\x001E1"  # error correction M
    b"\x1d(k\x05\x001P0AB"  # store "AB"
    b"\x1d(k\x03\x001Q0\n"  # print
    b"\x1d!\x00\x1bE\x00\x1ba\x00\x1bd\x06"  # no cut requested: feed only
)


def test_golden_bytes_of_a_pickup_receipt() -> None:
    receipt = Receipt(title="取件凭证", lines=(Line("Hi"),), rows=(Row("柜号", "A-07"),))
    assert ReceiptRenderer().render(receipt) == GOLDEN_PICKUP


def test_golden_bytes_of_a_native_qr_without_cut() -> None:
    receipt = Receipt(
        lines=(Line("OK", align="center", bold=True),), qr=Qr("AB", size=4), cut=False
    )
    assert ReceiptRenderer(paper_width=384).render(receipt) == GOLDEN_NATIVE_QR


def test_cut_follows_the_option_and_the_profile() -> None:
    receipt = Receipt(lines=(Line("OK"),))
    assert ReceiptRenderer(cut="partial").render(receipt).endswith(b"\x1dV\x01")
    # The "simple" profile has no cutter: feed, never a cut command the printer would misread.
    no_cutter = ReceiptRenderer(profile="simple")
    assert not no_cutter.can_cut
    assert b"\x1dV" not in no_cutter.render(receipt)


TEXT_RECEIPTS = {
    "pickup": Receipt(title="取件凭证", lines=(Line("Hi"),), rows=(Row("柜号", "A-07"),)),
    "certificate": Receipt(
        title="Social insurance certificate",
        lines=(
            Line("个人参保证明", align="center", bold=True),
            Line("Printed at the kiosk", align="right", size=3),
        ),
        rows=(Row("参保人", "张*"), Row("办理地点", "朝阳区某某街道某某社区中心某某服务站")),
        qr=Qr("https://si.example/verify?code=ABC123 中文", size=5, description="扫码核验证明真伪"),
        footer=(Line("本证明由社区自助服务终端打印", align="center"),),
    ),
    "no cut": Receipt(lines=(Line("OK", bold=True),), qr=Qr("AB", size=16), cut=False),
}


@pytest.mark.parametrize("profile", ["default", "simple", "TM-T88V"])
@pytest.mark.parametrize("cut", ["full", "partial"])
@pytest.mark.parametrize("name", list(TEXT_RECEIPTS))
def test_a_text_receipt_is_sent_as_escpos_itself_sends_it(
    name: str, cut: Literal["full", "partial"], profile: str
) -> None:
    """Receipts of text are rendered without escpos' picture stack, to the same bytes."""
    renderer = ReceiptRenderer(profile=profile, cut=cut)
    receipt = TEXT_RECEIPTS[name]
    full = renderer._render(render._recorder_class()(renderer._profile), receipt)
    assert renderer.render(receipt) == full
    if receipt.qr is None or renderer.native_qr:  # else the QR code is a picture ("simple")
        assert renderer._render(render._TextRecorder(renderer._profile), receipt) == full


def test_a_text_receipt_imports_no_picture_library() -> None:
    code = (
        "import sys\n"
        "from peripherals.printer.receipt import Line, Qr, Receipt\n"
        "from peripherals.printer.render import ReceiptRenderer\n"
        "ReceiptRenderer().render(Receipt(title='证明', lines=(Line('Hi'),), qr=Qr('AB')))\n"
        "print(sorted({'PIL', 'qrcode', 'barcode'} & set(sys.modules)))\n"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="profile"):
        ReceiptRenderer(profile="no-such-printer")
    with pytest.raises(ValueError):
        ReceiptRenderer(qr="hologram")  # type: ignore[arg-type]


def _escpos_text(text: str) -> bytes:
    printer = Dummy()
    printer.text(text)
    return bytes(printer.output)


NATIVE = ["张三", "张堃，你好！", "地址：北京市朝阳区（东区）", "Room 101", "张三 1234"]
NOT_NATIVE = ["，。！", "「」《》", "안녕하세요", "𠮷", "张𠮷", "㐀", "Café", "张三 안녕"]


@pytest.mark.parametrize("text", NATIVE)
def test_text_judged_native_comes_out_of_escpos_unchanged(text: str) -> None:
    assert prints_natively(text)
    sent = re.sub(rb"^\x1bt.", b"", _escpos_text(text), flags=re.S)
    assert sent.decode("gb18030") == text


@pytest.mark.parametrize("text", NOT_NATIVE)
def test_text_judged_not_native_is_really_mangled_or_beyond_printer_fonts(text: str) -> None:
    assert not prints_natively(text)
    sent = _escpos_text(text)
    question_marks = sent.count(b"?") > text.count("?")
    four_byte = any(len(ch.encode("gb18030")) == 4 for ch in text)
    single_byte_code_page = sent.startswith(b"\x1bt")  # a Chinese-mode printer misreads these
    assert question_marks or four_byte or single_byte_code_page


def test_four_byte_characters_print_natively_when_the_font_has_them() -> None:
    assert prints_natively("张𠮷", four_byte=True)
    assert not prints_natively("𠮷", four_byte=True)  # escpos itself would send `?`


@pytest.mark.parametrize("text", ["，。！", "안녕하세요", "𠮷"])
def test_unencodable_text_is_sent_as_an_image_never_as_question_marks(text: str) -> None:
    data = ReceiptRenderer().render(Receipt(lines=(Line(text),)))
    paper = decode(data)
    assert "?" not in paper.text
    images = [item for item in paper.items if isinstance(item, RasterImage)]
    assert len(images) == 1
    assert images[0].image.width == 576
    # Something was drawn: black pixels exist in the 1-bit image.
    assert images[0].image.convert("L").getextrema()[0] == 0


def test_rows_with_unencodable_values_become_one_image_row() -> None:
    paper = decode(ReceiptRenderer().render(Receipt(rows=(Row("姓名", "김민준"),))))
    assert "김민준" not in paper.text
    assert sum(isinstance(item, RasterImage) for item in paper.items) == 1


def test_long_rows_put_the_value_under_the_key_flush_right() -> None:
    value = "朝阳区某某街道某某社区中心"  # 26 cells: fits a line, not beside the key
    paper = decode(ReceiptRenderer(paper_width=384).render(Receipt(rows=(Row("办理地点", value),))))
    lines = [line for line in paper.lines if line.strip("-")]
    assert lines[0] == "办理地点"
    assert lines[1] == " " * (32 - 26) + value


def test_lines_longer_than_the_paper_wrap_between_words_whole() -> None:
    title = "Elderly allowance - acknowledgement"  # 35 cells: a double-width line holds 24
    footer = "You will be told the outcome by text message; please keep this acknowledgement."
    receipt = Receipt(title=title, footer=(Line(footer),))
    paper = decode(ReceiptRenderer().render(receipt))
    lines = [line.strip() for line in paper.lines if line.strip()]
    assert lines == [
        "Elderly allowance -",
        "acknowledgement",
        "You will be told the outcome by text message;",
        "please keep this acknowledgement.",
    ]


def test_image_qr_has_a_quiet_zone_and_reads_back_from_the_raster() -> None:
    data = ReceiptRenderer(qr="image").render(Receipt(qr=Qr("https://example.cn/v?n=堃", size=5)))
    paper = decode(data)
    assert paper.qr_codes == []
    (image,) = paper.images
    assert image.width <= 576
    results = zxingcpp.read_barcodes(image.convert("L"))
    assert [r.text for r in results] == ["https://example.cn/v?n=堃"]


def test_native_qr_carries_the_utf8_payload() -> None:
    paper = decode(ReceiptRenderer().render(Receipt(qr=Qr("社保 ABC", size=6))))
    (qr,) = [item for item in paper.items if isinstance(item, QrCode)]
    assert (qr.data, qr.size, qr.ec) == ("社保 ABC", 6, "M")


def test_barcode_is_a_hardware_code128() -> None:
    paper = decode(ReceiptRenderer().render(Receipt(barcode=Barcode("SF1234567"))))
    assert any(getattr(item, "data", "") == "{BSF1234567" for item in paper.items)


def test_a_barcode_escpos_rejects_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="EAN13"):
        ReceiptRenderer().render(Receipt(barcode=Barcode("12AB", kind="EAN13")))


def test_rendering_prints_nothing_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    receipt = Receipt(
        title="测试", lines=(Line("안녕"),), qr=Qr("x"), barcode=Barcode("A1"), footer=(Line("完"),)
    )
    for renderer in (
        ReceiptRenderer(),
        ReceiptRenderer(qr="image"),
        ReceiptRenderer(profile="simple"),
    ):
        renderer.render(receipt)
    assert capsys.readouterr().out == ""


def test_title_is_double_size_bold_and_centred() -> None:
    paper = decode(ReceiptRenderer().render(Receipt(title="缴费凭证")))
    first = paper.items[0]
    assert isinstance(first, TextLine)
    assert (first.text, first.align, first.bold, first.width, first.height) == (
        "缴费凭证",
        "center",
        True,
        2,
        2,
    )


def test_font_comes_from_the_option_then_assets_then_the_system(tmp_path: Path) -> None:
    assert find_font(tmp_path) == SYSTEM_FONT
    (tmp_path / "assets" / "fonts").mkdir(parents=True)
    shipped = tmp_path / "assets" / "fonts" / "Kiosk.ttc"
    shipped.write_bytes(SYSTEM_FONT.read_bytes())
    assert find_font(tmp_path) == shipped
    assert find_font(tmp_path, str(SYSTEM_FONT)) == SYSTEM_FONT
    with pytest.raises(DeviceUnavailable) as info:
        find_font(tmp_path, "assets/fonts/missing.otf")
    assert info.value.code == "printer.no_font"


def test_missing_font_is_a_clear_error_only_when_an_image_is_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("peripherals.printer.render.SYSTEM_FONT", tmp_path / "none.ttc")
    renderer = ReceiptRenderer(root=tmp_path)
    assert renderer.render(Receipt(lines=(Line("张三"),)))  # native text needs no font
    with pytest.raises(DeviceUnavailable, match="fonts-wqy-microhei"):
        renderer.render(Receipt(lines=(Line("안녕"),)))


def test_a_footer_drawn_as_a_picture_wraps_between_words_as_text_does() -> None:
    footer = "Look this request up under \u201cRequest status\u201d with its reference number."
    renderer = ReceiptRenderer()
    lines = renderer.image_lines(footer)
    assert len(lines) > 1  # wider than the paper: it wraps
    assert " ".join(lines) == footer  # ...only between words, none cut inside
    paper = decode(renderer.render(Receipt(footer=(Line(footer),))))
    (image,) = paper.images  # the curly quotes make it a picture, of exactly those lines
    assert image.height == len(lines) * (24 + 24 // 4)


@pytest.mark.parametrize(("size", "bold"), [(1, False), (2, True)])
def test_a_picture_line_keeps_its_descenders_inside_its_line(size: int, bold: bool) -> None:
    """A picture line (text a printer font lacks) is printed: its tails must not be cut off."""
    renderer = ReceiptRenderer()
    flat = renderer.text_image("xxxx", "left", bold, size)
    tails = ink_rows(renderer.text_image("ypgjq 龘", "left", bold, size))
    x_rows = ink_rows(flat)
    baseline, x_height = x_rows[-1], x_rows[-1] - x_rows[0]
    assert tails[-1] - baseline >= 0.3 * x_height, (baseline, tails[-1], x_height)
    assert tails[0] > 0 and tails[-1] < flat.height - 1, (tails[0], tails[-1], flat.height)
