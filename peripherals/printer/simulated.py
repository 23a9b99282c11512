"""`simulated`: the real network driver talking to an in-process `PrinterSimulator`."""

from __future__ import annotations

from typing import Any

from peripherals.events import Dispatcher
from peripherals.printer.network import NetworkPrinter
from peripherals.printer.simulator import PrinterSimulator


class SimulatedPrinter(NetworkPrinter):
    """`escpos-network` against a simulator started on open and stopped on close.

    `.simulator` presents faults (`fail("paper_out")`) and shows what was printed (`paper()`,
    `save_preview(path)`).
    """

    driver = "simulated"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        timeout: float = 2.0,
        **options: Any,
    ) -> None:
        super().__init__(name, dispatcher, host="127.0.0.1", port=0, timeout=timeout, **options)
        self.simulator = PrinterSimulator(paper_width=self.renderer.paper_width)

    def _do_open(self) -> None:
        self.simulator.start()
        self.transport.port = self.simulator.port
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
