"""The hub: opens the configured devices, reports their health, and closes them cleanly."""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Mapping
from typing import Any

import msgspec

from peripherals import registry
from peripherals.device import Device
from peripherals.errors import PeripheralError
from peripherals.events import Dispatcher
from peripherals.status import Health, State

log = logging.getLogger(__name__)


class DeviceConfig(msgspec.Struct, frozen=True):
    """One configured device: its kind, driver name and driver options."""

    kind: str
    driver: str
    options: dict[str, Any] = msgspec.field(default_factory=dict)


_LOCK_SHAPE = ("boards", "locks_per_board", "feedback")
"""Lock-board options a simulated bus keeps: the locker's layout is wired to them."""


def simulated_options(config: DeviceConfig) -> dict[str, Any]:
    """The options a device's simulator gets: a simulated driver's own; for lock boards the
    family and the boards as configured (the locker's layout names them); none otherwise."""
    if config.driver == registry.SIMULATED:
        return dict(config.options)
    if config.kind == "lock_board":
        family = config.driver.removeprefix("lockboard-")
        kept = {k: v for k, v in config.options.items() if k in _LOCK_SHAPE}
        return {"family": family, **kept}
    return {}


class Hub:
    """Owns every configured device; `simulate` swaps each driver for its simulator.

    `on_demand`: kinds whose devices `open` leaves closed; each is opened the first time it is
    asked for (`by_kind`), and reported `starting` until then. A headless run opens so what its
    flows may use but do not need: its path may never come to them.
    """

    def __init__(
        self,
        devices: Mapping[str, DeviceConfig],
        *,
        simulate: bool = False,
        dispatcher: Dispatcher | None = None,
        on_demand: Collection[str] = (),
    ) -> None:
        self._configs = dict(devices)
        self._simulate = simulate
        self._dispatcher = dispatcher
        self._devices: dict[str, Device] = {}
        self._failures: dict[str, Health] = {}
        self._waiting = {name for name, c in self._configs.items() if c.kind in on_demand}
        """Devices of an on-demand kind not asked for yet."""
        self._lock = threading.Lock()

    def open(self) -> None:
        """Open every configured device (but those opened on demand); a device that fails is
        reported, not fatal."""
        for name in self._configs:
            if name not in self._waiting:
                self._open_one(name)

    def _open_one(self, name: str) -> Device | None:
        self._waiting.discard(name)  # tried once: a failure is reported as one at `open` is
        config = self._configs[name]
        driver = registry.SIMULATED if self._simulate else config.driver
        options = simulated_options(config) if self._simulate else config.options
        try:
            device = registry.create(
                config.kind, driver, options, name=name, dispatcher=self._dispatcher
            )
            device.open()
        except PeripheralError as exc:
            log.warning("device %s (%s) unavailable: %s", name, driver, exc)
            self._failures[name] = Health(State.NO_DEVICE, exc.code, str(exc))
            return None
        self._failures.pop(name, None)
        self._devices[name] = device
        return device

    def reopen(self, name: str) -> Health:
        """Close a device and open it again (its port, socket or context), or try again one that
        failed to open; its health now. The nearest thing to a power cycle a driver can do."""
        if name not in self._configs:
            raise KeyError(name)
        device = self._devices.get(name)
        if device is None:
            self._open_one(name)
        else:
            device.close()
            try:
                device.open()
            except PeripheralError as exc:
                log.warning("device %s did not reopen: %s", name, exc)
                del self._devices[name]
                self._failures[name] = Health(State.NO_DEVICE, exc.code, str(exc))
        return self.health()[name]

    def names(self) -> list[str]:
        """Every configured device's name, opened or not."""
        return list(self._configs)

    def close(self) -> None:
        """Close every open device, even if some fail to close."""
        for name, device in list(self._devices.items()):
            try:
                device.close()
            except PeripheralError as exc:
                log.warning("closing %s failed: %s", name, exc)
        self._devices.clear()

    def get(self, name: str) -> Device | None:
        """The open device with this name, if any."""
        return self._devices.get(name)

    def by_kind(self, kind: str) -> Device | None:
        """The first open device of a kind, if any (one opened on demand is opened now)."""
        for device in list(self._devices.values()):  # another thread may open one meanwhile
            if device.kind == kind:
                return device
        if not self._waiting:
            return None
        with self._lock:
            for name in [n for n in self._waiting if self._configs[n].kind == kind]:
                opened = self._open_one(name)
                if opened is not None:
                    return opened
        return None

    def configured_kind(self, name: str) -> str:
        """The kind of the configured device `name`, opened or not."""
        config = self._configs.get(name)
        return config.kind if config is not None else ""

    def health(self) -> dict[str, Health]:
        """Health of every configured device, opened or not."""
        report = dict(self._failures)
        for name in self._waiting:
            report[name] = Health(State.STARTING, "device.on_demand", "opened when first used")
        for name, device in self._devices.items():
            report[name] = device.health()
        return report

    def usable_kinds(self) -> set[str]:
        """Kinds with at least one usable device now."""
        return {d.kind for d in self._devices.values() if d.health().usable}

    def __enter__(self) -> Hub:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
