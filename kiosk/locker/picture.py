"""The locker drawn as a PNG: cabinets side by side, each compartment with its id, size, state."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kiosk.locker.layout import Layout

CELL_W, CELL_H, GAP, MARGIN, LEGEND_H = 120, 80, 24, 20, 22

STATE_COLOURS: dict[str, str] = {
    "free": "#d8f0d8",
    "reserved": "#fff2b3",
    "occupied": "#b9d3f0",
    "refused": "#f7c99a",
    "out_of_service": "#9a9a9a",
    "door_open": "#f5b3b3",
    "door_unknown": "#e0c0f0",
}
"""Fill colour of each compartment state."""


def draw_layout(
    layout: Layout,
    states: Mapping[str, str],
    out: Path,
    *,
    words: Mapping[str, str] | None = None,
    font_file: Path | None = None,
) -> Path:
    """Write the picture to `out`: one block per cabinet, bottom row at the bottom.

    `words` names each state, height band (`low`, `middle`, `high`), `wheelchair` and `cabinet`
    (a template with `{cabinet}`) in the reader's language, drawn with `font_file` (a CJK font
    for Chinese); the defaults are English.
    """
    named = {"cabinet": "Cabinet {cabinet}", "wheelchair": "W/C"}
    named.update({s: s.replace("_", " ") for s in STATE_COLOURS})
    named.update(words or {})
    widths = [layout.columns(c) for c in layout.cabinets]
    rows = max(layout.rows(c) for c in layout.cabinets)
    width = 2 * MARGIN + sum(w * CELL_W for w in widths) + GAP * (len(widths) - 1)
    height = 2 * MARGIN + 30 + rows * CELL_H + 20 + 2 * LEGEND_H  # a legend of up to two lines
    image = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(image)
    font = _font(font_file, 22)
    small = _font(font_file, 13)
    word = _font(font_file, 16)
    left = MARGIN
    for cabinet, columns in zip(layout.cabinets, widths, strict=True):
        pen.text((left, MARGIN), named["cabinet"].format(cabinet=cabinet), fill="black", font=font)
        top = MARGIN + 30
        for compartment in (c for c in layout if c.cabinet == cabinet):
            x = left + (compartment.column - 1) * CELL_W
            y = top + (rows - compartment.row) * CELL_H
            state = states.get(compartment.id, "free")
            pen.rectangle(
                (x + 2, y + 2, x + CELL_W - 2, y + CELL_H - 2),
                fill=STATE_COLOURS.get(state, "white"),
                outline="black",
                width=2,
            )
            pen.text((x + 8, y + 3), compartment.id, fill="black", font=font)
            access = f" {named['wheelchair']}" if compartment.wheelchair else ""
            band = named.get(compartment.band, compartment.band)
            pen.text((x + 8, y + 32), f"{compartment.size} {band}{access}",
                     fill="black", font=small)  # fmt: skip
            # a CJK face's line is tall: the state's word sits clear of the cell's bottom edge
            pen.text((x + 8, y + 51), named.get(state, state), fill="black", font=word)
        left += columns * CELL_W + GAP
    legend_y = height - MARGIN - 2 * LEGEND_H
    x = MARGIN
    for state, colour in STATE_COLOURS.items():
        step = 18 + int(pen.textlength(named[state], font=word)) + 24
        if x > MARGIN and x + step > width - MARGIN:  # the next line
            x, legend_y = MARGIN, legend_y + LEGEND_H
        pen.rectangle((x, legend_y, x + 14, legend_y + 14), fill=colour, outline="black")
        pen.text((x + 18, legend_y - 2), named[state], fill="black", font=word)
        x += step
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, "PNG")
    return out


def _font(font_file: Path | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if font_file is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(str(font_file), size)


def layout_text(layout: Layout, states: Mapping[str, str]) -> str:
    """The layout as text: one line a compartment."""
    lines = []
    for c in layout:
        access = " wheelchair" if c.wheelchair else ""
        state = states.get(c.id, "free")
        lines.append(
            f"{c.id:<7} cabinet {c.cabinet} column {c.column} row {c.row} "
            f"size {c.size:<2} {c.band:<6}{access:<11} board {c.board} "
            f"(bus {c.bus} address {c.address}) lock {c.lock:<3} {state}"
        )
    return "\n".join(lines)
