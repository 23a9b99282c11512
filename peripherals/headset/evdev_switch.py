"""Headset detection from a Linux input device's headphone switch (SW_HEADPHONE_INSERT)."""

from __future__ import annotations

from typing import Any, ClassVar

from peripherals.errors import DeviceUnavailable
from peripherals.evdev_input import EvdevInput, open_evdev
from peripherals.events import Dispatcher
from peripherals.headset.base import Headset

EV_SW = 0x05
SW_HEADPHONE_INSERT = 0x02


class EvdevSwitchHeadset(Headset):
    """Options: `device` (an /dev/input/event* path), `switch` (switch code, default headphone).

    evdev offers no query of a switch's state, so the jack counts as empty until it reports.
    The device is not grabbed: the sound system may want the same events.
    """

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
        self._reader: EvdevInput | None = None

    def _open_input(self) -> Any:
        """Open the evdev input device (tests substitute a fake)."""
        return open_evdev(self.device_path)

    def _do_open(self) -> None:
        try:
            source = self._open_input()
        except OSError as exc:
            raise DeviceUnavailable(f"cannot open {self.device_path}: {exc}") from exc
        self._reader = EvdevInput(
            source, name=self.name, on_event=self._on_event, on_lost=self._on_lost, grab=False
        )
        self._reader.start(self.device_path, "headset.unavailable")

    def _do_close(self) -> None:
        if self._reader is not None:
            self._reader.stop()
            self._reader = None

    def _on_lost(self, exc: OSError) -> None:
        self._set_plugged(False)

    def _on_event(self, type_: int, code: int, value: int) -> None:
        if type_ == EV_SW and code == self.switch:
            self._set_plugged(bool(value))
