"""Input that arrives on a driver thread and is read, with a timeout, on the caller's thread.

Scanners and keypads both keep a bounded queue of what was typed or scanned, wake a waiting
reader when the device closes or its reader thread fails, and report that failure as health.
"""

from __future__ import annotations

import queue
import time
from typing import Generic, TypeVar

from peripherals.errors import DeviceTimeout, DeviceUnavailable, PeripheralError
from peripherals.status import Health, State

T = TypeVar("T")


class InputQueue(Generic[T]):
    """A bounded queue of inputs with the reader's life cycle (begin, end, fail)."""

    def __init__(self, name: str, limit: int) -> None:
        self._name = name
        self._limit = limit
        self._items: queue.Queue[T | None] = queue.Queue()
        self.failure: PeripheralError | None = None
        self._stopped = False

    def put(self, item: T) -> None:
        """Driver side: one input arrived; the oldest is dropped when the queue is full."""
        while self._items.qsize() >= self._limit:
            self._items.get_nowait()
        self._items.put(item)

    def get(self, timeout: float, nothing: DeviceTimeout) -> T:
        """The next input within `timeout` s; raises `nothing` when none comes."""
        deadline = time.monotonic() + timeout
        while True:
            if self.failure is not None:
                raise self.failure
            if self._stopped:
                raise DeviceUnavailable(f"{self._name} was closed", code="device.closed")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise nothing
            try:
                item = self._items.get(timeout=remaining)
            except queue.Empty:
                continue
            if item is not None:
                return item

    def clear(self) -> None:
        """Forget inputs not read yet."""
        while True:
            try:
                self._items.get_nowait()
            except queue.Empty:
                return

    def begin(self) -> None:
        """The device opened: forget old inputs and failures."""
        self.failure = None
        self._stopped = False
        self.clear()

    def end(self) -> None:
        """The device closed: a waiting reader gets `DeviceUnavailable`."""
        self._stopped = True
        self._items.put(None)

    def fail(self, error: PeripheralError) -> None:
        """The reader thread stopped because of `error`: a waiting reader gets it."""
        self.failure = error
        self._items.put(None)

    def health(self) -> Health:
        """No device after a reader failure, otherwise online."""
        if self.failure is not None:
            return Health(State.NO_DEVICE, self.failure.code, str(self.failure))
        return Health(State.ONLINE)
