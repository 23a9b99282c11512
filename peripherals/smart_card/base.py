"""The smart-card reader: wait for a card, exchange APDUs, read a social security card."""

from __future__ import annotations

import abc
import datetime
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar

from peripherals.device import Device
from peripherals.errors import Busy, MediaError, ProtocolError
from peripherals.events import Dispatcher
from peripherals.smart_card import ssse
from peripherals.smart_card.status_words import OK, REFUSED, describe, sw_error

log = logging.getLogger(__name__)

_MAX_GET_RESPONSE = 64  # a card asking for more rounds than this is looping


@dataclass(frozen=True)
class SocialSecurityCard:
    """What a social security card gave; a field the card refused (or left blank) is None.

    `sex` is the GB/T 2261.1 code ("1", "2"), `nation` the GB 3304 code ("01"), `birthplace`
    a six-digit division code. The repr masks personal data so the object is safe to log.
    """

    atr: bytes
    card_number: str | None = field(default=None, repr=False)
    ssn: str | None = field(default=None, repr=False)
    name: str | None = field(default=None, repr=False)
    sex: str | None = field(default=None, repr=False)
    nation: str | None = field(default=None, repr=False)
    birth_date: datetime.date | None = field(default=None, repr=False)
    birthplace: str | None = field(default=None, repr=False)

    FIELD_NAMES: ClassVar[tuple[str, ...]] = tuple(f.name for f in ssse.FIELDS)

    def readable(self) -> list[str]:
        """Names of the fields the card gave."""
        return [name for name in self.FIELD_NAMES if getattr(self, name) is not None]


