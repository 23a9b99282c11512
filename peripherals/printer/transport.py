"""Byte pipes to a printer: TCP socket, serial port, USB endpoints, device file.

Why not python-escpos' own printer classes for the byte moving: `Network._read()` does one
`recv(16)` (it can swallow several status replies or return early), `File` has no read, errors
surface as raw `OSError`/`serial.SerialException`/`usb.core.USBError`, and opening is hidden in
a lazy `device` property with `__del__` doing I/O. Here every read and write takes a deadline and
failures become `DeviceTimeout` or `DeviceFault(code="printer.connection_lost")`. USB reuses
python-escpos' `Usb` only to find and configure the device (kernel driver detach, endpoints).
"""

from __future__ import annotations

import abc
import errno
import os
import select
import socket
import time
from typing import Any

from peripherals.errors import DeviceFault, DeviceTimeout, DeviceUnavailable, MissingDependency

CONNECTION_LOST = "printer.connection_lost"
"""Error code when the printer closed the connection or the port went away."""


def _lost(message: str) -> DeviceFault:
    return DeviceFault(message, code=CONNECTION_LOST)


def _timeout(message: str) -> DeviceTimeout:
    return DeviceTimeout(message, code="printer.timeout")


class Transport(abc.ABC):
    """Moves bytes to and from one printer; knows nothing of ESC/POS."""

    can_read: bool = True
    """Whether the printer can answer (status queries need it)."""

    reconnectable: bool = False
    """Whether reopening after a lost connection is worth trying (network)."""

    @abc.abstractmethod
    def open(self) -> None:
        """Connect; raises `DeviceUnavailable` when the printer cannot be reached."""

    @abc.abstractmethod
    def close(self) -> None:
        """Disconnect; safe to call twice."""

    @abc.abstractmethod
    def write(self, data: bytes, timeout: float) -> None:
        """Send all of `data` within `timeout` seconds."""

    def read(self, count: int, timeout: float) -> bytes:
        """Receive exactly `count` bytes within `timeout` seconds."""
        raise DeviceUnavailable("this printer connection cannot read", code="printer.no_status")

    def discard_input(self) -> None:
        """Drop bytes that arrived unasked (late replies, automatic status)."""
        return  # transports that cannot read have nothing to drop

    @abc.abstractmethod
    def describe(self) -> str:
        """Where the printer is, for messages (no personal data)."""


class SocketTransport(Transport):
    """A raw TCP connection (port 9100, "JetDirect")."""

    reconnectable = True

    def __init__(self, host: str, port: int = 9100, connect_timeout: float = 5.0) -> None:
        self.host = host
        self.port = int(port)
        self.connect_timeout = float(connect_timeout)
        self._sock: socket.socket | None = None

    def describe(self) -> str:
        """`host:port`."""
        return f"{self.host}:{self.port}"

    def open(self) -> None:
        """Connect to the printer."""
        self.close()
        try:
            sock = socket.create_connection((self.host, self.port), self.connect_timeout)
        except OSError as exc:
            raise DeviceUnavailable(
                f"cannot connect to printer at {self.describe()}: {exc}", code="printer.unreachable"
            ) from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock

    def close(self) -> None:
        """Close the connection."""
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already reset by the peer
            sock.close()

    def _socket(self) -> socket.socket:
        if self._sock is None:
            raise _lost(f"not connected to printer at {self.describe()}")
        return self._sock

    def write(self, data: bytes, timeout: float) -> None:
        """Send everything before the deadline."""
        sock = self._socket()
        deadline = time.monotonic() + timeout
        view = memoryview(data)
        try:
            while view:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _timeout(f"printer at {self.describe()} stopped accepting data")
                sock.settimeout(remaining)
                sent = sock.send(view[:65536])
                view = view[sent:]
        except TimeoutError as exc:
            raise _timeout(f"printer at {self.describe()} stopped accepting data") from exc
        except OSError as exc:
            raise _lost(f"printer at {self.describe()} closed the connection: {exc}") from exc

    def read(self, count: int, timeout: float) -> bytes:
        """Receive exactly `count` bytes before the deadline."""
        sock = self._socket()
        deadline = time.monotonic() + timeout
        out = b""
        try:
            while len(out) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _timeout(f"printer at {self.describe()} did not answer")
                sock.settimeout(remaining)
                chunk = sock.recv(count - len(out))
                if not chunk:
                    raise _lost(f"printer at {self.describe()} closed the connection")
                out += chunk
        except TimeoutError as exc:
            raise _timeout(f"printer at {self.describe()} did not answer") from exc
        except OSError as exc:
            raise _lost(f"printer at {self.describe()} connection failed: {exc}") from exc
        return out

    def discard_input(self) -> None:
        """Drop whatever is waiting to be read."""
        sock = self._socket()
        while select.select([sock], [], [], 0)[0]:
            try:
                sock.settimeout(0)
                if not sock.recv(4096):
                    return  # peer closed: the next read reports it
            except (BlockingIOError, TimeoutError):
                return
            except OSError as exc:
                raise _lost(f"printer at {self.describe()} connection failed: {exc}") from exc


