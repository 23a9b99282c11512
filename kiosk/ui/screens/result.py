"""The result screen: the outcome, large, and a "done" button."""

from __future__ import annotations

from kiosk.ui.screens.base import PromptScreen


class ResultScreen(PromptScreen):
    """Shows the outcome text; "done" answers `True`."""

    default_focus = 0

    def build(self) -> None:
        """Add the done button."""
        self.add_widget(self.filler())
        if self.ctx.prompt.waits:
            button = self.action("ui.result.done", lambda: self.answer(True))
            self.add_widget(self.action_row(button))
            self.focusables = [button]  # ENTER (or any digit) continues
