"""A social security card emulator on the card side of vsmartcard's vpcd reader driver.

vpcd (loaded by pcscd) listens on TCP 35963 for reader "Virtual PCD 00 00" (35964 for
"... 00 01"); a card is inserted by connecting and removed by closing the connection. Each
message is a 2-byte big-endian length and a payload; a 1-byte payload is a control message
(0 power off, 1 power on, 2 reset, 4 "send your ATR"), anything else an APDU to answer.
The card holds the SSSE application with invented data and answers like a T=0 card (SELECT
by name gives `61 xx`, a wrong Le gives `6C xx`). Faults for tests and the service menu:

- `mute`: the card stops answering commands (it still answers ATR requests) until the fault
  is cleared or the card removed;
- `refuse_select`: SELECT of the SSSE application answers `6A 82`;
- `auth_required`: EF06 records answer `69 82` (a region whose cards need PSAM authentication);
- `remove`: the card is pulled out when the reader asks for the first EF06 record.
"""

from __future__ import annotations

import datetime
import logging
import socket
import threading
from dataclasses import dataclass

from peripherals.errors import DeviceUnavailable
from peripherals.smart_card import ssse

log = logging.getLogger(__name__)

VPCD_HOST = "127.0.0.1"
"""Where vpcd listens (pcscd's host)."""

VPCD_PORT = 35963
"""vpcd's port for reader "Virtual PCD 00 00"; each next reader listens on the next port."""

FAULTS = ("mute", "refuse_select", "auth_required", "remove")
"""Faults the emulator can be told to show."""

DEFAULT_ATR = bytes.fromhex("3B6C0000") + b"KIOSK-SIM-SS"
"""An invented T=0 ATR whose historical bytes say it is the kiosk's simulated card."""

_CONTROL_OFF, _CONTROL_ON, _CONTROL_RESET, _CONTROL_ATR = 0, 1, 2, 4


def vpcd_reader_name(port: int = VPCD_PORT) -> str:
    """The PC/SC reader name vpcd gives the slot listening on `port`."""
    return f"Virtual PCD 00 {port - VPCD_PORT:02d}"


@dataclass(frozen=True)
class CardHolder:
    """The invented holder data a simulated card carries (codes as in `SocialSecurityCard`)."""

    card_number: str = "S10000001"
    ssn: str = "110105198503121234"
    name: str = "王测试"
    sex: str = "1"
    nation: str = "01"
    birthplace: str = "110105"
    birth_date: datetime.date = datetime.date(1985, 3, 12)

    def records(self) -> dict[int, bytes]:
        """EF06's records by number, laid out as the card stores them."""
        return {
            0x08: ssse.build_record(0x08, self.ssn.encode("ascii"), 18),
            0x09: ssse.build_record(0x09, self.name.encode("gbk"), 30),
            0x0A: ssse.build_record(0x0A, self.sex.encode("ascii"), 1),
            0x0B: ssse.build_record(0x0B, ssse.bcd_bytes(self.nation), 1),
            0x0C: ssse.build_record(0x0C, ssse.bcd_bytes(self.birthplace), 3),
            0x0D: ssse.build_record(0x0D, ssse.bcd_bytes(self.birth_date.strftime("%Y%m%d")), 4),
        }

    def card_number_record(self) -> bytes:
        """EF05's record 7, the card number."""
        return ssse.build_record(0x07, self.card_number.encode("ascii"), 9)


def _sw(value: int) -> bytes:
    return value.to_bytes(2, "big")


class SsseCard:
    """The card's logic only: one APDU in, one response out (no I/O, no threads)."""

    def __init__(self, holder: CardHolder | None = None) -> None:
        self.holder = holder or CardHolder()
        self.fault: str | None = None
        self.reset()

    def reset(self) -> None:
        """Power-on state: nothing selected, nothing pending."""
        self.ssse_selected = False
        self.ef06_selected = False
        self._pending = b""

    def respond(self, apdu: bytes) -> bytes:
        """The response APDU (data + SW1 SW2) to a command APDU."""
        if len(apdu) < 4:
            return _sw(0x6700)
        cla, ins, p1, p2 = apdu[:4]
        if cla != 0x00:
            return _sw(0x6E00)
        if ins == 0xC0:
            return self._get_response(apdu)
        self._pending = b""
        if ins == 0xA4:
            return self._select(p1, apdu[5:])
        if ins == 0xB2:
            return self._read_record(p1, p2, apdu[4] if len(apdu) > 4 else 0)
        return _sw(0x6D00)

    def _select(self, p1: int, data: bytes) -> bytes:
        if p1 == 0x04:
            if data != ssse.SSSE_NAME or self.fault == "refuse_select":
                return _sw(0x6A82)
            self.ssse_selected, self.ef06_selected = True, False
            # a T=0 card keeps the FCI for GET RESPONSE
            self._pending = bytes([0x6F, len(data) + 2, 0x84, len(data)]) + data
            return bytes([0x61, len(self._pending)])
        if p1 in (0x00, 0x02) and self.ssse_selected and data == b"\xef\x06":
            self.ef06_selected = True
            return _sw(0x9000)
        return _sw(0x6A82)

    def _get_response(self, apdu: bytes) -> bytes:
        if not self._pending:
            return _sw(0x6985)
        wanted = (apdu[4] or 256) if len(apdu) > 4 else 256
        chunk, self._pending = self._pending[:wanted], self._pending[wanted:]
        if self._pending:
            return chunk + bytes([0x61, min(len(self._pending), 0xFF)])
        return chunk + _sw(0x9000)

    def _read_record(self, record: int, p2: int, le: int) -> bytes:
        if not self.ssse_selected:
            return _sw(0x6985)
        sfi = p2 >> 3
        if sfi == 5:
            found = self.holder.card_number_record() if record == 0x07 else None
        elif sfi == 0 and self.ef06_selected:
            if self.fault == "auth_required":
                return _sw(0x6982)
            found = self.holder.records().get(record)
        else:
            return _sw(0x6A82)
        if found is None:
            return _sw(0x6A83)
        if le and le != len(found):
            return bytes([0x6C, len(found)])
        return found + _sw(0x9000)


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


