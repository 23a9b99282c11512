"""A small ESC/POS interpreter: bytes in, a `Paper` (text lines, images, QR codes, cuts) out.

It models a Chinese-market printer: Chinese mode is on from power-up, so bytes 0x81-0xFE start
GB18030 characters until `FS .`. Real-time `DLE EOT n` is recognised only between commands (as
a printer does), so status bytes inside raster data are data. Used by the simulator and by
tests that check what the renderer sent.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import msgspec

from peripherals.printer.render import display_width, find_font
from peripherals.printer.typeset import LINE_BOX, LINE_DOTS, cell_fonts, line_font

if TYPE_CHECKING:
    from PIL import Image

# Pillow and qrcode are imported where pictures are made: the simulated printer's module loads
# with the configuration check, long before anything is printed.

log = logging.getLogger(__name__)

Align = Literal["left", "center", "right"]
_ALIGNS: dict[int, Align] = {
    0: "left",
    1: "center",
    2: "right",
    48: "left",
    49: "center",
    50: "right",
}
_QR_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}


class TextLine(msgspec.Struct, frozen=True):
    """One printed line of text and the style it started with."""

    text: str
    align: Align = "left"
    bold: bool = False
    width: int = 1
    height: int = 1


class RasterImage(msgspec.Struct, frozen=True):
    """A `GS v 0` (or `GS ( L`) bit image; black pixels are 0 in the 1-bit image."""

    image: Image.Image
    align: Align = "left"


class QrCode(msgspec.Struct, frozen=True):
    """A native `GS ( k` QR code: its payload and module size."""

    data: str
    size: int = 3
    ec: str = "L"
    align: Align = "left"


class BarcodeMark(msgspec.Struct, frozen=True):
    """A native `GS k` barcode (system number `m`) and its data."""

    system: int
    data: str
    align: Align = "left"


class Feed(msgspec.Struct, frozen=True):
    """Blank paper fed, in dots."""

    dots: int


class Cut(msgspec.Struct, frozen=True):
    """The autocutter fired."""

    partial: bool


Item = TextLine | RasterImage | QrCode | BarcodeMark | Feed | Cut


class Paper(msgspec.Struct):
    """Everything printed, in order (a long roll keeps its latest receipts, see `tear_off`)."""

    items: list[Item] = msgspec.field(default_factory=list)
    unknown: list[bytes] = msgspec.field(default_factory=list)
    torn_cuts: int = 0
    """Receipts torn off the front of the roll (they still count in `cuts`)."""

    @property
    def lines(self) -> list[str]:
        """The text lines."""
        return [item.text for item in self.items if isinstance(item, TextLine)]

    @property
    def text(self) -> str:
        """All text, one line per printed line."""
        return "\n".join(self.lines)

    @property
    def images(self) -> list[Image.Image]:
        """The raster images."""
        return [item.image for item in self.items if isinstance(item, RasterImage)]

    @property
    def qr_codes(self) -> list[str]:
        """Payloads of the native QR codes."""
        return [item.data for item in self.items if isinstance(item, QrCode)]

    @property
    def cuts(self) -> int:
        """How many times the paper was cut."""
        return self.torn_cuts + sum(isinstance(item, Cut) for item in self.items)

    def copy(self) -> Paper:
        """A snapshot (items are immutable)."""
        return Paper(list(self.items), list(self.unknown), self.torn_cuts)

    def tear_off(self, keep: int) -> None:
        """Drop the oldest receipts until at most `keep` cut ones remain on the roll."""
        cut_at = [i for i, item in enumerate(self.items) if isinstance(item, Cut)]
        extra = len(cut_at) - keep
        if extra > 0:
            del self.items[: cut_at[extra - 1] + 1]
            self.torn_cuts += extra
        del self.unknown[:-keep]

    def preview(self, width: int = 576, font: Path | None = None, margin: int = 24) -> Image.Image:
        """The paper as a picture: text with the CJK font, images blitted, cuts dashed."""
        from PIL import Image

        font_path = font or find_font()
        parts: list[tuple[Image.Image, Align]] = []
        for item in self.items:
            parts.append(_draw(item, width, font_path))
        total = sum(img.height for img, _ in parts) + 2 * margin
        canvas = Image.new("L", (width + 2 * margin, max(total, 2 * margin)), 255)
        y = margin
        for img, align in parts:
            x = {"left": 0, "center": (width - img.width) // 2}.get(align, width - img.width)
            canvas.paste(img.convert("L"), (margin + max(0, x), y))
            y += img.height
        return canvas


def _draw(item: Item, width: int, font_path: Path) -> tuple[Image.Image, Align]:
    import qrcode
    from PIL import Image, ImageDraw

    if isinstance(item, TextLine):
        img = Image.new("L", (width, LINE_BOX * item.height), 255)
        glyphs = _text_line(item, font_path)
        left = {"left": 0, "center": (width - glyphs.width) // 2}.get(
            item.align, width - glyphs.width
        )
        img.paste(glyphs.crop((0, 0, min(glyphs.width, width), glyphs.height)), (max(0, left), 0))
        return img, "left"
    if isinstance(item, RasterImage):
        return item.image, item.align
    if isinstance(item, QrCode):
        code = qrcode.QRCode(border=4, box_size=item.size)
        code.add_data(item.data)
        code.make(fit=True)
        qr_image: Image.Image = code.make_image().get_image()
        return qr_image.convert("L"), item.align
    if isinstance(item, BarcodeMark):
        font, baseline = line_font(font_path, LINE_DOTS, LINE_BOX)
        img = Image.new("L", (width, 2 * LINE_BOX), 255)
        draw = ImageDraw.Draw(img)
        draw.rectangle((0, 2, width - 1, LINE_BOX - 2), outline=0)
        label = f"[barcode {item.system}] {item.data}"
        draw.text((4, LINE_BOX + baseline), label, font=font, fill=0, anchor="ls")
        return img, item.align
    if isinstance(item, Feed):
        return Image.new("L", (width, item.dots), 255), "left"
    img = Image.new("L", (width, 12), 255)
    draw = ImageDraw.Draw(img)
    for x in range(0, width, 16):
        draw.line((x, 6, x + 8, 6), fill=0, width=2)
    return img, "left"


def _text_line(item: TextLine, font_path: Path) -> Image.Image:
    """One line of text as the printer's font A draws it, in a box of its line's height.

    Printer fonts are monospaced: a half-width character takes a cell of 12 dots, a CJK one two
    (times the magnification), so text is laid out cell by cell, each glyph centred in its cells
    (drawn from the cell's left edge, a narrow "-" would leave a gap: "2020- 03"). A character
    `ESC !`/`GS !` makes wider than tall is drawn at its height and stretched, as a printer
    doubles its dots.
    """
    from PIL import Image, ImageDraw

    fonts = cell_fonts(font_path, item.height)
    spans = [display_width(ch) for ch in item.text]
    glyphs = Image.new("L", (max(1, sum(spans) * fonts.cell), LINE_BOX * item.height), 255)
    draw = ImageDraw.Draw(glyphs)
    x = 0
    for ch, span in zip(item.text, spans, strict=True):
        font = fonts.font_for(ch, span)
        offset = max(0.0, (span * fonts.cell - font.getlength(ch)) / 2)
        position = (x + offset, fonts.baseline)
        draw.text(position, ch, font=font, fill=0, anchor="ls", stroke_width=int(item.bold))
        x += span * fonts.cell
    if item.width != item.height:
        glyphs = glyphs.resize((glyphs.width * item.width // item.height, glyphs.height))
    return glyphs


class Incomplete(Exception):
    """More bytes are needed to finish the current command."""


class EscPosDecoder:
    """Incremental interpreter; `feed()` bytes as they arrive.

    `on_realtime(n)` is called for each `DLE EOT n` at the moment it is parsed; `emit(item)`
    for each printed item (the simulator drops them while the printer is offline).
    """

    def __init__(
        self,
        emit: Callable[[Item], None],
        on_realtime: Callable[[int], None] | None = None,
        unknown: Callable[[bytes], None] | None = None,
    ) -> None:
        self._emit = emit
        self._on_realtime = on_realtime or (lambda n: None)
        self._unknown = unknown or (lambda b: None)
        self._buf = bytearray()
        self._reset()

    def _reset(self) -> None:
        self.align: Align = "left"
        self.bold = False
        self.width = 1
        self.height = 1
        self.chinese = True
        self.codepage = "cp437"
        self._line: list[str] = []
        self._line_style: tuple[Align, bool, int, int] | None = None
        self._qr_data = b""
        self._qr_size = 3
        self._qr_ec = "L"
        self._graphics: Image.Image | None = None

    def feed(self, data: bytes) -> None:
        """Interpret `data`; an unfinished command waits for the next call."""
        self._buf += data
        pos = 0
        while pos < len(self._buf):
            try:
                pos = self._step(pos)
            except Incomplete:
                break
        del self._buf[:pos]

    # -- output -------------------------------------------------------------------------------

    def _char(self, ch: str) -> None:
        if self._line_style is None:
            self._line_style = (self.align, self.bold, self.width, self.height)
        self._line.append(ch)

    def _print_line(self, force: bool = True) -> None:
        if not self._line and not force:
            return
        align, bold, w, h = self._line_style or (self.align, self.bold, self.width, self.height)
        self._emit(TextLine("".join(self._line), align, bold, w, h))
        self._line, self._line_style = [], None

    # -- parsing ------------------------------------------------------------------------------

    def _need(self, pos: int, count: int) -> bytes:
        if pos + count > len(self._buf):
            raise Incomplete
        return bytes(self._buf[pos : pos + count])

    def _step(self, pos: int) -> int:
        b = self._buf[pos]
        if b == 0x0A:
            self._print_line()
            return pos + 1
        if b in (0x0D, 0x00):
            return pos + 1
        if b == 0x09:
            self._char(" " * 4)
            return pos + 1
        if b == 0x0C:
            self._print_line(force=False)
            return pos + 1
        if b == 0x10:
            return self._dle(pos)
        if b == 0x1B:
            return self._esc(pos)
        if b == 0x1D:
            return self._gs(pos)
        if b == 0x1C:
            return self._fs(pos)
        if b < 0x20:
            return pos + 1
        return self._text(pos)

    def _text(self, pos: int) -> int:
        b = self._buf[pos]
        if b < 0x80:
            self._char(chr(b))
            return pos + 1
        if not self.chinese:
            self._char(bytes([b]).decode(self.codepage, errors="replace"))
            return pos + 1
        if b in (0x80, 0xFF):
            self._char("\ufffd")
            return pos + 1
        second = self._need(pos, 2)[1]
        size = 4 if 0x30 <= second <= 0x39 else 2
        raw = self._need(pos, size)
        self._char(raw.decode("gb18030", errors="replace"))
        return pos + size

    def _dle(self, pos: int) -> int:
        cmd = self._need(pos, 2)[1]
        if cmd == 0x04:  # DLE EOT n: real-time status
            self._on_realtime(self._need(pos, 3)[2])
            return pos + 3
        if cmd == 0x05:  # DLE ENQ n
            self._need(pos, 3)
            return pos + 3
        if cmd == 0x14:  # DLE DC4 fn m t
            self._need(pos, 5)
            return pos + 5
        self._unknown(self._need(pos, 2))
        return pos + 2

    def _esc(self, pos: int) -> int:
        cmd = self._need(pos, 2)[1]
        one_arg = b"!E-aJ3MGV{tR =ecrU"
        if cmd == ord("@"):
            self._print_line(force=False)
            self._reset()
            return pos + 2
        if cmd in b"2<SL\x0c":
            return pos + 2
        if cmd in b"$\\":
            self._need(pos, 4)
            return pos + 4
        if cmd == ord("d"):
            n = self._need(pos, 3)[2]
            self._print_line(force=False)
            self._emit(Feed(n * LINE_BOX))
            return pos + 3
        if cmd == ord("p"):
            self._need(pos, 5)
            return pos + 5
        if cmd == ord("*"):
            m, nl, nh = self._need(pos, 5)[2:5]
            count = (nl + 256 * nh) * (1 if m in (0, 1) else 3)
            self._need(pos, 5 + count)
            return pos + 5 + count
        if cmd == ord("c"):
            self._need(pos, 4)
            return pos + 4
        if cmd in one_arg:
            arg = self._need(pos, 3)[2]
            self._esc_arg(cmd, arg)
            return pos + 3
        self._unknown(self._need(pos, 2))
        return pos + 2

    def _esc_arg(self, cmd: int, arg: int) -> None:
        if cmd == ord("!"):
            self.bold = bool(arg & 0x08)
            self.height = 2 if arg & 0x10 else 1
            self.width = 2 if arg & 0x20 else 1
        elif cmd == ord("E"):
            self.bold = bool(arg & 1)
        elif cmd == ord("a"):
            self.align = _ALIGNS.get(arg, "left")
        elif cmd == ord("J"):
            self._print_line(force=False)
            self._emit(Feed(arg))
        elif cmd == ord("t"):
            self.codepage = _codepage(arg)

    def _gs(self, pos: int) -> int:
        cmd = self._need(pos, 2)[1]
        if cmd == ord("v"):  # GS v 0 m xL xH yL yH d...
            head = self._need(pos, 8)
            xbytes, rows = head[4] + 256 * head[5], head[6] + 256 * head[7]
            data = self._need(pos, 8 + xbytes * rows)[8:]
            self._print_line(force=False)
            self._emit(RasterImage(_bits_image(data, xbytes, rows), self.align))
            return pos + 8 + xbytes * rows
        if cmd == ord("("):  # GS ( X pL pH ...
            head = self._need(pos, 5)
            size = head[3] + 256 * head[4]
            body = self._need(pos, 5 + size)[5:]
            if head[2] == ord("k"):
                self._gs_k(body)
            elif head[2] == ord("L"):
                self._gs_l(body)
            return pos + 5 + size
        if cmd == ord("V"):
            m = self._need(pos, 3)[2]
            length = 4 if m in (65, 66, 97, 98, 103, 104) else 3
            self._need(pos, length)
            self._print_line(force=False)
            self._emit(Cut(partial=m in (1, 49, 66, 98, 104)))
            return pos + length
        if cmd == ord("k"):
            return self._gs_barcode(pos)
        if cmd == ord("!"):
            arg = self._need(pos, 3)[2]
            self.width, self.height = (arg >> 4) + 1, (arg & 0x0F) + 1
            return pos + 3
        if cmd in b"hwfHBbarI":
            self._need(pos, 3)
            return pos + 3
        if cmd in b"LWP$\\":
            self._need(pos, 4)
            return pos + 4
        self._unknown(self._need(pos, 2))
        return pos + 2

    def _gs_k(self, body: bytes) -> None:
        if len(body) < 2 or body[0] != 49:  # cn 49 = QR; PDF417 and others are not drawn
            return
        fn = body[1]
        if fn == 67 and len(body) > 2:
            self._qr_size = body[2]
        elif fn == 69 and len(body) > 2:
            self._qr_ec = _QR_EC.get(body[2], "L")
        elif fn == 80:
            self._qr_data = body[3:]
        elif fn == 81:
            self._print_line(force=False)
            text = self._qr_data.decode("utf-8", errors="replace")
            self._emit(QrCode(text, self._qr_size, self._qr_ec, self.align))

    def _gs_l(self, body: bytes) -> None:
        if len(body) >= 2 and body[1] == 0x70 and len(body) >= 10:  # store raster graphics
            width, height = body[6] + 256 * body[7], body[8] + 256 * body[9]
            xbytes = (width + 7) // 8
            self._graphics = _bits_image(body[10:], xbytes, height).crop((0, 0, width, height))
        elif len(body) >= 2 and body[1] == 0x32 and self._graphics is not None:  # print it
            self._print_line(force=False)
            self._emit(RasterImage(self._graphics, self.align))
            self._graphics = None

    def _gs_barcode(self, pos: int) -> int:
        m = self._need(pos, 3)[2]
        if m <= 6:
            end = self._buf.find(b"\x00", pos + 3)
            if end < 0:
                raise Incomplete
            data, after = bytes(self._buf[pos + 3 : end]), end + 1
        else:
            n = self._need(pos, 4)[3]
            data, after = self._need(pos, 4 + n)[4:], pos + 4 + n
        self._print_line(force=False)
        self._emit(BarcodeMark(m, data.decode("ascii", errors="replace"), self.align))
        return after

    def _fs(self, pos: int) -> int:
        cmd = self._need(pos, 2)[1]
        if cmd == ord("&"):
            self.chinese = True
            return pos + 2
        if cmd == ord("."):
            self.chinese = False
            return pos + 2
        if cmd in b"!-WC":
            self._need(pos, 3)
            return pos + 3
        if cmd in b"Sp":
            self._need(pos, 4)
            return pos + 4
        self._unknown(self._need(pos, 2))
        return pos + 2


def _bits_image(data: bytes, xbytes: int, rows: int) -> Image.Image:
    from PIL import Image

    # ESC/POS sets a bit for a black dot; Pillow's mode "1" reads a set bit as white.
    inverted = bytes(b ^ 0xFF for b in data[: xbytes * rows])
    return Image.frombytes("1", (xbytes * 8, rows), inverted)


def _codepage(number: int) -> str:
    try:
        from escpos.capabilities import get_profile_class

        name = get_profile_class("default").profile_data["codePages"].get(str(number), "")
        return codecs.lookup(str(name).lower().replace("_", "-")).name
    except (LookupError, KeyError):
        return "cp437"


def decode(data: bytes) -> Paper:
    """Interpret a whole ESC/POS byte string (status queries in it are ignored)."""
    paper = Paper()
    decoder = EscPosDecoder(paper.items.append, unknown=paper.unknown.append)
    decoder.feed(data)
    return paper
