"""The `pcsc` driver: any PC/SC reader through pcscd and pyscard.

Every call that reaches the card runs on a short-lived worker thread bounded by the `timeout`
option, because a card (or reader driver) that stops answering blocks `SCardTransmit` with no
timeout of its own; such a connection is abandoned, and its thread is joined on close.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from smartcard.CardMonitoring import CardObserver
from smartcard.CardRequest import CardRequest
from smartcard.Exceptions import (
    CardRequestTimeoutException,
    SmartcardException,
)
from smartcard.ReaderMonitoring import ReaderObserver
from smartcard.scard import (
    SCARD_E_CANCELLED,
    SCARD_E_NO_READERS_AVAILABLE,
    SCARD_E_NO_SERVICE,
    SCARD_E_NO_SMARTCARD,
    SCARD_E_READER_UNAVAILABLE,
    SCARD_E_SERVICE_STOPPED,
    SCARD_E_UNKNOWN_READER,
    SCARD_S_SUCCESS,
    SCARD_SCOPE_USER,
    SCARD_STATE_CHANGED,
    SCARD_STATE_EMPTY,
    SCARD_STATE_MUTE,
    SCARD_STATE_PRESENT,
    SCARD_STATE_UNAWARE,
    SCARD_W_REMOVED_CARD,
    SCARD_W_RESET_CARD,
    SCARD_W_UNPOWERED_CARD,
    SCARD_W_UNRESPONSIVE_CARD,
    SCardCancel,
    SCardEstablishContext,
    SCardGetErrorMessage,
    SCardGetStatusChange,
    SCardListReaders,
    SCardReleaseContext,
)

from peripherals.errors import (
    DeviceFault,
    DeviceTimeout,
    DeviceUnavailable,
    MediaError,
    PeripheralError,
)
from peripherals.events import Dispatcher, EventType
from peripherals.smart_card import monitors
from peripherals.smart_card.base import SmartCardReader
from peripherals.status import Health, State

log = logging.getLogger(__name__)

T = TypeVar("T")

NO_SERVICE_HINT = (
    "the PC/SC service is not running: start pcscd (`systemctl start pcscd.socket`, or "
    "`pcscd --foreground &` without systemd; install it with apt-get install pcscd)"
)
_REMOVAL_WAIT_MS = 1500  # pcscd polls a reader about every 400 ms
_JOIN_ON_CLOSE = 2.0
_REMOVED = (SCARD_W_REMOVED_CARD, SCARD_E_NO_SMARTCARD, SCARD_W_RESET_CARD, SCARD_W_UNPOWERED_CARD)
_NO_SERVICE = (SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED)
_READER_GONE = (SCARD_E_UNKNOWN_READER, SCARD_E_READER_UNAVAILABLE)


def _hresult(exc: BaseException) -> int:
    value = getattr(exc, "hresult", -1)
    return int(value) & 0xFFFFFFFF if isinstance(value, int) else -1


def _same(hresult: int, *codes: int) -> bool:
    return hresult in {code & 0xFFFFFFFF for code in codes}


def _message(hresult: int) -> str:
    return str(SCardGetErrorMessage(hresult)) if hresult >= 0 else "unknown error"


class _Context:
    """A short-lived PC/SC context (cheap: one socket to pcscd), so no context is shared."""

    def __enter__(self) -> Any:
        hresult, self.handle = SCardEstablishContext(SCARD_SCOPE_USER)
        if hresult != SCARD_S_SUCCESS:
            raise DeviceUnavailable(NO_SERVICE_HINT, code="smart_card.no_service")
        return self.handle

    def __exit__(self, *exc: object) -> None:
        SCardReleaseContext(self.handle)


def list_readers() -> list[str]:
    """The readers pcscd knows; `DeviceUnavailable` when pcscd is not running."""
    with _Context() as context:
        hresult, names = SCardListReaders(context, [])
    if _same(hresult & 0xFFFFFFFF, SCARD_E_NO_READERS_AVAILABLE):
        return []
    if hresult != SCARD_S_SUCCESS:
        if _same(hresult & 0xFFFFFFFF, *_NO_SERVICE):
            raise DeviceUnavailable(NO_SERVICE_HINT, code="smart_card.no_service")
        raise DeviceUnavailable(f"cannot list PC/SC readers: {_message(hresult)}")
    return [str(name) for name in names]


def choose_reader(names: list[str], wanted: str | int | None) -> str:
    """The reader named by `wanted` (index, or case-insensitive name substring; None: first)."""
    if not names:
        raise DeviceUnavailable(
            "no smart-card reader attached (pcscd sees none): plug one in",
            code="smart_card.no_reader",
        )
    known = "; ".join(f"{i}: {name}" for i, name in enumerate(names))
    if wanted is None or wanted == "":
        return names[0]
    if isinstance(wanted, int) or wanted.isdigit():
        index = int(wanted)
        if 0 <= index < len(names):
            return names[index]
        raise DeviceUnavailable(
            f"no smart-card reader number {index}; readers: {known}", code="smart_card.no_reader"
        )
    for name in names:
        if wanted.lower() in name.lower():
            return name
    raise DeviceUnavailable(
        f"no smart-card reader matching {wanted!r}; readers: {known}", code="smart_card.no_reader"
    )


class _Observer(CardObserver, ReaderObserver):  # type: ignore[misc]
    """Hands pyscard's monitor notifications (on their threads) to the reader device."""

    def __init__(self, target: Callable[[Any, Any], None]) -> None:
        self._target = target

    def update(self, observable: Any, handlers: Any) -> None:
        """Forward (added, removed) to the device."""
        added, removed = handlers
        self._target(added, removed)


