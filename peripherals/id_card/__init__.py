"""Second-generation resident ID card readers (SAM module, GA 467 frames)."""

from __future__ import annotations

from peripherals.registry import DriverSpec

DRIVERS: dict[str, DriverSpec] = {
    "sam-serial": DriverSpec(
        "peripherals.id_card.sam_serial",
        "SamSerialReader",
        requires=(("serial", "pip install pyserial"),),
        summary="SAM module on a serial / USB-serial port (115200 8N1)",
    ),
    "simulated": DriverSpec(
        "peripherals.id_card.simulated",
        "SimulatedIdCardReader",
        requires=(("serial", "pip install pyserial"),),
        summary="the sam-serial driver talking to a simulated SAM on a pty",
    ),
}
"""The ID card reader drivers by name."""
