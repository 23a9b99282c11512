"""Device events, delivered to the caller's side of a thread boundary by a dispatcher."""

from __future__ import annotations

import enum
import queue
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:  # only annotated: loading the registry's device base must not load asyncio
    import asyncio


class EventType(enum.StrEnum):
    """What happened at a device."""

    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"
    READER_ADDED = "reader_added"
    READER_REMOVED = "reader_removed"
    DOOR_OPENED = "door_opened"
    DOOR_CLOSED = "door_closed"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    CODE_SCANNED = "code_scanned"
    KEY_PRESSED = "key_pressed"
    HEADSET = "headset"
    STATUS_CHANGED = "status_changed"


class DeviceEvent(msgspec.Struct, frozen=True):
    """One event: its type, the device name, and a small payload."""

    type: EventType
    device: str
    data: dict[str, Any] = msgspec.field(default_factory=dict)


EventHandler = Callable[[DeviceEvent], None]


class Dispatcher:
    """Thread-safe event sink; subclasses decide on which thread handlers run."""

    def post(self, event: DeviceEvent) -> None:
        """Hand an event over from any thread."""
        raise NotImplementedError


class QueueDispatcher(Dispatcher):
    """Collects events in a queue the caller drains (tests, CLI)."""

    def __init__(self) -> None:
        self.queue: queue.Queue[DeviceEvent] = queue.Queue()

    def post(self, event: DeviceEvent) -> None:
        """Queue the event."""
        self.queue.put(event)

    def get(self, timeout: float | None = None) -> DeviceEvent:
        """Wait for the next event; raises `queue.Empty` on timeout."""
        return self.queue.get(timeout=timeout)


class AsyncioDispatcher(Dispatcher):
    """Runs the handler on an asyncio loop's thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, handler: EventHandler) -> None:
        self._loop = loop
        self._handler = handler

    def post(self, event: DeviceEvent) -> None:
        """Schedule the handler on the loop."""
        self._loop.call_soon_threadsafe(self._handler, event)


class CallbackDispatcher(Dispatcher):
    """Hands each event to a scheduling function (e.g. Kivy's `Clock.schedule_once`)."""

    def __init__(
        self, schedule: Callable[[Callable[[], None]], None], handler: EventHandler
    ) -> None:
        self._schedule = schedule
        self._handler = handler

    def post(self, event: DeviceEvent) -> None:
        """Ask the scheduler to run the handler with this event."""
        self._schedule(lambda: self._handler(event))
