"""Receipt printers (ESC/POS): receipt model, renderer, status, drivers and a simulator."""

from __future__ import annotations

from peripherals.registry import DriverSpec

DRIVERS: dict[str, DriverSpec] = {
    "escpos-network": DriverSpec(
        "peripherals.printer.network",
        "NetworkPrinter",
        (("escpos", "pip install python-escpos"),),
        "ESC/POS printer on raw TCP (port 9100)",
    ),
    "escpos-serial": DriverSpec(
        "peripherals.printer.serial_port",
        "SerialPrinter",
        (("escpos", "pip install python-escpos"), ("serial", "pip install pyserial")),
        "ESC/POS printer on a serial port",
    ),
    "escpos-usb": DriverSpec(
        "peripherals.printer.usb",
        "UsbPrinter",
        (("escpos", "pip install python-escpos"), ("usb", "pip install pyusb")),
        "ESC/POS printer on USB (pyusb + libusb)",
    ),
    "escpos-file": DriverSpec(
        "peripherals.printer.file",
        "FilePrinter",
        (("escpos", "pip install python-escpos"),),
        "ESC/POS printer device file such as /dev/usb/lp0 (no status)",
    ),
    "simulated": DriverSpec(
        "peripherals.printer.simulated",
        "SimulatedPrinter",
        (("escpos", "pip install python-escpos"),),
        "network driver against an in-process simulated printer",
    ),
}
