"""The layout a simulated locker gets when its configuration has none, and grids for tests."""

from __future__ import annotations

from kiosk.locker.config import (
    Band,
    BoardSpec,
    CabinetSpec,
    CompartmentSpec,
    LockerConfig,
    Size,
)

_ROW_SIZES: tuple[Size, ...] = ("L", "L", "M", "M", "S", "S")
_ROW_BANDS: tuple[Band, ...] = ("low", "low", "middle", "middle", "high", "high")


def grid(cabinet: str, board: str, columns: int, rows: int, first_lock: int = 1) -> CabinetSpec:
    """A cabinet of `columns` x `rows` compartments on one board, numbered up each column:
    large ones low (the bottom-left one XL), small ones high; rows 2-3 reachable from a
    wheelchair."""
    compartments = []
    for column in range(1, columns + 1):
        for row in range(1, rows + 1):
            number = (column - 1) * rows + row
            size = _ROW_SIZES[min(row, len(_ROW_SIZES)) - 1]
            compartments.append(
                CompartmentSpec(
                    id=f"{cabinet}-{number:02d}",
                    board=board,
                    lock=first_lock + number - 1,
                    size="XL" if (column, row) == (1, 1) else size,
                    column=column,
                    row=row,
                    band=_ROW_BANDS[min(row, len(_ROW_BANDS)) - 1],
                    wheelchair=row in (2, 3),
                )
            )
    return CabinetSpec(id=cabinet, compartments=compartments)


def demo_locker(family: str = "8a", addresses: tuple[int, ...] = (1, 2)) -> LockerConfig:
    """A cabinet of 4 x 6 compartments per board (two at most), on the `lock_board` device;
    elderly residents' parcels are kept free for 72 hours."""
    boards = {
        f"b{index}": BoardSpec(family=family, address=address)  # type: ignore[arg-type]
        for index, address in enumerate(addresses, start=1)
    }
    cabinets = [
        grid(chr(ord("A") + index), f"b{index + 1}", 4, 6) for index in range(len(addresses))
    ]
    return LockerConfig(boards=boards, cabinets=cabinets, elder_storage_hours=72.0)
