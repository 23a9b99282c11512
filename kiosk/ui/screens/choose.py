"""The choose screen: one large button per option, with its keypad number."""

from __future__ import annotations

from functools import partial

from kivy.metrics import dp
from kivy.uix.gridlayout import GridLayout

from kiosk.ui.screens.base import LONG_TEXT, PromptScreen
from kiosk.ui.widgets.button import KioskButton

LONG_LABEL = 12
"""Characters of the longest label that still fits half the screen's width on one line."""


class ChooseScreen(PromptScreen):
    """Options as big buttons "1  label"; a tap answers the option's value.

    The keypad's HASH/STAR focus is drawn on the option it rests on; ENTER picks it.
    """

    def build(self) -> None:
        """Lay the options out in one column (elder mode, few options, or long labels such as
        records) or two."""
        look = self.ctx.look
        options = self.ctx.prompt.options
        long_labels = any(len(option.label) > LONG_LABEL for option in options)
        if len(self.ctx.prompt.text) > LONG_TEXT and len(options) <= 3 and not long_labels:
            cols = len(options)  # a page to read: its few choices side by side below it
        else:
            cols = 1 if look.elder or len(options) <= 3 or long_labels else 2
        grid = GridLayout(cols=cols, spacing=dp(look.scale.spacing * 1.5), size_hint_y=None)
        rows = -(-len(options) // cols)
        height = dp(look.scale.action_height)
        grid.height = rows * height + (rows - 1) * dp(look.scale.spacing * 1.5)
        for option in options:
            button = KioskButton(
                look,
                f"[b]{option.key}[/b]   {option.label}",
                partial(self.answer, option.value),
                role="primary",
                kiosk_id=f"option.{option.value}",
                size_hint_y=None,
                height=height,
            )
            self.focusables.append(button)  # keypad focus index = option index
            grid.add_widget(button)
        self.add_widget(grid)
        self.add_widget(self.filler())