class _Session:
    """One connected card: pyscard's request, service and connection, kept alive together.

    The request and the service must outlive the connection: garbage-collecting either
    releases its PC/SC context ("Context already released", TESTING.md).
    """

    def __init__(self, request: Any, service: Any) -> None:
        self.request = request
        self.service = service
        self.connection = service.connection

    def release(self) -> None:
        """Disconnect (unpowering the card) and release both contexts; never raises."""
        for release in (self.service.connection.disconnect, self.service.connection.release):
            try:
                release()
            except SmartcardException as exc:
                log.debug("releasing card connection: %s", exc)
        try:
            self.request.pcsccardrequest.release()
        except SmartcardException as exc:
            log.debug("releasing card request: %s", exc)


class PcscSmartCardReader(SmartCardReader):
    """A smart-card reader through pcscd.

    Options: `reader` is the reader's index or a substring of its name (default: the first
    reader); `timeout` is how long one command may take before the card counts as not
    answering (`DeviceTimeout` code `smart_card.not_answering`).
    """

    driver = "pcsc"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        reader: str | int | None = None,
        timeout: float = 5.0,
    ) -> None:
        super().__init__(name, dispatcher)
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.reader_option = reader
        self.timeout = float(timeout)
        self.reader_name = ""
        self._session: _Session | None = None
        self._waiting: Any = None  # the CardRequest being waited on, to cancel on close
        self._abandoned: list[tuple[threading.Thread, _Session]] = []
        self._closing = False
        self._state_lock = threading.Lock()
        self._card_present = False
        self._readers: set[str] = set()
        self._observer = _Observer(self._on_cards)
        self._reader_observer = _Observer(self._on_readers)

    # lifecycle

    def _do_open(self) -> None:
        self._closing = False
        names = list_readers()
        self.reader_name = choose_reader(names, self.reader_option)
        self._readers = set(names)
        self._card_present = self._present_now()
        monitors.watch_cards(self._observer)
        monitors.watch_readers(self._reader_observer)
        log.info(
            "smart-card reader %r (card %s)",
            self.reader_name,
            "present" if self._card_present else "absent",
        )

    def _do_close(self) -> None:
        self._closing = True
        waiting = self._waiting
        if waiting is not None:
            context = waiting.pcsccardrequest.hcontext
            if context is not None:
                SCardCancel(context)
        monitors.unwatch_cards(self._observer)
        monitors.unwatch_readers(self._reader_observer)
        self._drop_session()
        for thread, session in self._abandoned:
            thread.join(_JOIN_ON_CLOSE)
            if thread.is_alive():
                log.warning("a card command is still blocked in pcscd; leaving its thread")
            else:
                session.release()
        self._abandoned.clear()

    def _check_health(self) -> Health:
        try:
            names = list_readers()
        except DeviceUnavailable as exc:
            return Health(State.NO_DEVICE, exc.code, str(exc))
        if self.reader_name not in names:
            return Health(
                State.NO_DEVICE, "smart_card.reader_gone", f"reader {self.reader_name!r} is gone"
            )
        return Health(
            State.ONLINE,
            extra={"reader": self.reader_name, "card_present": self._present_now()},
        )

    # driver hooks

    def _wait_for_card(self, timeout: float) -> bytes:
        self._drop_session()
        try:
            request = CardRequest(readers=[self.reader_name], timeout=timeout)
        except SmartcardException as exc:
            raise self._error(exc, "waiting for a card") from exc
        self._waiting = request
        try:
            service = request.waitforcard()
        except CardRequestTimeoutException as exc:
            request.pcsccardrequest.release()
            if self._closing or _same(_hresult(exc), SCARD_E_CANCELLED):
                raise DeviceUnavailable(f"{self.name} was closed while waiting") from exc
            raise MediaError(
                f"no card in {self.reader_name} within {timeout:g} s", code="smart_card.no_card"
            ) from exc
        except SmartcardException as exc:
            request.pcsccardrequest.release()
            raise self._error(exc, "waiting for a card") from exc
        finally:
            self._waiting = None
        session = _Session(request, service)
        self._bounded("connect", session.connection.connect, session)
        self._session = session
        return self._card_atr()

    def _card_atr(self) -> bytes:
        session = self._current_session()
        atr = self._bounded("read the ATR", session.connection.getATR, session)
        return bytes(atr)

    def _exchange(self, apdu: bytes) -> bytes:
        session = self._current_session()
        command = list(apdu)
        data, sw1, sw2 = self._bounded(
            "answer a command", lambda: session.connection.transmit(command), session
        )
        return bytes(data) + bytes([sw1, sw2])

    # helpers

    def _current_session(self) -> _Session:
        if self._session is not None:
            return self._session
        if not self._present_now():
            raise MediaError(f"no card in {self.reader_name}", code="smart_card.no_card")
        self._wait_for_card(0)
        assert self._session is not None
        return self._session

    def _bounded(self, what: str, call: Callable[[], T], session: _Session) -> T:
        """Run `call` on a worker thread; raise `DeviceTimeout` if it takes over `timeout`."""
        outcome: list[Any] = []
        done = threading.Event()

        def run() -> None:
            try:
                outcome.append(call())
            except BaseException as exc:  # handed over to the caller's thread
                outcome.append(exc)
            finally:
                done.set()

        worker = threading.Thread(target=run, name=f"pcsc-{self.name}", daemon=True)
        worker.start()
        if not done.wait(self.timeout):
            # the connection is stuck inside pcscd: never touch it again from here
            self._abandoned.append((worker, session))
            if self._session is session:
                self._session = None
            raise DeviceTimeout(
                f"the card did not {what} within {self.timeout:g} s",
                code="smart_card.not_answering",
            )
        result = outcome[0]
        if isinstance(result, SmartcardException):
            # classify before disconnecting: pcscd marks a reader empty on a failed power-down
            # before its poll sees the card gone, and would then miss a quick re-insertion
            error = self._error(result, what)
            self._forget(session)
            raise error from result
        if isinstance(result, BaseException):
            self._forget(session)
            raise result
        return result  # type: ignore[no-any-return]

    def _error(self, exc: SmartcardException, doing: str) -> PeripheralError:
        """The peripheral error for a pyscard failure while `doing` something."""
        hresult = _hresult(exc)
        if _same(hresult, *_NO_SERVICE):
            return DeviceUnavailable(NO_SERVICE_HINT, code="smart_card.no_service")
        if _same(hresult, *_READER_GONE):
            return DeviceUnavailable(
                f"reader {self.reader_name!r} is gone", code="smart_card.reader_gone"
            )
        if _same(hresult, SCARD_W_UNRESPONSIVE_CARD):
            return MediaError(
                "the card does not respond: is it inserted the right way round?",
                code="smart_card.unreadable",
            )
        if _same(hresult, *_REMOVED) or self._card_left():
            return MediaError(
                f"the card was removed while trying to {doing}", code="smart_card.removed"
            )
        return DeviceFault(f"could not {doing}: {exc}", code="smart_card.transmit_failed")

    def _card_left(self) -> bool:
        """Whether the reader is, or within pcscd's next poll becomes, empty."""
        try:
            with _Context() as context:
                hresult, states = SCardGetStatusChange(
                    context, 0, [(self.reader_name, SCARD_STATE_UNAWARE)]
                )
                if hresult != SCARD_S_SUCCESS:
                    return False
                state = states[0][1]
                if state & SCARD_STATE_EMPTY:
                    return True
                hresult, states = SCardGetStatusChange(
                    context, _REMOVAL_WAIT_MS, [(self.reader_name, state & ~SCARD_STATE_CHANGED)]
                )
        except DeviceUnavailable:
            return False
        return hresult == SCARD_S_SUCCESS and bool(states[0][1] & SCARD_STATE_EMPTY)

    def _present_now(self) -> bool:
        with _Context() as context:
            hresult, states = SCardGetStatusChange(
                context, 0, [(self.reader_name, SCARD_STATE_UNAWARE)]
            )
        if hresult != SCARD_S_SUCCESS:
            return False
        state = states[0][1]
        return bool(state & SCARD_STATE_PRESENT) and not state & SCARD_STATE_MUTE

    def _forget(self, session: _Session) -> None:
        if self._session is session:
            self._session = None
        session.release()

    def _drop_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            try:
                self._bounded("disconnect", session.release, session)
            except PeripheralError as exc:
                log.debug("dropping the card session: %s", exc)

    # monitor callbacks (on pyscard's threads)

    def _on_cards(self, added: Any, removed: Any) -> None:
        for card in removed:
            if str(card.reader) == self.reader_name:
                with self._state_lock:
                    changed, self._card_present = self._card_present, False
                if changed:
                    self.emit(EventType.CARD_REMOVED, reader=self.reader_name)
        for card in added:
            if str(card.reader) == self.reader_name:
                with self._state_lock:
                    changed, self._card_present = not self._card_present, True
                if changed:
                    self.emit(
                        EventType.CARD_INSERTED, reader=self.reader_name, atr=bytes(card.atr).hex()
                    )

    def _on_readers(self, added: Any, removed: Any) -> None:
        for reader in removed:
            with self._state_lock:
                known = str(reader) in self._readers
                self._readers.discard(str(reader))
            if known:
                self.emit(EventType.READER_REMOVED, reader=str(reader))
        for reader in added:
            with self._state_lock:
                new = str(reader) not in self._readers
                self._readers.add(str(reader))
            if new:
                self.emit(EventType.READER_ADDED, reader=str(reader))
