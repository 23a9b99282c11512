"""An evdev input device read on its own thread: exclusive grab, key events out, clean close.

Keyboard-wedge scanners, tactile keypads and headset switches are all Linux input devices; this
is the one place that opens, grabs, reads and releases them.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
from collections.abc import Callable
from typing import Any

from peripherals.errors import DeviceUnavailable, MissingDependency

EventHandler = Callable[[int, int, int], None]
"""Called with (event type, code, value) for every input event, on the reader thread."""


def open_evdev(path: str) -> Any:
    """Open an evdev input device; `MissingDependency` without the evdev package."""
    try:
        import evdev
    except ImportError as exc:
        raise MissingDependency("pip install evdev") from exc
    return evdev.InputDevice(path)


class EvdevInput:
    """Reads one input device until stopped; `on_lost` hears why reading ended early."""

    def __init__(
        self,
        source: Any,
        *,
        name: str,
        on_event: EventHandler,
        on_lost: Callable[[OSError], None],
        grab: bool = True,
    ) -> None:
        self._source = source
        self._name = name
        self._on_event = on_event
        self._on_lost = on_lost
        self._grab = grab
        self._thread: threading.Thread | None = None
        self._wake_r = self._wake_w = -1

    def start(self, path: str, unavailable_code: str) -> None:
        """Grab the device (if asked) and start reading; `DeviceUnavailable` when it cannot."""
        try:
            if self._grab:
                self._source.grab()
        except OSError as exc:
            self._source.close()
            raise DeviceUnavailable(
                f"cannot open {path} exclusively: {exc}", code=unavailable_code
            ) from exc
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name=f"{self._name}-reader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the reader thread, release the grab and close the device."""
        if self._thread is not None:
            os.write(self._wake_w, b"x")
            self._thread.join(timeout=2)
            self._thread = None
            os.close(self._wake_r)
            os.close(self._wake_w)
        if self._grab:
            with contextlib.suppress(OSError):  # the device may already be gone
                self._source.ungrab()
        self._source.close()

    def _run(self) -> None:
        source = self._source
        while True:
            ready, _, _ = select.select([source.fileno(), self._wake_r], [], [])
            if self._wake_r in ready:
                return
            try:
                events = list(source.read())
            except BlockingIOError:
                continue
            except OSError as exc:  # unplugged
                self._on_lost(exc)
                return
            for event in events:
                self._on_event(event.type, event.code, event.value)