class SerialTransport(Transport):
    """A serial port (RS-232 or a USB-serial adapter) through pyserial."""

    def __init__(self, port: str, baudrate: int = 9600) -> None:
        self.port = port
        self.baudrate = int(baudrate)
        self._serial: Any = None

    def describe(self) -> str:
        """The port path."""
        return self.port

    def open(self) -> None:
        """Open the port."""
        try:
            import serial
        except ImportError as exc:
            raise MissingDependency("escpos-serial needs pyserial: pip install pyserial") from exc
        self.close()
        try:
            self._serial = serial.Serial(self.port, self.baudrate, timeout=0, write_timeout=5)
        except (serial.SerialException, OSError) as exc:
            raise DeviceUnavailable(
                f"cannot open printer port {self.port}: {exc}", code="printer.unreachable"
            ) from exc

    def close(self) -> None:
        """Close the port."""
        port, self._serial = self._serial, None
        if port is not None:
            port.close()

    def write(self, data: bytes, timeout: float) -> None:
        """Send everything, allowing for the wire time at this baud rate."""
        import serial

        if self._serial is None:
            raise _lost(f"printer port {self.port} is not open")
        self._serial.write_timeout = timeout + len(data) * 10 / self.baudrate
        try:
            self._serial.write(data)
            self._serial.flush()
        except serial.SerialTimeoutException as exc:
            raise _timeout(f"printer on {self.port} stopped accepting data (flow control)") from exc
        except (serial.SerialException, OSError) as exc:
            raise _lost(f"printer port {self.port} failed: {exc}") from exc

    def read(self, count: int, timeout: float) -> bytes:
        """Receive exactly `count` bytes before the deadline."""
        import serial

        if self._serial is None:
            raise _lost(f"printer port {self.port} is not open")
        self._serial.timeout = timeout
        try:
            data: bytes = self._serial.read(count)
        except (serial.SerialException, OSError) as exc:
            raise _lost(f"printer port {self.port} failed: {exc}") from exc
        if len(data) < count:
            raise _timeout(f"printer on {self.port} did not answer")
        return data

    def discard_input(self) -> None:
        """Flush the input buffer."""
        if self._serial is not None:
            self._serial.reset_input_buffer()


class UsbTransport(Transport):
    """USB bulk endpoints through pyusb (found and configured by python-escpos' `Usb`)."""

    def __init__(
        self, vendor_id: int, product_id: int, in_ep: int = 0x82, out_ep: int = 0x01
    ) -> None:
        self.vendor_id = int(str(vendor_id), 0)
        self.product_id = int(str(product_id), 0)
        self.in_ep = int(str(in_ep), 0)
        self.out_ep = int(str(out_ep), 0)
        self._printer: Any = None
        self._pending = b""

    def describe(self) -> str:
        """`usb:vvvv:pppp`."""
        return f"usb:{self.vendor_id:04x}:{self.product_id:04x}"

    def open(self) -> None:
        """Find and claim the device."""
        try:
            import usb.core  # noqa: F401
        except ImportError as exc:
            raise MissingDependency("escpos-usb needs pyusb: pip install pyusb") from exc
        from peripherals.printer.escpos_cache import import_escpos

        import_escpos()
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Usb

        printer = Usb(self.vendor_id, self.product_id, in_ep=self.in_ep, out_ep=self.out_ep)
        try:
            printer.open()
        except DeviceNotFoundError as exc:
            raise DeviceUnavailable(
                f"no USB printer {self.describe()}: {exc}", code="printer.unreachable"
            ) from exc
        self._printer = printer

    def close(self) -> None:
        """Release the device."""
        printer, self._printer = self._printer, None
        if printer is not None:
            printer.close()

    def write(self, data: bytes, timeout: float) -> None:
        """Bulk-write everything."""
        import usb.core

        if self._printer is None:
            raise _lost(f"USB printer {self.describe()} is not open")
        try:
            self._printer.device.write(self.out_ep, data, int(timeout * 1000))
        except usb.core.USBTimeoutError as exc:
            raise _timeout(f"USB printer {self.describe()} stopped accepting data") from exc
        except usb.core.USBError as exc:
            raise _lost(f"USB printer {self.describe()} failed: {exc}") from exc

    def read(self, count: int, timeout: float) -> bytes:
        """Bulk-read until `count` bytes arrived."""
        import usb.core

        if self._printer is None:
            raise _lost(f"USB printer {self.describe()} is not open")
        deadline = time.monotonic() + timeout
        while len(self._pending) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _timeout(f"USB printer {self.describe()} did not answer")
            try:
                chunk = self._printer.device.read(self.in_ep, 64, max(1, int(remaining * 1000)))
            except usb.core.USBTimeoutError as exc:
                raise _timeout(f"USB printer {self.describe()} did not answer") from exc
            except usb.core.USBError as exc:
                raise _lost(f"USB printer {self.describe()} failed: {exc}") from exc
            self._pending += bytes(chunk)
        out, self._pending = self._pending[:count], self._pending[count:]
        return out

    def discard_input(self) -> None:
        """Forget bytes read but not used."""
        self._pending = b""


class FileTransport(Transport):
    """A device file such as `/dev/usb/lp0`: write-only, so no status."""

    can_read = False

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    def describe(self) -> str:
        """The file path."""
        return self.path

    def open(self) -> None:
        """Open the file for writing (non-blocking, so writes keep their deadline)."""
        self.close()
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK)
        except OSError as exc:
            raise DeviceUnavailable(
                f"cannot open printer file {self.path}: {exc}", code="printer.unreachable"
            ) from exc

    def close(self) -> None:
        """Close the file."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def write(self, data: bytes, timeout: float) -> None:
        """Write everything before the deadline."""
        if self._fd is None:
            raise _lost(f"printer file {self.path} is not open")
        deadline = time.monotonic() + timeout
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _timeout(f"printer {self.path} stopped accepting data")
            select.select([], [self._fd], [], remaining)
            try:
                view = view[os.write(self._fd, view) :]
            except BlockingIOError:
                continue
            except OSError as exc:
                if exc.errno == errno.EAGAIN:
                    continue
                raise _lost(f"printer file {self.path} failed: {exc}") from exc
