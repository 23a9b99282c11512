"""Process-wide use of pyscard's `CardMonitor` and `ReaderMonitor`, stopped with the last observer.

Both are process singletons in pyscard whose threads otherwise run until exit: the card
monitor's thread starts with the first `CardMonitor()` and blocks in `SCardGetStatusChange`
for up to 60 s; the reader monitor shares state between instances, so building a second one
while the first runs orphans its thread. Here each is built once, observers are counted, and
the last `unwatch_*` stops the thread (cancelling the blocking call) and forgets the singleton
so the next `watch_*` starts afresh.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from smartcard.CardMonitoring import CardMonitor, CardMonitoringThread, CardObserver
from smartcard.Exceptions import SmartcardException
from smartcard.ReaderMonitoring import ReaderMonitor, ReaderObserver
from smartcard.scard import (
    SCARD_E_NO_READERS_AVAILABLE,
    SCARD_S_SUCCESS,
    SCARD_SCOPE_USER,
    SCardCancel,
    SCardEstablishContext,
    SCardListReaders,
    SCardReleaseContext,
)

log = logging.getLogger(__name__)

READER_POLL_PERIOD = 0.5
"""Seconds between reader-list polls (PC/SC has no portable reader-arrival event)."""

_STOP_DEADLINE = 5.0
_lock = threading.Lock()
_reader_monitor: Any = None


def reader_names() -> list[str]:
    """The PC/SC reader names now; empty when pcscd is not reachable (never raises)."""
    hresult, context = SCardEstablishContext(SCARD_SCOPE_USER)
    if hresult != SCARD_S_SUCCESS:
        return []
    try:
        hresult, names = SCardListReaders(context, [])
    finally:
        SCardReleaseContext(context)
    if hresult == SCARD_E_NO_READERS_AVAILABLE or hresult != SCARD_S_SUCCESS:
        return []
    return [str(name) for name in names]


def watch_cards(observer: CardObserver) -> None:
    """Have `observer.update(monitor, (added, removed))` called on card insertion/removal."""
    with _lock:
        CardMonitor().addObserver(observer)


def unwatch_cards(observer: CardObserver) -> None:
    """Stop notifying `observer`; the monitor thread stops with the last observer."""
    with _lock:
        monitor = CardMonitor()
        try:
            monitor.deleteObserver(observer)
        except ValueError:
            return
        if monitor.countObservers() == 0:
            _stop_card_thread()


def _stop_card_thread() -> None:
    thread = CardMonitoringThread.instance
    if thread is not None:
        thread.stop()
        deadline = time.monotonic() + _STOP_DEADLINE
        while thread.is_alive() and time.monotonic() < deadline:
            # its wait cannot see the stop flag: cancel it (again, if it had not begun yet)
            request = thread.cardrequest
            context = getattr(getattr(request, "pcsccardrequest", None), "hcontext", None)
            if context is not None:
                SCardCancel(context)
            thread.join(0.05)
        if thread.is_alive():
            log.warning("pyscard card monitor thread did not stop within %.0f s", _STOP_DEADLINE)
        elif thread.cardrequest is not None:
            try:
                thread.cardrequest.pcsccardrequest.release()
            except SmartcardException as exc:
                log.debug("releasing the card monitor's context: %s", exc)
    CardMonitoringThread.instance = None
    CardMonitor.instance = None


def watch_readers(observer: ReaderObserver) -> None:
    """Have `observer.update(monitor, (added, removed))` called when readers come and go."""
    global _reader_monitor
    with _lock:
        if _reader_monitor is None:
            _reader_monitor = ReaderMonitor(
                startOnDemand=False, readerProc=reader_names, period=READER_POLL_PERIOD
            )
        _reader_monitor.addObserver(observer)


def unwatch_readers(observer: ReaderObserver) -> None:
    """Stop notifying `observer`; the polling thread stops with the last observer."""
    global _reader_monitor
    with _lock:
        monitor = _reader_monitor
        if monitor is None:
            return
        try:
            monitor.deleteObserver(observer)
        except ValueError:
            return
        if monitor.countObservers() == 0:
            monitor.rmthread.stop()  # sets its event and joins it
            _reader_monitor = None
