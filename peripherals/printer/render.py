"""Render a `Receipt` once to ESC/POS bytes with python-escpos.

Text python-escpos sends faithfully (ASCII, or text it sends whole as GB18030) goes out as text;
anything else (rare characters, strings of only CJK punctuation, Hangul) is drawn with the kiosk's
CJK font and sent as a raster image, because escpos would print `?` for it or a Chinese-market
printer's font would lack the glyph.
"""

from __future__ import annotations

import copy
import functools
import logging
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from peripherals.errors import DeviceUnavailable
from peripherals.line_breaks import CLOSING, broken
from peripherals.printer.escpos_cache import import_escpos
from peripherals.printer.receipt import Align, Barcode, Line, Qr, Receipt, Row
from peripherals.printer.typeset import CHAR_DOTS, LINE_BOX, LINE_DOTS, line_font

if TYPE_CHECKING:
    from escpos.printer import Dummy as _Recorder
    from PIL import Image

# python-escpos, Pillow and qrcode are imported where they are used: loading this module (as the
# configuration check does for every printer driver) stays cheap.

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The checkout this package lives in; the default root for `assets/fonts`."""

SYSTEM_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
"""Debian's `fonts-wqy-microhei`: Chinese, Latin and Hangul from its first face."""

DEFAULT_PAPER_WIDTH = 576
"""Printable dots of an 80 mm printer at 203 dpi, used when the profile does not say."""


def _has_han(text: str) -> bool:
    """Whether `text` has a common Han character (U+4E00-U+9FA5).

    Mirrors escpos.magicencode.MagicEncode.write: any such character makes escpos send the whole
    string as GB18030; otherwise it looks for a single-byte code page and writes `?` on failure.
    Tested in Python: a regular expression class of that range takes a millisecond to compile.
    """
    return any("\u4e00" <= ch <= "\u9fa5" for ch in text)


def find_font(root: Path | None = None, font: str | Path | None = None) -> Path:
    """The CJK font for text drawn as images: `font`, else `root/assets/fonts/*`, else wqy."""
    if font:
        path = Path(font)
        if not path.is_absolute() and root is not None:
            path = root / path
        if path.is_file():
            return path
        raise DeviceUnavailable(f"printer font {path} does not exist", code="printer.no_font")
    fonts_dir = (root or REPO_ROOT) / "assets" / "fonts"
    candidates: list[Path] = []
    if fonts_dir.is_dir():
        candidates = sorted(
            p for p in fonts_dir.iterdir() if p.suffix.lower() in (".otf", ".ttf", ".ttc")
        )
    candidates.append(SYSTEM_FONT)
    for path in candidates:
        if path.is_file():
            return path
    raise DeviceUnavailable(
        f"no CJK font for the printer: put one in {fonts_dir} or apt-get install "
        "fonts-wqy-microhei",
        code="printer.no_font",
    )


def prints_natively(text: str, *, four_byte: bool = False) -> bool:
    """Whether python-escpos sends `text` so a Chinese-market printer prints it as written.

    ASCII always is. Text with a common Han character is sent whole as GB18030; it prints if
    every character is in the two-byte (GBK) part that printer fonts carry, or `four_byte` says
    the printer's font has the four-byte part too. Anything else escpos maps to a single-byte
    code page, which turns CJK punctuation and Hangul into `?` and which a printer in Chinese
    mode would misread as double-byte codes anyway.
    """
    if text.isascii():
        return True
    if not _has_han(text):
        return False
    try:
        encoded = text.encode("gb18030")
    except UnicodeEncodeError:  # lone surrogates
        return False
    if encoded.decode("gb18030") != text:
        return False
    # Two bytes per non-ASCII character means no four-byte sequence (counted, not looped).
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return four_byte or len(encoded) == len(text) + non_ascii


