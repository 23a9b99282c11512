"""The result screen: the outcome, large, and a "done" button."""

from __future__ import annotations

from kiosk.ui.screens.base import PromptScreen


class ResultScreen(PromptScreen):
    """Shows the outcome text; "done" answers `True`."""

    def build(self) -> None:
        """Add the done button."""
        self.add_widget(self.filler())
        if self.ctx.prompt.waits:
            self.add_widget(
                self.action_row(self.action("ui.result.done", lambda: self.answer(True)))
            )
