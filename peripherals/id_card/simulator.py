"""A simulated SAM reader on a pty: it answers the real frames, with faults on request."""

from __future__ import annotations

import logging
import os
import random
import select
import threading
import tty
from collections import deque
from collections.abc import Mapping
from typing import Any

from peripherals.errors import ProtocolError
from peripherals.id_card import protocol
from peripherals.id_card.card import RESIDENT, IdCard
from peripherals.id_card.id_number import check_character
from peripherals.id_card.protocol import FrameParser, build_response
from peripherals.id_card.text_block import build_text_block

log = logging.getLogger(__name__)

KEEP_FRAMES = 1000
"""Request frames kept in `received`."""

FAULTS = frozenset(
    {
        "no_card",
        "unreadable",
        "bad_checksum",
        "truncated",
        "garbage",
        "noisy",
        "silent",
        "sam_fault",
    }
)
"""Faults `fail()` accepts: `noisy` puts line noise before each (good) reply; `garbage` sends
only noise; `silent` answers nothing; `truncated` sends half of each reply."""

DEFAULT_SAM_ID = bytes.fromhex("05000100da4f3201c9b9ae0031d20e07")
"""An invented SAM id (formats as `05.01-20074458-0011450825-0118411825`)."""

PHOTO_SIZE = 1024
"""Size of a WLT photo."""


def build_card(fields: Mapping[str, Any] | None = None, **more: Any) -> IdCard:
    """An `IdCard` from field values (handy for `present_card`)."""
    values = dict(fields or {}, **more)
    return IdCard(**values)


def demo_card() -> IdCard:
    """An invented resident card (valid check digit) shown by the simulated driver."""
    first17 = "11010119900307123"
    return IdCard(
        name="王测试",
        sex="男",
        nation="汉",
        birth="19900307",
        address="北京市东城区示例街道1号",
        id_number=first17 + check_character(first17),
        issuer="北京市公安局东城分局",
        valid_from="20200101",
        valid_to="20400101",
        card_type=RESIDENT,
        photo=b"WLT-SIMULATED".ljust(PHOTO_SIZE, b"\0"),
    )


def _noise(rng: random.Random, size: int) -> bytes:
    # No 0xAA, so noise can never contain (or start) a preamble by accident.
    return bytes(rng.choice([b for b in range(256) if b != 0xAA]) for _ in range(size))


