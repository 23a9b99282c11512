"""`escpos-usb`: a printer on USB bulk endpoints (needs pyusb and libusb)."""

from __future__ import annotations

import importlib.util
from typing import Any

from peripherals.errors import MissingDependency
from peripherals.events import Dispatcher
from peripherals.printer.base import Printer
from peripherals.printer.transport import UsbTransport


class UsbPrinter(Printer):
    """An ESC/POS printer by USB ids (`vendor_id`, `product_id`, optional `in_ep`, `out_ep`).

    Ids may be given as integers or strings such as `"0x0416"`.
    """

    driver = "escpos-usb"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        vendor_id: int | str,
        product_id: int | str,
        in_ep: int | str = 0x82,
        out_ep: int | str = 0x01,
        **options: Any,
    ) -> None:
        if importlib.util.find_spec("usb") is None:
            raise MissingDependency("printer driver escpos-usb needs pyusb: pip install pyusb")
        transport = UsbTransport(
            int(str(vendor_id), 0), int(str(product_id), 0), int(str(in_ep), 0), int(str(out_ep), 0)
        )
        super().__init__(name, dispatcher, transport=transport, **options)
