"""Door bitmaps: byte order and polarity are per board model."""

from __future__ import annotations

import pytest

from peripherals.lock_board.bitmap import BitmapLayout


def test_low_first_set_bit_open() -> None:
    doors = BitmapLayout("low_first", 1).decode(bytes.fromhex("01 00 80"), 24)
    assert [lock for lock, is_open in doors.items() if is_open] == [1, 24]


def test_high_first_set_bit_closed() -> None:
    doors = BitmapLayout("high_first", 0).decode(bytes.fromhex("FF FF FE"), 24)
    assert [lock for lock, is_open in doors.items() if is_open] == [1]


@pytest.mark.parametrize("order", ["low_first", "high_first"])
@pytest.mark.parametrize("open_bit", [0, 1])
def test_encode_then_decode_gives_the_doors_back(order: str, open_bit: int) -> None:
    layout = BitmapLayout(order, open_bit)
    doors = {lock: lock % 3 == 0 for lock in range(1, 17)}
    assert layout.decode(layout.encode(doors, 3), 16) == doors


def test_unknown_order_is_refused() -> None:
    with pytest.raises(ValueError, match="order"):
        BitmapLayout("middle_out", 1)
