"""Headset detection from a Linux input device's headphone switch (SW_HEADPHONE_INSERT)."""

from __future__ import annotations

import select
import threading
from typing import Any, ClassVar

from peripherals.errors import DeviceUnavailable, MissingDependency
from peripherals.events import Dispatcher
from peripherals.headset.base import Headset

EV_SW = 0x05
SW_HEADPHONE_INSERT = 0x02


class EvdevSwitchHeadset(Headset):
    """Options: `device` (an /dev/input/event* path), `switch` (switch code, default headphone)."""

    driver: ClassVar[str] = "headset-evdev"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        device: str = "",
        switch: int = SW_HEADPHONE_INSERT,
    ) -> None:
        super().__init__(name, dispatcher)
        if not device:
            raise DeviceUnavailable("headset-evdev needs `device` = an /dev/input/event* path")
        self.device_path = device
        self.switch = int(switch)
        self._input: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _do_open(self) -> None:
        try:
            import evdev
        except ImportError as exc:
            raise MissingDependency("pip install evdev") from exc
        try:
            self._input = evdev.InputDevice(self.device_path)
        except OSError as exc:
            raise DeviceUnavailable(f"cannot open {self.device_path}: {exc}") from exc
        # evdev offers no query of switch state: the jack counts as empty until it reports.
        self._stop.clear()
        self._thread = threading.Thread(target=self._read, name=f"{self.name}-jack", daemon=True)
        self._thread.start()

    def _do_close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._input is not None:
            self._input.close()
            self._input = None

    def _read(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._input.fd], [], [], 0.25)
            if not ready:
                continue
            try:
                events = list(self._input.read())
            except OSError:
                return
            for event in events:
                if event.type == EV_SW and event.code == self.switch:
                    self._set_plugged(bool(event.value))
