"""`escpos-network`: a printer on raw TCP port 9100."""

from __future__ import annotations

from typing import Any

from peripherals.events import Dispatcher
from peripherals.printer.base import Printer
from peripherals.printer.transport import SocketTransport


class NetworkPrinter(Printer):
    """An ESC/POS printer reached over TCP (`host`, `port`, `timeout`, plus `Printer` options)."""

    driver = "escpos-network"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        host: str,
        port: int = 9100,
        timeout: float = 5.0,
        **options: Any,
    ) -> None:
        self.transport = SocketTransport(host, port, connect_timeout=timeout)
        super().__init__(name, dispatcher, transport=self.transport, timeout=timeout, **options)
