"""The band at the top of every screen: terminal, service, step progress, date and time."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.i18n import t
from kiosk.ui.clock_text import format_now
from kiosk.ui.theme import Look
from kiosk.ui.widgets.text_cache import CachedLabel


def progress_text(progress: tuple[int, int] | None, lang: str) -> str:
    """ "第 2 步，共 5 步" / "Step 2 of 5", or "" for a screen outside a flow's steps."""
    if progress is None:
        return ""
    number, total = progress
    return t("ui.header.step", lang, number=number, total=total)


class Header(BoxLayout):  # type: ignore[misc]
    """Terminal name on the left, the service title in the middle, step and clock on the right.

    The clock ticks every 20 s while the header is on screen (`stop_ticking` ends it).
    """

    def __init__(
        self,
        look: Look,
        lang: str,
        *,
        terminal: str,
        title: str,
        progress: tuple[int, int] | None,
        now: Callable[[], dt.datetime] = dt.datetime.now,
        **kwargs: Any,
    ) -> None:
        scale, theme = look.scale, look.theme
        super().__init__(
            orientation="horizontal",
            size_hint_y=None,
            height=dp(scale.header_height),
            padding=(dp(scale.padding), 0),
            spacing=dp(scale.spacing),
            **kwargs,
        )
        with self.canvas.before:
            Color(*theme.rgba("header"))
            self._bg = Rectangle()
        self.bind(pos=self._paint, size=self._paint)
        self.lang, self._now = lang, now
        ink = theme.rgba("header_text")

        def label(text: str, size: float, halign: str, weight: float) -> Label:
            widget = CachedLabel(
                text=text,
                markup=True,
                color=ink,
                font_size=dp(size),
                halign=halign,
                valign="middle",
                shorten=True,
                shorten_from="right",
                size_hint_x=weight,
            )
            widget.bind(size=lambda w, s: setattr(w, "text_size", s))
            return widget

        # elder mode drops the terminal's name: the service and the step matter more
        elder = look.elder
        self.terminal = label("" if elder else terminal, scale.caption, "left", 0.28)
        self.title = label(f"[b]{title}[/b]", scale.action, "left" if elder else "center", 0.44)
        self.step = label(progress_text(progress, lang), scale.caption, "right", 0.28)
        self.clock_text = ""
        for widget in (self.title, self.step) if elder else (self.terminal, self.title, self.step):
            self.add_widget(widget)
        if elder:
            self.title.size_hint_x, self.step.size_hint_x = 0.45, 0.55
        self._title, self._title_size = title, dp(scale.action)
        self.title.bind(width=self._fit_title)
        self._progress = self.step.text
        self._tick()
        self._event = Clock.schedule_interval(self._tick, 20.0)

    def _fit_title(self, *_: Any) -> None:
        """A title too long for its room is set smaller (down to 70%) rather than cut short."""
        room = self.title.width - sum(self.title.padding[::2]) if self.title.width > 1 else 0
        probe = CoreLabel(font_size=self._title_size, font_name=self.title.font_name, bold=True)
        needed = probe.get_extents(self._title)[0]
        size = self._title_size
        if room > 0 and needed > room:
            size = max(self._title_size * 0.7, self._title_size * room / needed * 0.98)
            # whole even pixels: Kivy opens a font face (0.7-2.5 MB) for every size it draws
            size = float(math.floor(size / 2) * 2) or size
        self.title.font_size = size

    def stop_ticking(self) -> None:
        """Stop the clock callback (the shell calls this when the screen is replaced)."""
        self._event.cancel()

    def _tick(self, *_: Any) -> None:
        self.clock_text = format_now(self._now(), self.lang, short=True)
        self.step.text = (
            f"{self._progress}   {self.clock_text}" if self._progress else self.clock_text
        )

    def _paint(self, *_: Any) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size
