"""Driver `scanner-serial`: a serial / USB-CDC scanner sending CR-terminated codes."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, ClassVar

from peripherals.errors import DeviceUnavailable, MissingDependency
from peripherals.events import Dispatcher
from peripherals.scanner.base import CodeScanner
from peripherals.scanner.payload import CodeFramer

log = logging.getLogger(__name__)

_READ_SLICE = 0.05
"""Longest blocking read, so close is noticed quickly."""


class SerialCodeScanner(CodeScanner):
    """A scanner on a serial port (`/dev/ttyACM*` in USB-CDC mode).

    Options: `port` (required), `baudrate` (9600), `encoding` ("utf-8"), `fallback_encoding`
    ("gb18030", for scanners set to the Chinese code page), `idle_reset` (seconds after which a
    partial code without terminator is dropped as noise, 0.5). CR, LF and CRLF all end a code.
    """

    driver: ClassVar[str] = "scanner-serial"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        port: str = "",
        baudrate: int = 9600,
        encoding: str = "utf-8",
        fallback_encoding: str = "gb18030",
        idle_reset: float = 0.5,
    ) -> None:
        super().__init__(name, dispatcher)
        self.port = port
        self.baudrate = int(baudrate)
        self.encodings = tuple(e for e in (encoding, fallback_encoding) if e)
        self.idle_reset = float(idle_reset)
        self._serial: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _do_open(self) -> None:
        if not self.port:
            raise DeviceUnavailable(
                "scanner-serial needs the option 'port'", code="scanner.no_port"
            )
        try:
            import serial
        except ImportError as exc:
            raise MissingDependency("pip install pyserial") from exc
        try:
            self._serial = serial.Serial(
                self.port, self.baudrate, timeout=_READ_SLICE, exclusive=True
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceUnavailable(
                f"cannot open {self.port}: {exc}", code="scanner.port_unavailable"
            ) from exc
        self._begin_reading()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-reader", daemon=True)
        self._thread.start()

    def _do_close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        self._end_reading()
        if self._serial is not None:
            self._serial.close()
            self._serial = None

    def _run(self) -> None:
        framer = CodeFramer(self.encodings, idle_reset=self.idle_reset)
        port = self._serial
        while not self._stop.is_set():
            try:
                data: bytes = port.read_until(b"\r")
            except (OSError, TypeError) as exc:  # SerialException; TypeError once closed
                if not self._stop.is_set():
                    self._reader_failed(
                        DeviceUnavailable(f"{self.port}: {exc}", code="scanner.disconnected")
                    )
                return
            if data:
                for code in framer.feed(data, time.monotonic()):
                    self._deliver(code)
