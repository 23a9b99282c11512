"""The base of every device: lifecycle, health, capabilities and events."""

from __future__ import annotations

import abc
import logging
import threading
import weakref
from types import TracebackType
from typing import Any, ClassVar, Self

from peripherals.errors import DeviceUnavailable
from peripherals.events import DeviceEvent, Dispatcher, EventType
from peripherals.status import Health, State

log = logging.getLogger(__name__)

_open_devices: weakref.WeakSet[Device] = weakref.WeakSet()
_open_lock = threading.Lock()


def open_devices() -> list[Device]:
    """Devices opened and not yet closed (tests fail if any are left)."""
    with _open_lock:
        return [device for device in _open_devices if device.is_open]


class Device(abc.ABC):
    """One physical (or simulated) device.

    Public methods are concrete; drivers implement the `_open`, `_close` and `_health` hooks and
    their kind's own hooks. Options come from the TOML configuration (`[devices.<kind>]`).
    """

    kind: ClassVar[str] = "device"
    driver: ClassVar[str] = ""

    def __init__(self, name: str | None = None, dispatcher: Dispatcher | None = None) -> None:
        self.name = name or self.kind
        self._dispatcher = dispatcher
        self._open = False
        self._health = Health(State.STARTING)

    @property
    def is_open(self) -> bool:
        """Whether the device is open."""
        return self._open

    def open(self) -> None:
        """Open the device; raises `DeviceUnavailable` (or a subclass) when it cannot."""
        if self._open:
            return
        self._do_open()
        self._open = True
        with _open_lock:
            _open_devices.add(self)
        log.info("opened %s (%s)", self.name, self.driver)

    def close(self) -> None:
        """Close the device; safe to call twice."""
        if not self._open:
            return
        try:
            self._do_close()
        finally:
            self._open = False
            log.info("closed %s", self.name)

    def health(self) -> Health:
        """Check and return the device's health (never raises)."""
        if not self._open:
            return Health(State.NO_DEVICE, "device.closed", "not open")
        try:
            health = self._check_health()
        except Exception as exc:  # health must never raise
            code = getattr(exc, "code", "device.error")
            health = Health(State.HARDWARE_ERROR, code, str(exc))
        if health.state != self._health.state:
            self.emit(EventType.STATUS_CHANGED, state=health.state.value, code=health.code)
        self._health = health
        return health

    def emit(self, type_: EventType, **data: Any) -> None:
        """Post an event to the dispatcher, if one is set."""
        if self._dispatcher is not None:
            self._dispatcher.post(DeviceEvent(type_, self.name, dict(data)))

    def _require_open(self) -> None:
        if not self._open:
            raise DeviceUnavailable(f"{self.name} is not open")

    @abc.abstractmethod
    def _do_open(self) -> None:
        """Driver hook: acquire the port, socket or context."""

    @abc.abstractmethod
    def _do_close(self) -> None:
        """Driver hook: release everything `_do_open` acquired."""

    def _check_health(self) -> Health:
        """Driver hook: probe the device; default is online while open."""
        return Health(State.ONLINE)

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
