"""The result screen: a large success, pending or refused sign, the reference in large type,
what happens next, "返回首页" and a visible countdown to the attract screen."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.metrics import dp

from kiosk.flow.prompt import Sign
from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.theme.icons import icon_markup
from kiosk.ui.widgets.label import KioskLabel


class ResultScreen(PromptScreen):
    """Sign, reference, the flow's text, the countdown; "返回首页" answers `True`.

    The sign is an icon and a word, in the sign's colour: never colour alone.
    """

    default_focus = 0

    def header(self) -> None:
        """The sign and its word first, large, then the reference."""
        look, prompt = self.ctx.look, self.ctx.prompt
        sign = prompt.sign or Sign.SUCCESS
        drawn = icon_markup(sign.value, dp(look.scale.sign))
        if drawn:
            self.add_widget(KioskLabel(look, drawn, halign="center", role=sign.value))
        word = self.ctx.tr(f"ui.result.{sign.value}")
        self.add_widget(
            KioskLabel(look, f"[b]{word}[/b]", size="title", halign="center", role=sign.value)
        )
        if prompt.reference:
            caption = self.ctx.tr("ui.result.reference")
            self.add_widget(KioskLabel(look, caption, halign="center", role="muted"))
            self.reference = KioskLabel(
                look, f"[b]{prompt.reference}[/b]", size="display", halign="center"
            )
            self.add_widget(self.reference)
        if prompt.text:
            self.add_widget(KioskLabel(look, prompt.text, size="action", halign="center"))

    def build(self) -> None:
        """Add the countdown and the "返回首页" button."""
        prompt = self.ctx.prompt
        self.add_widget(self.filler())
        self.countdown = KioskLabel(self.ctx.look, "", halign="center", role="muted")
        self.add_widget(self.countdown)
        self._left = prompt.hold
        self._event: Any = None
        if self._left is not None:
            self._show_left()
            self._event = Clock.schedule_interval(self._tick, 1.0)
        if prompt.waits:
            button = self.action(
                "ui.result.home", lambda: self.answer(True), kiosk_id="action.done"
            )
            self.add_widget(self.action_row(button))
            self.focusables = [button]  # ENTER (or any digit) continues

    def _tick(self, dt: float) -> None:
        if self._left is not None:
            self._left = max(0.0, self._left - dt)
            self._show_left()

    def _show_left(self) -> None:
        seconds = round(self._left or 0)
        self.countdown.text = self.ctx.tr("ui.result.countdown", seconds=seconds)

    def stop_ticking(self) -> None:
        """Stop the countdown (the shell calls this when the screen is replaced)."""
        if self._event is not None:
            self._event.cancel()
