"""The receipt picture an administrator signs off: monospaced cells, no stray gaps, every
glyph whole inside its line."""

from __future__ import annotations

import pytest
from PIL import Image

from peripherals.printer.decode import Paper, TextLine
from tests.support.ink import ink_columns, ink_rows, ink_runs


def _ink_columns(image: Image.Image) -> list[bool]:
    grey = image.convert("L")
    return [any(grey.getpixel((x, y)) < 128 for y in range(grey.height)) for x in range(grey.width)]


def test_a_hyphen_sits_in_the_middle_of_its_cell_not_before_a_gap() -> None:
    paper = Paper([TextLine("2020-03", "left", False, 1, 1)])
    ink = _ink_columns(paper.preview(width=24 * 12, margin=0))
    runs, blank = [], 0
    for column in ink[: 7 * 12]:
        if column:
            if blank:
                runs.append(blank)
            blank = 0
        else:
            blank += 1
    # the gaps either side of "-" are even ("2020- 03" had 1 dot before it and 6 after)
    before, after = runs[-3], runs[-2]
    assert abs(after - before) <= 2 and max(runs) <= 5, runs


@pytest.mark.parametrize(("size", "bold"), [(1, False), (1, True), (2, True)])
def test_descenders_are_drawn_whole_inside_their_line(size: int, bold: bool) -> None:
    """English receipts showed "y", "g", "p" with their tails cut off at the line's bottom."""
    picture = Paper([TextLine("xypgjq", "left", bold, size, size)]).preview(width=576, margin=0)
    box, cell = picture.height, 12 * size  # one line's box; font A's half-width cell
    x_rows = ink_rows(picture, range(0, cell))
    tails = ink_rows(picture, range(cell, 6 * cell))
    baseline, x_height = x_rows[-1], x_rows[-1] - x_rows[0]
    # the tails reach well below the baseline (they were cut to a dot or two)...
    assert tails[-1] - baseline >= 0.3 * x_height, (baseline, tails[-1], x_height)
    # ...and end inside the box, with blank paper under them before the next line
    assert tails[-1] < box - 1 and tails[0] > 0, (tails[0], tails[-1], box)


@pytest.mark.parametrize("text", ["高龄津贴申请受理回执", "受理编号 GL01", "Keep this slip: ypgjq"])
def test_chinese_and_latin_ink_stays_inside_the_line(text: str) -> None:
    picture = Paper([TextLine(text, "left", True, 1, 1)]).preview(width=576, margin=0)
    rows = ink_rows(picture)
    assert rows and rows[0] > 0 and rows[-1] < picture.height - 1, (rows[0], rows[-1])


@pytest.mark.parametrize("size", [1, 2])
def test_half_width_letters_keep_to_their_cells_unsqueezed(size: int) -> None:
    """ "acknowledgement" printed its "m" and "w" over their neighbours."""
    picture = Paper([TextLine("mwmwmWMW", "left", False, size, size)]).preview(576, margin=0)
    assert ink_runs(picture) == 8  # each letter apart from the next
    m_ink = [x for x in ink_columns(picture) if x < 12 * size]
    assert m_ink[-1] - m_ink[0] >= 0.6 * 12 * size  # as wide as a cell allows, not narrowed
