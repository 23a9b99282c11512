"""The inactivity warning: a countdown and one large "more time" button over the screen."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from kivy.metrics import dp

from kiosk.i18n import t
from kiosk.ui.theme import Look
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.label import KioskLabel
from kiosk.ui.widgets.modal_overlay import ModalOverlay


class TimeoutOverlay(ModalOverlay):
    """Covers the screen (swallowing taps) until the resident asks for more time."""

    def __init__(
        self,
        look: Look,
        lang: str,
        remaining: float,
        on_more_time: Callable[[], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(look, **kwargs)
        scale = look.scale
        self.look, self.lang = look, lang
        box = self.box
        self.title = KioskLabel(look, t("ui.timeout.title", lang), size="title", halign="center")
        self.countdown = KioskLabel(look, "", size="title", halign="center")
        self.more_time = KioskButton(
            look,
            t("ui.timeout.more_time", lang),
            on_more_time,
            role="primary",
            kiosk_id="timeout.more_time",
            size_hint_y=None,
            height=dp(scale.action_height),
        )
        for widget in (self.title, self.countdown, self.more_time):
            box.add_widget(widget)
        box.height = dp(scale.action_height) + dp(scale.title * 4) + dp(scale.padding * 6)
        self.update(remaining)

    def update(self, remaining: float) -> None:
        """Show the whole seconds left."""
        seconds = max(0, math.ceil(remaining))
        self.seconds = seconds
        self.countdown.text = t("ui.timeout.countdown", self.lang, seconds=seconds)
