"""A receipt printer on a loopback TCP socket (and optionally a pty) that speaks real ESC/POS.

It answers `DLE EOT n` with the status bytes for its state, interprets everything else with
`decode.EscPosDecoder` into a `Paper`, and draws a PNG preview. Faults are switched with
`fail()`, the same switches the tests and the service menu use.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import struct
import threading
import tty
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

import msgspec

from peripherals.printer.decode import EscPosDecoder, Item, Paper
from peripherals.printer.render import DEFAULT_PAPER_WIDTH
from peripherals.printer.status import PrinterStatus, encode_status

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

KEEP_RECEIPTS = 200
"""Cut receipts kept on the simulated roll; older ones are torn off (still counted as cuts)."""
KEEP_BYTES = 4 * 1024 * 1024
"""Bytes of the latest data received kept for `received()`."""

FAULTS = frozenset(
    {
        "paper_out",
        "paper_near_end",
        "cover_open",
        "offline",
        "cutter_error",
        "unrecoverable",
        "drop_mid_receipt",
        "silent",
        "garbage",
    }
)
"""Faults `fail()` accepts. `drop_mid_receipt` closes the connection after `after` bytes (one
shot); `silent` never answers status; `garbage` answers status with 0xFF."""

GARBAGE = 0xFF


class _Peer:
    """One connection (socket or pty master) and its own interpreter state."""

    def __init__(self, fd: int, sock: socket.socket | None, decoder: EscPosDecoder) -> None:
        self.fd = fd
        self.sock = sock
        self.decoder = decoder

    def send(self, data: bytes) -> None:
        try:
            if self.sock is not None:
                self.sock.sendall(data)
            else:
                os.write(self.fd, data)
        except OSError:
            log.debug("simulated printer could not answer a closed peer")


class PrinterSimulator:
    """A simulated ESC/POS printer; `start()` it, point a driver at `port` (or `pty_path`)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        pty: bool = False,
        paper_width: int = DEFAULT_PAPER_WIDTH,
        font: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.paper_width = paper_width
        self._font = font
        self._want_pty = pty
        self.pty_path: str | None = None
        self._cond = threading.Condition()
        self._faults: set[str] = set()
        self._armed: list[tuple[str, int]] = []  # (fault, bytes until it strikes)
        self._paper = Paper()
        self._received = bytearray()
        self._queries = 0
        self._listener: socket.socket | None = None
        self._wake_r, self._wake_w = -1, -1
        self._pty_fds: tuple[int, int] | None = None
        self._peers: dict[int, _Peer] = {}
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Listen (and open the pty); the printer runs on a daemon thread until `stop()`."""
        if self._thread is not None:
            return
        listener = socket.create_server((self.host, self.port))
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._wake_r, self._wake_w = os.pipe()
        if self._want_pty:
            master, slave = os.openpty()
            tty.setraw(slave)
            self._pty_fds = (master, slave)
            self.pty_path = os.ttyname(slave)
            self._peers[master] = _Peer(master, None, self._decoder_for(master))
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="printer-simulator", daemon=True)
        self._thread.start()
        log.info("simulated printer listening on %s:%d", self.host, self.port)

    def stop(self) -> None:
        """Stop the thread and close every connection; safe to call twice."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping = True
        os.write(self._wake_w, b"x")
        thread.join(timeout=5)
        for peer in list(self._peers.values()):
            if peer.sock is not None:
                peer.sock.close()
        self._peers.clear()
        if self._pty_fds is not None:
            for fd in self._pty_fds:
                os.close(fd)
            self._pty_fds = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        os.close(self._wake_r)
        os.close(self._wake_w)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def address(self) -> tuple[str, int]:
        """Where the driver connects."""
        return self.host, self.port

    # -- switches -----------------------------------------------------------------------------

    def fail(self, fault: str | None, *, after: int | None = None) -> None:
        """Switch a fault on (`None` clears all); with `after`, it strikes after that many
        more received bytes (`drop_mid_receipt` defaults to 64)."""
        with self._cond:
            if fault is None:
                self._faults.clear()
                self._armed.clear()
                return
            if fault not in FAULTS:
                raise ValueError(f"unknown printer fault {fault!r}; known: {sorted(FAULTS)}")
            if fault == "drop_mid_receipt" and after is None:
                after = 64
            if after is None:
                self._faults.add(fault)
            else:
                self._armed.append((fault, after))

    def clear(self, fault: str) -> None:
        """Switch one fault off."""
        with self._cond:
            self._faults.discard(fault)
            self._armed = [(f, n) for f, n in self._armed if f != fault]

    @property
    def faults(self) -> frozenset[str]:
        """Faults in effect now."""
        with self._cond:
            return frozenset(self._faults)

    def status(self) -> PrinterStatus:
        """The state the printer reports."""
        with self._cond:
            return self._status()

    def _status(self) -> PrinterStatus:
        f = self._faults
        base = PrinterStatus(
            cover_open="cover_open" in f,
            paper_out="paper_out" in f,
            paper_near_end="paper_near_end" in f,
            cutter_error="cutter_error" in f,
            unrecoverable="unrecoverable" in f,
        )
        return msgspec.structs.replace(base, online=base.can_print and "offline" not in f)

    # -- what was printed ---------------------------------------------------------------------

    def paper(self) -> Paper:
        """A snapshot of everything printed so far."""
        with self._cond:
            return self._paper.copy()

    def received(self) -> bytes:
        """Every byte received, status queries included."""
        with self._cond:
            return bytes(self._received)

    @property
    def status_queries(self) -> int:
        """How many `DLE EOT` queries arrived."""
        with self._cond:
            return self._queries

    def reset_paper(self) -> None:
        """Tear off everything printed so far."""
        with self._cond:
            self._paper = Paper()
            self._received.clear()

    def wait_for(self, predicate: Callable[[Paper], bool], timeout: float = 5.0) -> bool:
        """Block until `predicate(paper)` holds or the timeout passes; returns which."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self._paper), timeout)

    def wait_for_cuts(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Block until the paper has been cut `count` times."""
        return self.wait_for(lambda paper: paper.cuts >= count, timeout)

    def preview(self) -> Image.Image:
        """The paper as a picture."""
        return self.paper().preview(self.paper_width, self._font)

    def save_preview(self, path: str | Path) -> Path:
        """Write the paper as a PNG."""
        target = Path(path)
        self.preview().save(target, format="PNG")
        return target

    # -- the printer's thread -----------------------------------------------------------------

    def _decoder_for(self, fd: int) -> EscPosDecoder:
        def emit(item: Item) -> None:
            with self._cond:
                if self._status().online:  # an offline printer prints nothing
                    self._paper.items.append(item)
                    # a kiosk left simulating for days must not hold every receipt it printed
                    self._paper.tear_off(KEEP_RECEIPTS)
                    self._cond.notify_all()

        def unknown(raw: bytes) -> None:
            with self._cond:
                self._paper.unknown.append(raw)

        return EscPosDecoder(emit, lambda n: self._answer(fd, n), unknown)

    def _answer(self, fd: int, n: int) -> None:
        with self._cond:
            self._queries += 1
            if "silent" in self._faults or not 1 <= n <= 4:
                return
            reply = GARBAGE if "garbage" in self._faults else encode_status(self._status())[n]
        peer = self._peers.get(fd)
        if peer is not None:
            peer.send(bytes([reply]))

    def _run(self) -> None:
        assert self._listener is not None
        while not self._stopping:
            watch = [self._wake_r, self._listener.fileno(), *self._peers]
            try:
                readable, _, _ = select.select(watch, [], [], 1.0)
            except (OSError, ValueError):
                return
            for fd in readable:
                if fd == self._wake_r:
                    return
                if fd == self._listener.fileno():
                    self._accept()
                elif fd in self._peers:
                    self._receive(self._peers[fd])

    def _accept(self) -> None:
        assert self._listener is not None
        sock, _ = self._listener.accept()
        fd = sock.fileno()
        self._peers[fd] = _Peer(fd, sock, self._decoder_for(fd))
        log.debug("simulated printer accepted a connection")

    def _drop(self, peer: _Peer) -> None:
        self._peers.pop(peer.fd, None)
        if peer.sock is not None:
            # Abortive close: unread data makes the kernel reset the connection, as a printer
            # losing power does.
            peer.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            peer.sock.close()

    def _receive(self, peer: _Peer) -> None:
        try:
            data = peer.sock.recv(65536) if peer.sock is not None else os.read(peer.fd, 65536)
        except OSError:
            data = b""
        if not data:
            # A closed socket goes; the pty never reads empty while this side holds its slave.
            if peer.sock is not None:
                self._drop(peer)
            return
        while data:
            chunk, data, strike = self._split_at_fault(data)
            with self._cond:
                self._received += chunk
                del self._received[:-KEEP_BYTES]
            peer.decoder.feed(chunk)
            if strike == "drop_mid_receipt" and peer.sock is not None:
                log.info("simulated printer drops the connection mid-receipt")
                self._drop(peer)
                return
            if strike is not None:
                with self._cond:
                    self._faults.add(strike)

    def _split_at_fault(self, data: bytes) -> tuple[bytes, bytes, str | None]:
        """The part of `data` before the next armed fault strikes, the rest, and that fault."""
        with self._cond:
            if not self._armed:
                return data, b"", None
            index = min(range(len(self._armed)), key=lambda i: self._armed[i][1])
            fault, left = self._armed[index]
            if left > len(data):
                self._armed = [(f, n - len(data)) for f, n in self._armed]
                return data, b"", None
            self._armed.pop(index)
            self._armed = [(f, n - left) for f, n in self._armed]
            return data[:left], data[left:], fault
