"""`escpos-serial`: a printer on a serial port (RS-232, USB-serial, or a pty in tests)."""

from __future__ import annotations

from typing import Any

from peripherals.events import Dispatcher
from peripherals.printer.base import Printer
from peripherals.printer.transport import SerialTransport


class SerialPrinter(Printer):
    """An ESC/POS printer on `port` at `baudrate` (plus `Printer` options)."""

    driver = "escpos-serial"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        port: str,
        baudrate: int = 9600,
        **options: Any,
    ) -> None:
        super().__init__(name, dispatcher, transport=SerialTransport(port, baudrate), **options)
