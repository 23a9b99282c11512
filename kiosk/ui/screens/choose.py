"""The choose screen: one large button per option, with its keypad number."""

from __future__ import annotations

from functools import partial

from kivy.metrics import dp
from kivy.uix.gridlayout import GridLayout

from kiosk.ui.screens.base import LONG_TEXT, PromptScreen
from kiosk.ui.widgets.button import MARKER, MIN_FIT_DP, KioskButton
from kiosk.ui.widgets.option_rows import option_text, size_rows

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
        gap = dp(look.scale.spacing * 1.5)
        grid = GridLayout(cols=cols, spacing=gap, size_hint_y=None)
        height = dp(look.scale.action_height)
        # room for the text beside a focused button's ▶ marker, on both sides
        text_width = (self.column_width() - (cols - 1) * gap) / cols - 2 * dp(8 + MARKER + 8)
        buttons = []
        font = dp(look.scale.action)
        for option in options:
            button = KioskButton(
                look,
                option_text(option.key, option.label, font, text_width),
                partial(self.answer, option.value),
                role="primary",
                kiosk_id=f"option.{option.value}",
                size_hint_y=None,
                height=height,
                # an English word wider than the button: smaller, not split (in elder mode not
                # below the body size); Chinese wraps between characters, its row grows instead
                fit=True,
                fit_floor=look.scale.body if look.elder else MIN_FIT_DP,
                wraps_cjk=True,
            )
            self.focusables.append(button)  # keypad focus index = option index
            buttons.append(button)
            grid.add_widget(button)
        # a label too long for one line makes its row taller rather than its text smaller
        grid.height = size_rows(buttons, cols, text_width, height, gap)
        self.add_widget(grid)
        self.add_widget(self.filler())
