"""Door bitmaps: which byte holds which locks and which bit value means open.

Both are UNCONFIRMED for the 8A family's query-all reply (and for Kerong's status reply), so
they are configurable per board model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ORDERS = ("low_first", "high_first")
"""`low_first`: the first status byte holds locks 1-8; `high_first`: the last one does."""


@dataclass(frozen=True)
class BitmapLayout:
    """Byte order and polarity of a door bitmap (bit 0 of a byte is its lowest lock)."""

    order: str = "low_first"
    open_bit: int = 1

    def __post_init__(self) -> None:
        if self.order not in ORDERS:
            raise ValueError(f"bitmap order must be one of {', '.join(ORDERS)}, not {self.order!r}")
        if self.open_bit not in (0, 1):
            raise ValueError(f"bitmap open bit must be 0 or 1, not {self.open_bit!r}")

    def decode(self, data: bytes, locks: int) -> dict[int, bool]:
        """Map lock number (from 1) to whether its door is open, for the first `locks` locks."""
        ordered = data if self.order == "low_first" else data[::-1]
        doors: dict[int, bool] = {}
        for lock in range(1, min(locks, len(ordered) * 8) + 1):
            bit = (ordered[(lock - 1) // 8] >> ((lock - 1) % 8)) & 1
            doors[lock] = bit == self.open_bit
        return doors

    def encode(self, doors: Mapping[int, bool], size: int) -> bytes:
        """The bitmap of `size` bytes for doors given as lock number -> open."""
        closed_bit = 1 - self.open_bit
        raw = bytearray([0xFF if closed_bit else 0x00] * size)
        for lock, is_open in doors.items():
            if not 1 <= lock <= size * 8:
                continue
            index, bit = divmod(lock - 1, 8)
            value = self.open_bit if is_open else closed_bit
            raw[index] = (raw[index] & ~(1 << bit)) | (value << bit)
        return bytes(raw if self.order == "low_first" else raw[::-1])
