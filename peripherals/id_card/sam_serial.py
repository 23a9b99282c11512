"""Driver `sam-serial`: a SAM module on a serial or USB-serial port (pyserial)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, ClassVar

from peripherals.errors import (
    DeviceTimeout,
    DeviceUnavailable,
    MediaError,
    PeripheralError,
    ProtocolError,
)
from peripherals.events import Dispatcher
from peripherals.id_card import protocol
from peripherals.id_card.base import IdCardReader, PhotoDecoder, RawCard
from peripherals.id_card.protocol import FrameParser, Response
from peripherals.status import Health, State

log = logging.getLogger(__name__)

_READ_SLICE = 0.05
"""Longest single blocking read, so close and deadlines are noticed quickly."""


class SamSerialReader(IdCardReader):
    """A SAM reader on a serial port.

    Options: `port` (required), `baudrate` (115200), `timeout` (seconds to wait for one reply,
    3.0), `poll_interval` (seconds between find-card attempts, 0.2), `reset_command` (0x10;
    some modules use 0x01, UNCONFIRMED), plus the base options `fingerprint`, `photo_decoder`.
    Every read is bounded: silence gives `DeviceTimeout`, garbage, a bad LEN, a bad CHK or a
    truncated frame give `ProtocolError`, never a hang.
    """

    driver: ClassVar[str] = "sam-serial"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        port: str = "",
        baudrate: int = 115200,
        timeout: float = 3.0,
        poll_interval: float = 0.2,
        reset_command: int = 0x10,
        fingerprint: bool = False,
        photo_decoder: PhotoDecoder | str | None = None,
    ) -> None:
        super().__init__(name, dispatcher, fingerprint=fingerprint, photo_decoder=photo_decoder)
        self.port = port
        self.baudrate = int(baudrate)
        self.timeout = float(timeout)
        self.poll_interval = float(poll_interval)
        self.reset_command = int(reset_command)
        self._serial: Any = None
        self._closing = threading.Event()

    def _do_open(self) -> None:
        if not self.port:
            raise DeviceUnavailable("sam-serial needs the option 'port'", code="id_card.no_port")
        try:
            import serial
        except ImportError as exc:
            from peripherals.errors import MissingDependency

            raise MissingDependency("pip install pyserial") from exc
        self._closing.clear()
        try:
            self._serial = serial.Serial(
                self.port,
                self.baudrate,
                timeout=_READ_SLICE,
                write_timeout=max(self.timeout, 0.5),
                exclusive=True,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceUnavailable(
                f"cannot open {self.port}: {exc}", code="id_card.port_unavailable"
            ) from exc

    def _do_close(self) -> None:
        self._closing.set()
        # Wait for a request in flight to notice, so the port is not closed under it.
        acquired = self._busy.acquire(timeout=self.timeout + 1)
        try:
            if self._serial is not None:
                self._serial.close()
                self._serial = None
        finally:
            if acquired:
                self._busy.release()

    def _check_health(self) -> Health:
        if not self._busy.acquire(blocking=False):
            return Health(State.BUSY, "device.busy", "reading a card")
        try:
            response = self._exchange(*protocol.SAM_STATUS, timeout=min(self.timeout, 1.0))
        except DeviceTimeout as exc:
            return Health(State.OFFLINE, exc.code, str(exc))
        except PeripheralError as exc:
            return Health(State.HARDWARE_ERROR, exc.code, str(exc))
        finally:
            self._busy.release()
        if response.sw3 != protocol.SW_OK:
            error = protocol.status_error(response.sw3)
            return Health(State.HARDWARE_ERROR, error.code, str(error))
        return Health(State.ONLINE)

    # -- the command sequence -------------------------------------------------------------

    def _read_raw(self, deadline: float, fingerprint: bool) -> RawCard:
        self._wait_for_card(deadline)
        self._expect(self._exchange(*protocol.SELECT_CARD), protocol.SW_OK)
        command = protocol.READ_WITH_FINGERPRINT if fingerprint else protocol.READ_TEXT_PHOTO
        response = self._expect(self._exchange(*command), protocol.SW_OK)
        items = protocol.split_lengths(response.data, 3 if fingerprint else 2)
        return RawCard(items[0], items[1], items[2] if fingerprint else b"")

    def _wait_for_card(self, deadline: float) -> None:
        while True:
            remaining = deadline - time.monotonic()
            response = self._exchange(
                *protocol.FIND_CARD, timeout=min(self.timeout, max(remaining, 0.1))
            )
            if response.sw3 == protocol.SW_CARD_FOUND:
                return
            error = protocol.status_error(response.sw3)
            if error.code != "id_card.no_card":
                raise error
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise MediaError("no card was placed on the reader", code="id_card.no_card")
            if self._closing.wait(min(self.poll_interval, remaining)):
                raise DeviceUnavailable(f"{self.name} was closed", code="device.closed")

    def _read_sam_id(self) -> bytes:
        return self._expect(self._exchange(*protocol.SAM_ID), protocol.SW_OK).data

    def _reset_sam(self) -> None:
        self._expect(self._exchange(self.reset_command, 0xFF), protocol.SW_OK)

    @staticmethod
    def _expect(response: Response, sw3: int) -> Response:
        if response.sw3 != sw3:
            raise protocol.status_error(response.sw3)
        return response

    # -- bytes on the wire ----------------------------------------------------------------

    def _exchange(
        self, cmd: int, para: int, data: bytes = b"", timeout: float | None = None
    ) -> Response:
        """Send one request and return its checked reply, within `timeout` seconds."""
        port = self._serial
        if port is None:
            raise DeviceUnavailable(f"{self.name} is not open", code="device.closed")
        limit = self.timeout if timeout is None else timeout
        request = protocol.build_request(cmd, para, data)
        try:
            port.reset_input_buffer()  # a late reply to an earlier request is stale now
            port.write(request)
            port.flush()
        except OSError as exc:  # serial.SerialException and SerialTimeoutException included
            raise DeviceUnavailable(
                f"writing to {self.port} failed: {exc}", code="id_card.io"
            ) from exc
        return self._receive(port, time.monotonic() + limit, cmd, para)

    def _receive(self, port: Any, deadline: float, cmd: int, para: int) -> Response:
        parser = FrameParser()
        received = 0
        while True:
            body = parser.next_body()
            if body is not None:
                if parser.discarded:
                    log.debug("skipped %d bytes of line noise", parser.discarded)
                return protocol.parse_response_body(body)
            if time.monotonic() >= deadline or self._closing.is_set():
                break
            try:
                chunk: bytes = port.read(max(parser.needed(), port.in_waiting))
            except (OSError, TypeError) as exc:  # pyserial raises TypeError when closed
                raise DeviceUnavailable(
                    f"reading from {self.port} failed: {exc}", code="id_card.io"
                ) from exc
            received += len(chunk)
            parser.feed(chunk)
        what = f"command {cmd:02X} {para:02X}"
        if self._closing.is_set():
            raise DeviceUnavailable(f"{self.name} was closed during {what}", code="device.closed")
        if parser.in_frame:
            raise ProtocolError(f"reply to {what} was cut short", code="id_card.truncated")
        if received:
            raise ProtocolError(
                f"no valid frame in {received} bytes answering {what}", code="id_card.garbage"
            )
        raise DeviceTimeout(f"no reply to {what}", code="id_card.no_response")
