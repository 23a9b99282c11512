"""The info screen: a message and a continue button."""

from __future__ import annotations

from kiosk.ui.screens.base import PromptScreen


class InfoScreen(PromptScreen):
    """Shows the text; "continue" answers `True`."""

    default_focus = 0

    def build(self) -> None:
        """Add the continue button."""
        self.add_widget(self.filler())
        if self.ctx.prompt.waits:
            button = self.action("common.continue", lambda: self.answer(True))
            self.add_widget(self.action_row(button))
            self.focusables = [button]  # ENTER (or any digit) continues
