"""Driver `simulated`: the real `scanner-serial` driver reading a `ScannerSimulator` pty."""

from __future__ import annotations

from typing import ClassVar

from peripherals.events import Dispatcher
from peripherals.scanner.serial_scanner import SerialCodeScanner
from peripherals.scanner.simulator import ScannerSimulator


class SimulatedCodeScanner(SerialCodeScanner):
    """A `scanner-serial` scanner wired to an in-process simulator, reachable as `.simulator`."""

    driver: ClassVar[str] = "simulated"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        idle_reset: float = 0.5,
    ) -> None:
        super().__init__(name, dispatcher, idle_reset=idle_reset)
        self.simulator = ScannerSimulator()
        """The simulated scanner: `scan(text)` and `fail(...)` here."""

    def _do_open(self) -> None:
        self.port = self.simulator.start()
        try:
            super()._do_open()
        except BaseException:
            self.simulator.stop()
            raise

    def _do_close(self) -> None:
        try:
            super()._do_close()
        finally:
            self.simulator.stop()
