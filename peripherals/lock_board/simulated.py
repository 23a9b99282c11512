"""The `simulated` lock-board driver: a real family driver talking to `LockBusSimulator`."""

from __future__ import annotations

from typing import Any, ClassVar

from peripherals.errors import DeviceUnavailable
from peripherals.events import Dispatcher
from peripherals.lock_board.driver_8a import LockBoard8A
from peripherals.lock_board.driver_kerong import LockBoardKerong
from peripherals.lock_board.driver_wkly import LockBoardWkly
from peripherals.lock_board.serial_board import SerialLockBoard
from peripherals.lock_board.simulator import LockBusSimulator


class SimulatedLockBoard(SerialLockBoard):
    """The driver of `family` (8a, wkly, kerong; default 8a) on a simulated bus.

    Options are the family driver's (without `port`), plus `wire_time` (the simulator takes as
    long as the bytes would at `baudrate`), `sim_coil_time` (how long the simulator counts a
    coil as energised when checking the driver never fires two on one board) and
    `sim_open_reply_delay` (seconds the boards take to answer an open, e.g. 0.4 as WKLY boards
    do) and `sim_feedback` (how the simulated locks are wired; default: as `feedback` says).
    `.simulator` has the switches: `close_door`, `jam`, `fail(...)`.
    """

    driver: ClassVar[str] = "simulated"

    def __new__(cls, *args: Any, family: str = "8a", **options: Any) -> SimulatedLockBoard:
        """Pick the class for the family."""
        target = _BY_FAMILY.get(str(family).lower())
        if target is None:
            known = ", ".join(_BY_FAMILY)
            raise DeviceUnavailable(
                f"no lock-board family {family!r}; known: {known}", code="lock.bad_option"
            )
        instance: SimulatedLockBoard = object.__new__(target)
        return instance

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        family: str = "8a",
        wire_time: bool = False,
        sim_coil_time: float = 0.0,
        sim_open_reply_delay: float = 0.0,
        sim_feedback: str | None = None,
        boards: Any = 2,
        **options: Any,
    ) -> None:
        options.pop("port", None)
        super().__init__(name, dispatcher, boards=boards, **options)
        open_bit = options.get("bitmap_open_bit")
        self.simulator = LockBusSimulator(
            self.family,
            boards=self.boards,
            locks_per_board=self.locks_per_board,
            baudrate=self.baudrate,
            wire_time=bool(wire_time),
            coil_time=float(sim_coil_time),
            open_reply_delay=float(sim_open_reply_delay),
            bitmap_order=str(options.get("bitmap_order", "low_first")),
            bitmap_open_bit=None if open_bit is None else int(open_bit),
            board_bitmaps=options.get("board_bitmaps"),
            lock_base=int(options.get("lock_base", 0)),
            feedback=str(sim_feedback or self.feedback),
        )

    def _open_link(self) -> None:
        self._port_name = self.simulator.start()
        try:
            super()._open_link()
        except BaseException:
            self.simulator.stop()
            raise

    def _close_link(self) -> None:
        try:
            super()._close_link()
        finally:
            self.simulator.stop()


class _Simulated8A(SimulatedLockBoard, LockBoard8A):
    """8A driver on a simulated bus."""

    family: ClassVar[str] = "8a"


class _SimulatedWkly(SimulatedLockBoard, LockBoardWkly):
    """WKLY driver on a simulated bus."""

    family: ClassVar[str] = "wkly"


class _SimulatedKerong(SimulatedLockBoard, LockBoardKerong):
    """Kerong driver on a simulated bus."""

    family: ClassVar[str] = "kerong"


_BY_FAMILY: dict[str, type[SimulatedLockBoard]] = {
    "8a": _Simulated8A,
    "wkly": _SimulatedWkly,
    "kerong": _SimulatedKerong,
}
