"""`escpos-file`: a printer device file such as `/dev/usb/lp0` (write-only: no status)."""

from __future__ import annotations

from typing import Any

from peripherals.events import Dispatcher
from peripherals.printer.base import Printer
from peripherals.printer.transport import FileTransport


class FilePrinter(Printer):
    """An ESC/POS printer written through a device file at `path`; prints without checks."""

    driver = "escpos-file"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        path: str,
        **options: Any,
    ) -> None:
        super().__init__(name, dispatcher, transport=FileTransport(path), **options)
