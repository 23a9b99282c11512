"""The simulator's ESC/POS interpreter: incremental, and status bytes inside data are data."""

from __future__ import annotations

from peripherals.printer.decode import Cut, EscPosDecoder, Paper, RasterImage, TextLine, decode


def test_bytes_arriving_one_at_a_time_decode_like_a_whole() -> None:
    data = b"\x1b@\x1ba\x01\xd5\xc5\xc8\xfd\n\x1d!\x11AB\n\x1dV\x01"
    paper = Paper()
    decoder = EscPosDecoder(paper.items.append)
    for i in range(len(data)):
        decoder.feed(data[i : i + 1])
    assert paper.items == decode(data).items
    assert paper.items[0] == TextLine("张三", "center")
    assert paper.items[1] == TextLine("AB", "center", False, 2, 2)
    assert paper.items[2] == Cut(partial=True)


def test_dle_eot_inside_raster_data_is_not_a_status_query() -> None:
    queries: list[int] = []
    paper = Paper()
    decoder = EscPosDecoder(paper.items.append, queries.append)
    raster = b"\x1dv0\x00\x03\x00\x01\x00" + b"\x10\x04\x01"  # one row: 3 bytes of pixels
    decoder.feed(raster + b"\x10\x04\x04")
    assert queries == [4]
    (image,) = [item for item in paper.items if isinstance(item, RasterImage)]
    assert image.image.size == (24, 1)
    assert image.image.getpixel((3, 0)) == 0  # bit 4 of 0x10 set: a black dot


def test_four_byte_gb18030_and_unknown_commands() -> None:
    paper = decode("𠮷".encode("gb18030") + b"\n\x1b\x7f")
    assert paper.lines == ["𠮷"]
    assert paper.unknown == [b"\x1b\x7f"]


def test_a_long_roll_keeps_its_latest_receipts_and_counts_every_cut() -> None:
    from peripherals.printer.decode import Cut, Paper, TextLine

    paper = Paper()
    for n in range(10):
        paper.items += [TextLine(f"receipt {n}"), Cut(partial=False)]
        paper.tear_off(3)
    assert paper.cuts == 10  # a simulated kiosk left running still counts what it printed
    assert paper.lines == ["receipt 7", "receipt 8", "receipt 9"]  # but keeps only the last 3