def display_width(text: str) -> int:
    """Width in half-width character cells (CJK and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def fit_lines(text: str, cells: int) -> list[str]:
    """`text` broken into lines of at most `cells` half-width cells, as Chinese is typeset
    (`peripherals.line_breaks`: after any CJK character but never before a closing mark or after
    an opening one, a number kept with its unit, words at spaces), a word longer than a line cut
    where the line ends (a printer given a longer line would break it anywhere, or cut it off)."""
    return fit_measured(text, cells, display_width)


def fit_measured(text: str, limit: float, measure: Callable[[str], float]) -> list[str]:
    """`text` broken as `fit_lines` breaks it, each line at most `limit` by `measure` (cells of
    the printer's font, or dots of a picture's)."""
    lines: list[str] = []
    for line in broken(text, limit, measure, markup=False).split("\n"):
        while measure(line) > limit:  # a run wider than a whole line
            cut = 0
            while cut < len(line) and measure(line[: cut + 1]) <= limit:
                cut += 1
            while cut > 1 and line[cut] in CLOSING:  # `）。` go with what they close
                cut -= 1
            lines.append(line[: max(cut, 1)])
            line = line[max(cut, 1) :].lstrip()
        lines.append(line)
    return lines


@functools.cache
def _recorder_class() -> type[Any]:
    """`_Recorder`, defined on first use: python-escpos is imported only when printing."""
    import_escpos()
    from escpos.printer import Dummy

    class _Recorder(Dummy):  # type: ignore[misc]
        """A `Dummy` whose output can be rolled back when a text comes out unlike it should."""

        def __init__(self, profile: Any) -> None:
            super().__init__(profile=profile)
            self.buffer = bytearray()

        pictures = True
        """Whether `image` may be called (see `_TextRecorder`)."""

        def _raw(self, msg: bytes) -> None:
            self.buffer += msg

    return _Recorder


class _NeedsPictures(Exception):
    """A receipt rendered with `_TextRecorder` needs a picture: `Escpos` must render it."""


class _TextRecorder:
    """What a receipt of text and a native QR code asks of python-escpos' `Escpos`, done with the
    library's own parts that do not need Pillow: its commands (`escpos.constants`) and its text
    encoder (`escpos.magicencode`, code pages and GB18030). `escpos.escpos` imports
    python-barcode, qrcode and Pillow at its top (~40 ms of CPU, most of printing a receipt) for
    pictures and barcodes only. Each method sends the bytes `Escpos`' method of that name does
    (tests compare every shipped receipt); a picture raises `_NeedsPictures`."""

    pictures = False

    def __init__(self, profile: Any) -> None:
        from escpos.magicencode import MagicEncode

        self.profile = profile
        self.buffer = bytearray()
        self.magic = MagicEncode(self)

    def _raw(self, msg: bytes) -> None:
        self.buffer += msg

    def text(self, txt: str) -> None:
        """`Escpos.text`: the text in the code page (or GB18030) the encoder picks."""
        self.magic.write(str(txt))

    def set(
        self,
        align: str | None = None,
        bold: bool | None = None,
        custom_size: bool | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> None:
        """`Escpos.set` for the settings a receipt uses, in `Escpos.set`'s order."""
        from escpos.constants import TXT_SIZE, TXT_STYLE
        from escpos.exceptions import SetVariableError

        if custom_size:
            if not (isinstance(width, int) and isinstance(height, int)):
                raise SetVariableError()
            if not (1 <= width <= 8 and 1 <= height <= 8):
                raise SetVariableError()
            self._raw(TXT_SIZE + bytes([TXT_STYLE["width"][width] + TXT_STYLE["height"][height]]))
        if bold is not None:
            self._raw(TXT_STYLE["bold"][bold])
        if align is not None:
            self._raw(TXT_STYLE["align"][align])

    def qr(self, content: str, ec: int, size: int, native: bool) -> None:
        """`Escpos.qr(native=True)`: model 2, drawn by the printer (`GS ( k`)."""
        from escpos.constants import QR_MODEL_2

        if not native:
            raise _NeedsPictures
        if not 1 <= size <= 16:
            raise ValueError("Invalid block size (must be 1-16)")
        if content == "":
            return
        self._code_data(65, bytes([48 + QR_MODEL_2, 0]))
        self._code_data(67, bytes([size]))
        self._code_data(69, bytes([48 + ec]))
        self._code_data(80, content.encode("utf-8"), b"0")
        self._code_data(81, b"", b"0")

    def _code_data(self, fn: int, data: bytes, m: bytes = b"") -> None:
        from escpos.constants import GS

        size = len(data) + len(m) + 2
        self._raw(GS + b"(k" + size.to_bytes(2, "little") + b"1" + bytes([fn]) + m + data)

    def print_and_feed(self, n: int = 1) -> None:
        """`Escpos.print_and_feed`: print what is buffered and feed `n` lines."""
        from escpos.constants import ESC

        if not 0 <= n <= 255:
            raise ValueError("n must be betwen 0 and 255")
        self._raw(ESC + b"d" + bytes([n]))

    def cut(self, mode: str = "FULL") -> None:
        """`Escpos.cut`: feed, then cut as asked, or as the model can."""
        from escpos.constants import PAPER_FULL_CUT, PAPER_PART_CUT

        self.print_and_feed(6)
        mode = mode.upper()
        if mode not in ("FULL", "PART"):
            raise ValueError("Mode must be one of ('FULL', 'PART')")
        cuts = [("paperFullCut", PAPER_FULL_CUT), ("paperPartCut", PAPER_PART_CUT)]
        for feature, command in cuts[::-1] if mode == "PART" else cuts:
            if self.profile.supports(feature):
                self._raw(command)
                return

    def image(self, *args: Any, **kwargs: Any) -> None:
        """A picture: not without Pillow."""
        raise _NeedsPictures


