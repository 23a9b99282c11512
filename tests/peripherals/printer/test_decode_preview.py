"""The receipt picture an administrator signs off: monospaced cells, no stray gaps."""

from __future__ import annotations

from PIL import Image

from peripherals.printer.decode import Paper, TextLine


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
