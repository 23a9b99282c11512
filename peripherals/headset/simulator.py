"""A simulated headset jack."""

from __future__ import annotations

from typing import ClassVar

from peripherals.headset.base import Headset


class SimulatedHeadset(Headset):
    """`plug()` and `unplug()` post the same events as a real jack."""

    driver: ClassVar[str] = "simulated"

    @property
    def simulator(self) -> SimulatedHeadset:
        """The switches are the device's own methods."""
        return self

    def plug(self) -> None:
        """A headset is plugged in."""
        self._set_plugged(True)

    def unplug(self) -> None:
        """The headset is pulled out."""
        self._set_plugged(False)

    def _do_open(self) -> None:
        """Nothing to open."""

    def _do_close(self) -> None:
        """Nothing to close."""
