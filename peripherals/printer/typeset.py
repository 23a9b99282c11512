"""How printed text is set in its line: faces at sizes, and a baseline that keeps every glyph's
ink (Latin descenders, the CJK em box, a bold stroke) inside the line's box.

A line box is `LINE_DOTS` dots of font and a quarter more of spacing (30 dots, the printers'
default line spacing). Pillow draws text from the font's ascent by default, and a CJK font's
ascent and descent together are taller than that box (Noto Sans CJK: 1.45 em, 35 dots at 24):
drawn that way the bottom of "y", "g", "p" fell outside the box and was cut off. Here the ink
that a face can draw (every ASCII glyph, a few ideographs, full-width punctuation) is measured
and centred in the box, the face made smaller only if that ink is taller than the box.
"""

from __future__ import annotations

import functools
import logging
import string
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from PIL import ImageFont

log = logging.getLogger(__name__)

CHAR_DOTS = 12
"""Width of one half-width character of font A (12x24); a CJK character takes two."""

LINE_DOTS = 24
"""Height of one text line in font A, and the pixel size of image-rendered text at size 1."""

LINE_BOX = LINE_DOTS + LINE_DOTS // 4
"""Height of a line of text with its spacing (30 dots, `ESC 2`), at magnification 1."""

HALF_WIDTH_SAMPLE = string.printable.strip()
"""Every printable ASCII glyph: the tallest ("|", "Å" aside) and the deepest ("g", "j", "_")."""

WIDE_SAMPLE = "中国龘永鬱，。（）【】"
"""Ideographs and full-width punctuation reaching the top and bottom of the CJK em box."""

MONOSPACED_FACES: tuple[tuple[Path, str], ...] = (
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), "Noto Sans Mono CJK SC"),
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"), "DejaVu Sans Mono"),
)
"""Where the half-width glyphs of the simulated printer's font A come from, first found first:
Debian's `fonts-noto-cjk` (its monospaced face draws Latin in exactly half an em, as a Chinese
printer's 12x24 font does) and `fonts-dejavu-core`."""


@functools.lru_cache(maxsize=32)
def load_font(path: Path, size: int, index: int = 0) -> ImageFont.FreeTypeFont:
    """A FreeType font at a pixel size (cached: loading a 5 MB collection takes milliseconds)."""
    from PIL import ImageFont

    return ImageFont.truetype(str(path), size, index=index)


def ink_band(font: ImageFont.FreeTypeFont, sample: str, stroke: int = 0) -> tuple[int, int]:
    """The rows `sample`'s ink reaches above (negative) and below the baseline."""
    _, top, _, bottom = font.getbbox(sample, anchor="ls", stroke_width=stroke)
    return int(top), int(bottom)


def centred_baseline(band: tuple[int, int], box: int) -> int:
    """The baseline's row in a box `box` dots tall that centres the ink `band` in it."""
    top, bottom = band
    return (box - (bottom - top)) // 2 - top


class LineFont(NamedTuple):
    """A proportional face sized for its line, and where its baseline lies in the line box."""

    font: ImageFont.FreeTypeFont
    baseline: int


@functools.lru_cache(maxsize=16)
def line_font(path: Path, size: int, box: int) -> LineFont:
    """The font at `path` at `size` (smaller if its ink, bold, would not fit a `box`-dot line)."""
    while True:
        font = load_font(path, size)
        band = ink_band(font, HALF_WIDTH_SAMPLE + WIDE_SAMPLE, stroke=1)
        if band[1] - band[0] <= box or size <= 1:
            return LineFont(font, centred_baseline(band, box))
        size -= 1


@functools.cache
def monospaced_face() -> tuple[Path, int] | None:
    """The first of `MONOSPACED_FACES` installed: its file and face index, else None."""
    for path, name in MONOSPACED_FACES:
        if not path.is_file():
            continue
        for index in range(32):
            try:
                face = load_font(path, LINE_DOTS, index)
            except OSError:  # past the collection's last face
                break
            if face.getname()[0] == name:
                return path, index
    log.debug("no monospaced face installed: half-width glyphs drawn from the CJK font")
    return None


class CellFonts(NamedTuple):
    """The printer's font A at one magnification: full-width glyphs from the CJK font in cells of
    two, half-width glyphs from a monospaced face in cells of one, on one baseline."""

    wide: ImageFont.FreeTypeFont
    narrow: ImageFont.FreeTypeFont
    baseline: int
    cell: int

    def font_for(self, ch: str, width: int) -> ImageFont.FreeTypeFont:
        """The face that draws `ch`, which takes `width` cells."""
        return self.wide if width > 1 else self.narrow


@functools.lru_cache(maxsize=16)
def cell_fonts(path: Path, magnification: int) -> CellFonts:
    """Font A at `magnification` with the CJK font at `path`: each half-width glyph fits its
    cell (a face whose widest ASCII glyph is wider than a cell is drawn smaller, never narrowed,
    so "m" and "w" never run into their neighbours) and all the ink fits the line box."""
    box, cell = LINE_BOX * magnification, CHAR_DOTS * magnification
    narrow_path, narrow_index = monospaced_face() or (path, 0)
    size = LINE_DOTS * magnification
    while True:
        wide = load_font(path, size)
        widest = max(load_font(narrow_path, size, narrow_index).getlength(ch) for ch in "MWmw@")
        narrow_size = min(size, int(size * cell / widest)) if widest > 0 else size
        narrow = load_font(narrow_path, narrow_size, narrow_index)
        top_w, bottom_w = ink_band(wide, WIDE_SAMPLE, stroke=1)
        top_n, bottom_n = ink_band(narrow, HALF_WIDTH_SAMPLE, stroke=1)
        band = min(top_w, top_n), max(bottom_w, bottom_n)
        if band[1] - band[0] <= box or size <= 1:
            return CellFonts(wide, narrow, centred_baseline(band, box), cell)
        size -= 1
