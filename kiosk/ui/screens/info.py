"""The info screen: a message and a continue button."""

from __future__ import annotations

from kiosk.ui.screens.base import PromptScreen


class InfoScreen(PromptScreen):
    """Shows the text; "continue" answers `True`."""

    def build(self) -> None:
        """Add the continue button."""
        self.add_widget(self.filler())
        if self.ctx.prompt.waits:
            self.add_widget(
                self.action_row(self.action("common.continue", lambda: self.answer(True)))
            )
