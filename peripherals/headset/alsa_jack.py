"""Headset detection from an ALSA jack control, polled with `amixer cget`."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from typing import ClassVar

from peripherals.errors import DeviceFault, DeviceUnavailable, MissingDependency
from peripherals.events import Dispatcher
from peripherals.headset.base import Headset

_VALUES = re.compile(r":\s*values=(on|off)", re.I)


def parse_jack(output: str) -> bool:
    """Whether `amixer cget` output says the jack is in (`: values=on`)."""
    match = _VALUES.search(output)
    if match is None:
        raise DeviceFault("amixer printed no jack value", code="headset.bad_reply")
    return match.group(1).lower() == "on"


class AlsaJackHeadset(Headset):
    """Options: `card` (ALSA card index or name), `control` (jack control name), `interval` (s)."""

    driver: ClassVar[str] = "headset-alsa"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        card: str = "0",
        control: str = "Headphone Jack",
        interval: float = 0.5,
    ) -> None:
        super().__init__(name, dispatcher)
        self.card = str(card)
        self.control = control
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def read(self) -> bool:
        """Ask ALSA for the jack state now."""
        command = ["amixer", "-c", self.card, "cget", f"iface=CARD,name={self.control}"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=5, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DeviceUnavailable(f"amixer failed: {exc}") from exc
        if done.returncode != 0:
            raise DeviceUnavailable(
                f"no jack control {self.control!r} on card {self.card}: {done.stderr.strip()}"
            )
        return parse_jack(done.stdout)

    def _do_open(self) -> None:
        if shutil.which("amixer") is None:
            raise MissingDependency("amixer not found; apt-get install alsa-utils")
        self._set_plugged(self.read())
        self._stop.clear()
        self._thread = threading.Thread(target=self._poll, name=f"{self.name}-jack", daemon=True)
        self._thread.start()

    def _do_close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._set_plugged(self.read())
            except (DeviceUnavailable, DeviceFault):
                continue
