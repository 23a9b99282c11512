"""Lock boards on a serial port (RS-485 adapters look like one): port handling and exchanges."""

from __future__ import annotations

import logging
import select
import time
from typing import Any, ClassVar

import serial

from peripherals.errors import DeviceTimeout, DeviceUnavailable, ProtocolError
from peripherals.events import Dispatcher
from peripherals.lock_board.base import LockBoard
from peripherals.lock_board.framing import FrameShape, take_frame

log = logging.getLogger(__name__)


class SerialLockBoard(LockBoard):
    """A `LockBoard` whose boards answer on a serial port (8 data bits, no parity, 1 stop bit).

    Options: `port` (e.g. `/dev/ttyUSB0`), `baudrate` (the family's default if left out), plus
    the `LockBoard` options.
    """

    default_baudrate: ClassVar[int] = 9600

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        port: str = "",
        baudrate: int | None = None,
        **options: Any,
    ) -> None:
        super().__init__(name, dispatcher, **options)
        self._port_name = port
        self._baudrate = self.default_baudrate if baudrate is None else int(baudrate)
        self._serial: serial.Serial | None = None

    @property
    def port(self) -> str:
        """The serial port's path."""
        return self._port_name

    @property
    def baudrate(self) -> int:
        """The bus speed in baud."""
        return self._baudrate

    def _open_link(self) -> None:
        if not self._port_name:
            raise DeviceUnavailable(
                f'{self.driver} needs the option port (e.g. port = "/dev/ttyUSB0")',
                code="lock.bad_option",
            )
        try:
            self._serial = serial.Serial(
                self._port_name,
                self._baudrate,
                bytesize=serial.EIGHTBITS,
                parity=serial.PARITY_NONE,
                stopbits=serial.STOPBITS_ONE,
                timeout=0,
                write_timeout=self._timeout,
                exclusive=True,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceUnavailable(f"cannot open {self._port_name}: {exc}") from exc

    def _close_link(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except (serial.SerialException, OSError) as exc:
                log.debug("closing %s: %s", self._port_name, exc)
            self._serial = None

    def _port(self) -> serial.Serial:
        if self._serial is None:
            raise DeviceUnavailable(f"{self.name} is not open")
        return self._serial

    def _write(self, data: bytes) -> None:
        """Send one whole frame."""
        port = self._port()
        try:
            port.write(data)
            port.flush()
        except serial.SerialTimeoutException as exc:
            raise DeviceTimeout(f"writing to {self._port_name} timed out") from exc
        except (serial.SerialException, OSError) as exc:
            raise DeviceUnavailable(f"writing to {self._port_name} failed: {exc}") from exc

    def _read(self, timeout: float) -> bytes:
        """Whatever bytes arrive within `timeout` seconds (empty if none)."""
        port = self._port()
        try:
            ready, _, _ = select.select([port.fileno()], [], [], max(timeout, 0.0))
            if not ready:
                return b""
            data: bytes = port.read(port.in_waiting or 1)
            return data
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceUnavailable(f"reading {self._port_name} failed: {exc}") from exc

    def _discard_input(self) -> None:
        try:
            self._port().reset_input_buffer()
        except (serial.SerialException, OSError) as exc:
            raise DeviceUnavailable(f"{self._port_name}: {exc}") from exc

    def _transact(self, request: bytes, shape: FrameShape, timeout: float | None = None) -> bytes:
        """One attempt: send `request` and return the first whole reply of `shape` within
        `timeout` seconds (default: the query timeout)."""
        self._discard_input()
        self._write(request)
        buf = bytearray()
        received = 0
        deadline = time.monotonic() + (self._timeout if timeout is None else timeout)
        while True:
            frame = take_frame(buf, shape)
            if frame is not None:
                return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            chunk = self._read(remaining)
            received += len(chunk)
            buf += chunk
        if received:
            raise ProtocolError(
                f"unintelligible reply ({received} bytes) to {request.hex(' ')}",
                code="lock.garbled",
            )
        raise DeviceTimeout(f"no reply to {request.hex(' ')}", code="lock.no_reply")

    @staticmethod
    def _check_reply_address(expected: int, got: int) -> None:
        if expected != got:
            raise ProtocolError(
                f"reply came from board {got}, expected board {expected}",
                code="lock.wrong_address",
            )
