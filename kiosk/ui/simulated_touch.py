"""`tap_at`: a finger's touch down and up at a window position, as Kivy's input providers post it.

Tours and benchmarks drive the real widgets this way. Kivy's own `kivy.tests.common.UnitTestTouch`
does the same but imports pytest with it (~10 MB and 150 modules a tour or benchmark process
would then carry, which the kiosk in service never loads).
"""

from __future__ import annotations

from typing import Any

from kivy.base import EventLoop
from kivy.input.motionevent import MotionEvent


class SimulatedTouch(MotionEvent):  # type: ignore[misc]
    """One touch at window coordinates (x, y), posted to Kivy's event loop."""

    def __init__(self, x: float, y: float) -> None:
        window: Any = EventLoop.window
        position = {"x": x / (window.width - 1.0), "y": y / (window.height - 1.0)}
        super().__init__(type(self).__name__, 99, position, is_touch=True, type_id="touch")
        self.profile = ["pos"]

    def depack(self, args: dict[str, float]) -> None:
        """Take the position as the share of the window's width and height."""
        self.sx = args["x"]
        self.sy = args["y"]
        super().depack(args)


def tap_at(x: float, y: float) -> None:
    """Touch down and up at window position (x, y)."""
    touch = SimulatedTouch(x, y)
    EventLoop.post_dispatch_input("begin", touch)
    EventLoop.post_dispatch_input("end", touch)
