"""A notice the resident asked for (help, staff called), closed with one large button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.metrics import dp

from kiosk.i18n import t
from kiosk.ui.theme import Look
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.label import KioskLabel
from kiosk.ui.widgets.modal_overlay import ModalOverlay


class NoticeOverlay(ModalOverlay):
    """A message card over the screen; "OK" calls `on_close`; taps elsewhere are swallowed."""

    def __init__(
        self, look: Look, lang: str, text: str, on_close: Callable[[], None], **kwargs: Any
    ) -> None:
        super().__init__(look, **kwargs)
        self.key = ""
        """The text key shown (the shell replaces the card when its notice changes)."""
        scale = look.scale
        box = self.box
        box.bind(minimum_height=box.setter("height"))
        self.label = KioskLabel(look, text, size="action", halign="center")
        box.add_widget(self.label)
        self.ok = KioskButton(
            look,
            t("ui.notice.ok", lang),
            on_close,
            role="primary",
            kiosk_id="notice.ok",
            size_hint_y=None,
            height=dp(scale.action_height),
        )
        """The OK button; any tactile key does what it does (the ring shows it to keypad users)."""
        box.add_widget(self.ok)
