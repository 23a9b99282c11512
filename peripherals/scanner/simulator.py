"""A simulated serial scanner: writes codes to a pty the way a CDC scanner does."""

from __future__ import annotations

import os
import random
import tty

FAULTS = frozenset({"garbage", "silent"})
"""Faults `fail()` accepts: `garbage` sends line noise instead of codes; `silent` sends nothing."""


class ScannerSimulator:
    """The scanner side of a pty; open `path` with the serial driver, then call `scan()`."""

    def __init__(self, seed: int = 0) -> None:
        self.fault: str | None = None
        self.path = ""
        self._master = self._slave = -1
        self._rng = random.Random(seed)

    def start(self) -> str:
        """Create the pty; returns the path to open."""
        if self._master < 0:
            self._master, self._slave = os.openpty()
            tty.setraw(self._slave)  # raw: no echo, CR kept as CR
            self.path = os.ttyname(self._slave)
        return self.path

    def stop(self) -> None:
        """Close the pty; safe to call twice."""
        if self._master >= 0:
            os.close(self._master)
            os.close(self._slave)
            self._master = self._slave = -1

    def __enter__(self) -> ScannerSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail(self, fault: str | None) -> None:
        """Inject a fault from `FAULTS`, or clear it with None."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(sorted(FAULTS))}")
        self.fault = fault

    def scan(self, text: str, terminator: bytes = b"\r", encoding: str = "utf-8") -> None:
        """Send one code as the scanner would after a successful read."""
        if self.fault == "silent":
            return
        if self.fault == "garbage":
            noise = bytes(self._rng.choice((0x00, 0x07, 0x80, 0xFF, 0x1B)) for _ in range(12))
            self.send_raw(noise + terminator)
            return
        self.send_raw(text.encode(encoding) + terminator)

    def send_raw(self, data: bytes) -> None:
        """Write raw bytes to the driver."""
        if self._master < 0:
            raise RuntimeError("scanner simulator is not started")
        view = memoryview(data)
        while view:
            view = view[os.write(self._master, view) :]
