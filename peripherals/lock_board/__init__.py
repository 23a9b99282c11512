"""Parcel-locker lock-control boards on an RS-485 bus: one driver per protocol family."""

from __future__ import annotations

from peripherals.registry import DriverSpec

_PYSERIAL = (("serial", "pip install pyserial"),)

DRIVERS: dict[str, DriverSpec] = {
    "lockboard-8a": DriverSpec(
        "peripherals.lock_board.driver_8a",
        "LockBoard8A",
        _PYSERIAL,
        "8A-family boards (9600 8N1, 5-byte XOR frames)",
    ),
    "lockboard-wkly": DriverSpec(
        "peripherals.lock_board.driver_wkly",
        "LockBoardWkly",
        _PYSERIAL,
        "WKLY-family boards (57 4B 4C 59 frames, unsolicited door pushes)",
    ),
    "lockboard-kerong": DriverSpec(
        "peripherals.lock_board.driver_kerong",
        "LockBoardKerong",
        _PYSERIAL,
        "Kerong CU boards (19200 8N1, 02 ... 03 SUM frames)",
    ),
    "simulated": DriverSpec(
        "peripherals.lock_board.simulated",
        "SimulatedLockBoard",
        _PYSERIAL,
        "a real driver (option family: 8a, wkly, kerong) against a simulated bus on a pty",
    ),
}