class SmartCardReader(Device):
    """A PC/SC-style contact card reader.

    Public methods are blocking, take or use a timeout, and raise only `PeripheralError`s:
    `MediaError` code `smart_card.no_card` when no card came, `smart_card.removed` when it left
    mid-read. One operation runs at a time; a concurrent call raises `Busy`. Drivers implement
    `_wait_for_card`, `_card_atr` and `_exchange`; `61 xx` and `6C xx` are handled here.
    Events: CARD_INSERTED / CARD_REMOVED / READER_ADDED / READER_REMOVED.
    """

    kind = "smart_card"

    def __init__(self, name: str | None = None, dispatcher: Dispatcher | None = None) -> None:
        super().__init__(name, dispatcher)
        self._operation = threading.Lock()

    def wait_for_card(self, timeout: float) -> bytes:
        """Wait up to `timeout` seconds for a card (one already in counts); return its ATR."""
        self._require_open()
        if timeout < 0:
            raise ValueError("timeout must not be negative")
        with self._exclusive():
            return self._wait_for_card(timeout)

    def atr(self) -> bytes:
        """The ATR of the card in the reader; `MediaError` `smart_card.no_card` if none."""
        self._require_open()
        with self._exclusive():
            return self._card_atr()

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one command APDU; return the response data and the final status word.

        `61 xx` is followed by GET RESPONSE (data concatenated) and `6C xx` by a resend with
        the right Le, so the caller sees what a T=1 card would answer.
        """
        self._require_open()
        if len(apdu) < 4:
            raise ValueError(f"an APDU has at least 4 bytes, got {len(apdu)}")
        with self._exclusive():
            return self._command(bytes(apdu))

    def read_social_security_card(self, timeout: float) -> SocialSecurityCard:
        """Wait up to `timeout` s for a card and read its SSSE fields (refused ones are None).

        Raises `MediaError` `smart_card.not_social_security` when the card has no SSSE
        application.
        """
        self._require_open()
        if timeout < 0:
            raise ValueError("timeout must not be negative")
        with self._exclusive():
            atr = self._wait_for_card(timeout)
            _, sw = self._command(ssse.SELECT_SSSE)
            if sw == 0x6A82:
                raise MediaError(
                    "the card has no social security (SSSE) application: "
                    "is it a social security card?",
                    code="smart_card.not_social_security",
                )
            if sw != OK:
                raise sw_error(sw, "SELECT SSSE")
            values: dict[str, object] = {}
            ef06_selected: bool | None = None
            for read in ssse.FIELDS:
                if read.in_ef06 and ef06_selected is None:
                    _, sw = self._command(ssse.SELECT_EF06)
                    ef06_selected = sw == OK
                    if sw != OK and sw not in REFUSED:
                        raise sw_error(sw, "SELECT EF06")
                    if not ef06_selected:
                        log.info("card refused EF06: %s", describe(sw))
                if read.in_ef06 and not ef06_selected:
                    values[read.name] = None
                    continue
                values[read.name] = self._read_field(read)
        card = SocialSecurityCard(atr=atr, **values)  # type: ignore[arg-type]
        log.info(
            "read social security card: %d of %d fields (%s)",
            len(card.readable()),
            len(ssse.FIELDS),
            ", ".join(card.readable()) or "none",
        )
        return card

    def read_card_number(self, timeout: float) -> str:
        """Wait up to `timeout` s for a card and read its card number only (a staff card's
        identity: a courier's, a maintainer's); nothing personal is read.

        Raises `MediaError` `smart_card.not_social_security` for a card without the SSSE
        application and `smart_card.no_card_number` when the card refuses or lacks it.
        """
        self._require_open()
        if timeout < 0:
            raise ValueError("timeout must not be negative")
        with self._exclusive():
            self._wait_for_card(timeout)
            _, sw = self._command(ssse.SELECT_SSSE)
            if sw == 0x6A82:
                raise MediaError(
                    "the card has no SSSE application to read a card number from",
                    code="smart_card.not_social_security",
                )
            if sw != OK:
                raise sw_error(sw, "SELECT SSSE")
            number = self._read_field(ssse.FIELDS[0])
        if not isinstance(number, str) or not number:
            raise MediaError("the card gave no card number", code="smart_card.no_card_number")
        return number

    def _read_field(self, read: ssse.FieldRead) -> object:
        data, sw = self._command(read.apdu)
        if sw in REFUSED:
            log.info("card refused %s: %s", read.name, describe(sw))
            return None
        if sw != OK:
            raise sw_error(sw, f"reading {read.name}")
        return read.decode(ssse.record_value(data))

    def _command(self, apdu: bytes) -> tuple[bytes, int]:
        data, sw = self._split(self._exchange(apdu))
        if sw >> 8 == 0x6C and len(apdu) == 5:
            data, sw = self._split(self._exchange(apdu[:4] + bytes([sw & 0xFF])))
        rounds = 0
        while sw >> 8 == 0x61:
            rounds += 1
            if rounds > _MAX_GET_RESPONSE:
                raise ProtocolError("card keeps answering 61 xx", code="smart_card.protocol")
            more, sw = self._split(self._exchange(ssse.get_response(sw & 0xFF)))
            data += more
        return data, sw

    @staticmethod
    def _split(response: bytes) -> tuple[bytes, int]:
        if len(response) < 2:
            raise ProtocolError(
                f"card answered {len(response)} bytes, no status word", code="smart_card.protocol"
            )
        return response[:-2], int.from_bytes(response[-2:], "big")

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        if not self._operation.acquire(blocking=False):
            raise Busy(f"{self.name} is busy with another card operation")
        try:
            yield
        finally:
            self._operation.release()

    @abc.abstractmethod
    def _wait_for_card(self, timeout: float) -> bytes:
        """Driver hook: wait for a card, connect to it, return its ATR."""

    @abc.abstractmethod
    def _card_atr(self) -> bytes:
        """Driver hook: the connected (or present) card's ATR."""

    @abc.abstractmethod
    def _exchange(self, apdu: bytes) -> bytes:
        """Driver hook: send one APDU, return the response including SW1 SW2."""
