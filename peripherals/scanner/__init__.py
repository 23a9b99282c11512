"""Code scanners: USB-CDC / serial scanners and HID keyboard-wedge scanners."""

from __future__ import annotations

from peripherals.registry import DriverSpec

DRIVERS: dict[str, DriverSpec] = {
    "scanner-serial": DriverSpec(
        "peripherals.scanner.serial_scanner",
        "SerialCodeScanner",
        requires=(("serial", "pip install pyserial"),),
        summary="serial or USB-CDC scanner sending codes terminated by CR (best for Chinese QR)",
    ),
    "scanner-hid": DriverSpec(
        "peripherals.scanner.hid_scanner",
        "HidCodeScanner",
        requires=(("evdev", "pip install evdev"),),
        summary="keyboard-wedge scanner read with evdev under an exclusive grab",
    ),
    "simulated": DriverSpec(
        "peripherals.scanner.simulated",
        "SimulatedCodeScanner",
        requires=(("serial", "pip install pyserial"),),
        summary="the scanner-serial driver fed by a simulated scanner on a pty",
    ),
}
"""The code scanner drivers by name."""