class ReceiptRenderer:
    """Turns receipts into ESC/POS bytes for one printer model (profile, paper width, options).

    `qr="native"` sends `GS ( k` (the printer draws the code); `qr="image"` sends a raster with a
    four-module quiet zone (escpos' own image QR has one module, too little for some readers).
    `cut` is `"full"` or `"partial"`; the profile decides whether the model cuts at all.
    """

    def __init__(
        self,
        *,
        profile: str = "default",
        paper_width: int | None = None,
        qr: Literal["native", "image"] = "native",
        cut: Literal["full", "partial"] = "full",
        font: str | Path | None = None,
        root: Path | None = None,
        four_byte: bool = False,
    ) -> None:
        if qr not in ("native", "image"):
            raise ValueError(f"qr must be 'native' or 'image', not {qr!r}")
        if cut not in ("full", "partial"):
            raise ValueError(f"cut must be 'full' or 'partial', not {cut!r}")
        import_escpos()
        from escpos.capabilities import Profile, get_profile_class

        try:
            base = get_profile_class(profile)
        except KeyError:
            raise ValueError(f"unknown python-escpos printer profile {profile!r}") from None
        # The profile's data is a class attribute shared by every printer: copy before editing.
        data: dict[str, Any] = copy.deepcopy(base.profile_data)
        media = data.setdefault("media", {})
        width = media.setdefault("width", {})
        if paper_width is None:
            pixels = width.get("pixels")
            paper_width = pixels if isinstance(pixels, int) else DEFAULT_PAPER_WIDTH
        if paper_width < 96:
            raise ValueError(f"paper width {paper_width} dots is too narrow for a receipt")
        # Setting width and dpi keeps escpos from print()ing warnings about them to stdout.
        width["pixels"] = paper_width
        if not isinstance(media.get("dpi"), int):
            media["dpi"] = 203
        # escpos passes only `Profile` instances through; its constructor shadows `features`.
        self._profile = Profile(features=data.get("features", {}))
        self._profile.profile_data = data
        self.paper_width = paper_width
        self.columns = paper_width // CHAR_DOTS
        features = data.get("features", {})
        self.can_cut = bool(features.get("paperFullCut") or features.get("paperPartCut"))
        self.native_qr = qr == "native" and bool(features.get("qrCode"))
        self._hw_barcode = bool(features.get("barcodeB"))
        self._cut_mode = "FULL" if cut == "full" else "PART"
        self._font_option = font
        self._root = root
        self._four_byte = four_byte
        self._font_path: Path | None = None

    def font_path(self) -> Path:
        """The CJK font used for image text (resolved on first need)."""
        if self._font_path is None:
            self._font_path = find_font(self._root, self._font_option)
        return self._font_path

    def render(self, receipt: Receipt) -> bytes:
        """The whole receipt as ESC/POS bytes, starting with `ESC @` and ending with the cut.

        A receipt of text (and a QR code the printer draws) is rendered without Pillow and
        python-escpos' picture and barcode stack (`_TextRecorder`); one needing a picture, by
        python-escpos' `Escpos` (a `Dummy` printer)."""
        if receipt.barcode is None:
            try:
                return self._render(_TextRecorder(self._profile), receipt)
            except _NeedsPictures:
                log.debug("the receipt needs pictures: rendered with python-escpos' Escpos")
        return self._render(_recorder_class()(self._profile), receipt)

    def _render(self, p: _Recorder, receipt: Receipt) -> bytes:
        from escpos.constants import HW_INIT

        p._raw(HW_INIT)
        if receipt.title:
            self._line(p, Line(receipt.title, align="center", bold=True, size=2))
        for line in receipt.lines:
            self._line(p, line)
        if receipt.rows:
            self._rule(p)
            for row in receipt.rows:
                self._row(p, row)
            self._rule(p)
        if receipt.qr is not None:
            self._qr(p, receipt.qr)
        if receipt.barcode is not None:
            self._barcode(p, receipt.barcode)
        for line in receipt.footer:
            self._line(p, line)
        p.set(align="left", bold=False, custom_size=True, width=1, height=1)
        if receipt.cut and self.can_cut:
            p.cut(mode=self._cut_mode)
        else:
            p.print_and_feed(6)
        return bytes(p.buffer)

    # -- text ---------------------------------------------------------------------------------

    def _try_text(self, p: _Recorder, text: str) -> bool:
        """Write `text` + LF natively if escpos sends exactly what the printer should print."""
        if not prints_natively(text, four_byte=self._four_byte):
            return False
        mark, encoding = len(p.buffer), p.magic.encoding
        p.text(text + "\n")
        sent = bytes(p.buffer[mark:])
        # Check against what escpos really produced (a code-page switch may precede ASCII).
        body = re.sub(rb"^\x1bt[\x00-\xff]", b"", sent) if text.isascii() else sent
        if body == (text + "\n").encode("gb18030"):
            return True
        log.debug("escpos mangled a text of %d characters; printing it as an image", len(text))
        del p.buffer[mark:]
        p.magic.encoding = encoding
        return False

    def _line(self, p: _Recorder, line: Line) -> None:
        p.set(align=line.align, bold=line.bold, custom_size=True, width=line.size, height=line.size)
        parts = fit_lines(line.text, max(1, self.columns // line.size))
        mark, encoding = len(p.buffer), p.magic.encoding
        if not all(self._try_text(p, part) for part in parts):
            del p.buffer[mark:]  # as one picture, wrapped by the picture's own measure
            p.magic.encoding = encoding
            p.set(align="left")
            self._picture(p)
            self._image(p, self.text_image(line.text, line.align, line.bold, line.size))

    def _rule(self, p: _Recorder) -> None:
        p.set(align="left", bold=False, custom_size=True, width=1, height=1)
        p.text("-" * self.columns + "\n")

    def _row(self, p: _Recorder, row: Row) -> None:
        p.set(align="left", bold=False, custom_size=True, width=1, height=1)
        gap = self.columns - display_width(row.key) - display_width(row.value)
        if gap >= 1:
            texts = [row.key + " " * gap + row.value]
        else:  # too long for one line: key, then the value flush right below it
            pad = max(0, self.columns - display_width(row.value))
            texts = [row.key, " " * pad + row.value]
        if all(prints_natively(t, four_byte=self._four_byte) for t in texts):
            for text in texts:
                if not self._try_text(p, text):
                    self._picture(p)
                    self._image(p, self.text_image(text, "left", False, 1))
            return
        self._picture(p)
        self._image(p, self.row_image(row))

    # -- images -------------------------------------------------------------------------------

    @staticmethod
    def _picture(p: _Recorder) -> None:
        """Before drawing a picture: `_NeedsPictures` if `p` cannot send one."""
        if not p.pictures:
            raise _NeedsPictures

    def _image(self, p: _Recorder, image: Image.Image, center: bool = False) -> None:
        p.image(image, impl="bitImageRaster", center=center)

    def image_lines(self, text: str, size: int = 1) -> list[str]:
        """The lines a text drawn as a picture at `size` takes: broken between words (or after
        any CJK character) to the paper's width, as text lines are."""
        font = line_font(self.font_path(), LINE_DOTS * size, LINE_BOX * size).font
        return fit_measured(text, self.paper_width, font.getlength)

    def text_image(self, text: str, align: Align, bold: bool, size: int) -> Image.Image:
        """Text drawn with the CJK font across the paper width, wrapped, as a 1-bit image."""
        from PIL import Image, ImageDraw

        line_height = LINE_BOX * size
        font, baseline = line_font(self.font_path(), LINE_DOTS * size, line_height)
        lines = self.image_lines(text, size)
        image = Image.new("L", (self.paper_width, line_height * len(lines)), 255)
        draw = ImageDraw.Draw(image)
        for i, part in enumerate(lines):
            length = font.getlength(part)
            x = {"left": 0.0, "center": (self.paper_width - length) / 2}.get(
                align, self.paper_width - length
            )
            y = i * line_height + baseline
            draw.text((x, y), part, font=font, fill=0, anchor="ls", stroke_width=int(bold))
        return _binarize(image)

    def row_image(self, row: Row) -> Image.Image:
        """A key-value row drawn with the CJK font: key left, value right (below if too long)."""
        from PIL import Image, ImageDraw

        font, baseline = line_font(self.font_path(), LINE_DOTS, LINE_BOX)
        key_len, value_len = font.getlength(row.key), font.getlength(row.value)
        two_lines = key_len + value_len + CHAR_DOTS > self.paper_width
        image = Image.new("L", (self.paper_width, LINE_BOX * (2 if two_lines else 1)), 255)
        draw = ImageDraw.Draw(image)
        draw.text((0, baseline), row.key, font=font, fill=0, anchor="ls")
        y = baseline + (LINE_BOX if two_lines else 0)
        x = max(0.0, self.paper_width - value_len)
        draw.text((x, y), row.value, font=font, fill=0, anchor="ls")
        return _binarize(image)

    def qr_image(self, qr: Qr) -> Image.Image:
        """The QR code as an image with a four-module quiet zone, no wider than the paper."""
        import qrcode

        code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(qr.data)
        code.make(fit=True)
        modules = code.modules_count + 2 * code.border
        code.box_size = max(1, min(qr.size, self.paper_width // modules))
        image: Image.Image = code.make_image().get_image()
        return image.convert("1")

    # -- codes --------------------------------------------------------------------------------

    def _qr(self, p: _Recorder, qr: Qr) -> None:
        p.set(align="center", bold=False, custom_size=True, width=1, height=1)
        if self.native_qr:
            from escpos.constants import QR_ECLEVEL_M

            p.qr(qr.data, ec=QR_ECLEVEL_M, size=qr.size, native=True)
            p.text("\n")
        else:
            self._picture(p)
            self._image(p, self.qr_image(qr), center=True)
        if qr.description:
            self._line(p, Line(qr.description, align="center"))

    def _barcode(self, p: _Recorder, barcode: Barcode) -> None:
        from escpos.exceptions import Error as EscposError

        data = barcode.data
        if barcode.kind == "CODE128" and not data.startswith("{"):
            data = "{B" + data  # escpos wants the code set selector for CODE128
        try:
            if self._hw_barcode:
                # The public `barcode()` print()s its renderer choice to stdout; this is the
                # same hardware path without that.
                p._hw_barcode(data, barcode.kind, height=80, width=2, align_ct=True)
            else:
                p._sw_barcode(
                    barcode.kind.lower().replace("-", ""),
                    barcode.data,
                    impl="bitImageRaster",
                    center=True,
                )
        except EscposError as exc:
            raise ValueError(f"barcode {barcode.kind} cannot encode that data: {exc}") from exc
        p.text("\n")


def _binarize(image: Image.Image) -> Image.Image:
    from PIL import Image

    # Threshold rather than dither: dithered anti-aliasing prints as speckles around glyphs.
    return image.point(lambda v: 255 if v >= 160 else 0).convert("1", dither=Image.Dither.NONE)