class SocialSecurityCardEmulator:
    """A simulated social security card that is inserted into vpcd's reader over TCP.

    `present_card()` inserts it (pcscd notices at its next poll), `remove_card()` pulls it out,
    `fail(name)` shows one of `FAULTS` and `fail(None)` clears it; `close()` removes the card.
    `commands` lists the APDUs received, for tests.
    """

    def __init__(
        self,
        holder: CardHolder | None = None,
        *,
        host: str = VPCD_HOST,
        port: int = VPCD_PORT,
        atr: bytes = DEFAULT_ATR,
    ) -> None:
        self.card = SsseCard(holder)
        self.host = host
        self.port = port
        self.atr = atr
        self.commands: list[bytes] = []
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._unmuted = threading.Event()
        self._unmuted.set()
        self.gone = threading.Event()
        """Set when the card has left the reader (removed, pulled by a fault, or vpcd hung up)."""
        self.gone.set()

    @property
    def reader_name(self) -> str:
        """The PC/SC reader this card goes into."""
        return vpcd_reader_name(self.port)

    @property
    def inserted(self) -> bool:
        """Whether the card is in the reader (connected to vpcd)."""
        return not self.gone.is_set()

    def present_card(self, holder: CardHolder | None = None) -> None:
        """Insert the card (optionally with other holder data); no-op if already inserted."""
        with self._lock:
            if self.inserted:
                return
            if holder is not None:
                self.card.holder = holder
            self.card.reset()
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2.0)
            except OSError as exc:
                raise DeviceUnavailable(
                    f"cannot insert the simulated card: nothing listens on {self.host}:"
                    f"{self.port} ({exc.strerror or exc}); start pcscd with vsmartcard-vpcd "
                    "(apt-get install pcscd vsmartcard-vpcd; pcscd --foreground &)",
                    code="smart_card.no_vpcd",
                ) from exc
            sock.settimeout(None)
            self._sock = sock
            self.gone.clear()
            self._thread = threading.Thread(
                target=self._serve, args=(sock,), name=f"ssse-card-{self.port}", daemon=True
            )
            self._thread.start()
        log.info("simulated card inserted into %s", self.reader_name)

    def remove_card(self) -> None:
        """Pull the card out (pcscd notices at its next poll); no-op if not inserted."""
        with self._lock:
            sock, thread = self._sock, self._thread
            self._sock = self._thread = None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # vpcd already hung up
        self._unmuted.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)
            if thread.is_alive():
                log.warning("simulated card thread did not stop")
        if sock is not None:
            log.info("simulated card removed from %s", self.reader_name)

    def fail(self, fault: str | None) -> None:
        """Show a fault from `FAULTS`, or clear it with None (a muted card answers again)."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        self.card.fault = fault
        if fault == "mute":
            self._unmuted.clear()
        else:
            self._unmuted.set()

    def close(self) -> None:
        """Remove the card and stop its thread."""
        self.remove_card()

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                header = _recv_exact(sock, 2)
                if header is None:
                    break
                payload = _recv_exact(sock, int.from_bytes(header, "big"))
                if payload is None:
                    break
                response = self._answer(payload)
                if response is None:
                    break
                if not response:
                    continue  # power control messages get no answer
                sock.sendall(len(response).to_bytes(2, "big") + response)
        except OSError as exc:
            log.debug("simulated card connection ended: %s", exc)
        finally:
            sock.close()
            self.gone.set()

    def _answer(self, payload: bytes) -> bytes | None:
        """The response to one vpcd message; b"" for none, None to leave the reader."""
        if len(payload) == 1:
            if payload[0] == _CONTROL_ATR:
                return self.atr
            if payload[0] in (_CONTROL_OFF, _CONTROL_ON, _CONTROL_RESET):
                self.card.reset()
            return b""
        self.commands.append(payload)
        if self.card.fault == "mute":
            self._unmuted.wait()
            if self._sock is None:
                return None
        if self.card.fault == "remove" and payload[1] == 0xB2 and self.card.ef06_selected:
            log.info("simulated card pulled out mid-read (fault 'remove')")
            return None
        return self.card.respond(payload)
