"""Where a picture of printed paper has ink: its rows and columns, as a reader would see them."""

from __future__ import annotations

from PIL import Image


def ink_rows(image: Image.Image, columns: range | None = None) -> list[int]:
    """The rows with a dark pixel (in `columns` only, if given), top to bottom."""
    grey = image.convert("L")
    xs = columns if columns is not None else range(grey.width)
    return [y for y in range(grey.height) if any(grey.getpixel((x, y)) < 128 for x in xs)]


def ink_columns(image: Image.Image) -> list[int]:
    """The columns with a dark pixel, left to right."""
    return ink_rows(image.transpose(Image.Transpose.TRANSPOSE))


def ink_runs(image: Image.Image) -> int:
    """How many separate runs of inked columns there are (glyphs that touch make one run)."""
    columns = ink_columns(image)
    return sum(1 for i, x in enumerate(columns) if i == 0 or columns[i - 1] != x - 1)