class SamSimulator:
    """A SAM reader answering on the master side of a pty; point a driver at `path`.

    `present_card()` / `remove_card()` change what is in the field; `fail(name)` injects one of
    `FAULTS` until `fail(None)`; `send_raw()` writes any bytes to the driver; `received` keeps
    every request frame the simulator saw, byte for byte.
    """

    def __init__(self, sam_id: bytes = DEFAULT_SAM_ID, seed: int = 0) -> None:
        self.sam_id = sam_id
        self.card: IdCard | None = None
        self.fault: str | None = None
        self.received: deque[bytes] = deque(maxlen=KEEP_FRAMES)
        """The latest request frames (a reader left simulating for days keeps no more)."""
        self.request_seen = threading.Event()
        """Set whenever a request frame arrives (tests wait on it instead of sleeping)."""
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._master = -1
        self._slave = -1
        self._wake_r = -1
        self._wake_w = -1
        self._thread: threading.Thread | None = None
        self.path = ""

    # -- switches -------------------------------------------------------------------------

    def present_card(self, card: IdCard | Mapping[str, Any] | None = None, **fields: Any) -> None:
        """Put a card on the reader: an `IdCard`, a mapping of fields, keywords, or the demo."""
        if isinstance(card, IdCard):
            chosen = card
        elif card is not None or fields:
            chosen = build_card(card, **fields)
        else:
            chosen = demo_card()
        build_text_block(chosen)  # fail here, not in the reader thread, if a field is too long
        with self._lock:
            self.card = chosen

    def remove_card(self) -> None:
        """Take the card away."""
        with self._lock:
            self.card = None

    def fail(self, fault: str | None) -> None:
        """Inject a fault from `FAULTS`, or clear it with None."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(sorted(FAULTS))}")
        with self._lock:
            self.fault = fault

    def send_raw(self, data: bytes) -> None:
        """Write raw bytes to the driver (for hostile-input tests)."""
        self._write(data)

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> str:
        """Create the pty and start answering; returns the path to open."""
        if self._thread is not None:
            return self.path
        self._master, self._slave = os.openpty()
        # Raw mode: no echo, no CR/LF mangling; holding the slave open avoids EIO on the master.
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, name="sam-simulator", daemon=True)
        self._thread.start()
        log.debug("SAM simulator on %s", self.path)
        return self.path

    def stop(self) -> None:
        """Stop answering and close the pty; safe to call twice."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        os.write(self._wake_w, b"x")
        thread.join(timeout=5)
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            os.close(fd)
        self._master = self._slave = self._wake_r = self._wake_w = -1

    def __enter__(self) -> SamSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the reader side ------------------------------------------------------------------

    def _serve(self) -> None:
        parser = FrameParser(min_len=3, max_len=1024)
        while True:
            ready, _, _ = select.select([self._master, self._wake_r], [], [])
            if self._wake_r in ready:
                return
            try:
                data = os.read(self._master, 4096)
            except BlockingIOError:
                continue
            except OSError:
                return
            parser.feed(data)
            while True:
                try:
                    body = parser.next_body()
                except ProtocolError as exc:
                    sw3 = 0x10 if exc.code == "id_card.frame_checksum" else 0x11
                    self._reply(build_response(sw3))
                    continue
                if body is None:
                    break
                self.received.append(protocol.build_frame(body))
                self.request_seen.set()
                self._reply(self._answer(body[0], body[1]))

    def _answer(self, cmd: int, para: int) -> bytes:
        with self._lock:
            card, fault = self.card, self.fault
        if fault == "no_card":
            card = None
        if fault == "sam_fault":
            return build_response(0x60)
        if (cmd, para) in ((0x10, 0xFF), (0x01, 0xFF), protocol.SAM_STATUS):
            return build_response(protocol.SW_OK)
        if (cmd, para) == protocol.SAM_ID:
            return build_response(protocol.SW_OK, self.sam_id)
        if (cmd, para) == protocol.FIND_CARD:
            if card is None:
                return build_response(0x80)
            return build_response(protocol.SW_CARD_FOUND, bytes(4))
        if (cmd, para) == protocol.SELECT_CARD:
            return build_response(0x81) if card is None else build_response(0x90, bytes(8))
        if (cmd, para) in (protocol.READ_TEXT_PHOTO, protocol.READ_WITH_FINGERPRINT):
            if card is None or fault == "unreadable":
                return build_response(0x41)
            return build_response(protocol.SW_OK, self._card_data(card, para == 0x10))
        return build_response(0x21)

    @staticmethod
    def _card_data(card: IdCard, fingerprint: bool) -> bytes:
        text = build_text_block(card)
        photo = card.photo or b"WLT".ljust(PHOTO_SIZE, b"\0")
        items = [text, photo] + ([card.fingerprint] if fingerprint else [])
        lengths = b"".join(len(item).to_bytes(2, "big") for item in items)
        return lengths + b"".join(items)

    def _reply(self, frame: bytes) -> None:
        with self._lock:
            fault = self.fault
        if fault == "silent":
            return
        if fault == "garbage":
            frame = _noise(self._rng, 64)
        elif fault == "noisy":
            frame = _noise(self._rng, 37) + frame
        elif fault == "bad_checksum":
            frame = frame[:-1] + bytes([frame[-1] ^ 0xFF])
        elif fault == "truncated":
            frame = frame[: len(frame) // 2]
        self._write(frame)

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                written = os.write(self._master, view)
            except BlockingIOError:
                # Nobody is reading: wait a little, then drop the rest rather than block forever.
                _, writable, _ = select.select([], [self._master], [], 1.0)
                if not writable:
                    log.warning("SAM simulator dropped %d unread bytes", len(view))
                    return
                continue
            view = view[written:]
