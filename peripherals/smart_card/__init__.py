"""Smart-card readers (PC/SC) and the social security card's SSSE application."""

from __future__ import annotations

from peripherals.registry import DriverSpec

_PYSCARD = ("smartcard", "pip install pyscard; apt-get install libpcsclite-dev pcscd")

DRIVERS: dict[str, DriverSpec] = {
    "pcsc": DriverSpec(
        "peripherals.smart_card.pcsc",
        "PcscSmartCardReader",
        requires=(_PYSCARD,),
        summary="any PC/SC reader through pcscd (options: reader, timeout)",
    ),
    "simulated": DriverSpec(
        "peripherals.smart_card.simulated",
        "SimulatedSmartCardReader",
        requires=(_PYSCARD,),
        summary="emulated social security card in vsmartcard's vpcd reader (needs pcscd)",
    ),
}
"""The smart-card drivers by name."""
