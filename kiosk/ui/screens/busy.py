"""The busy screen: please wait, with a progress indication."""

from __future__ import annotations

from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.widgets.label import KioskLabel
from kiosk.ui.widgets.progress import ProgressArc


class BusyScreen(PromptScreen):
    """Shows the text (or a generic "please wait") and a turning arc; nothing to answer."""

    def build(self) -> None:
        """Add the wait message and the progress arc."""
        if not self.ctx.prompt.text:
            self.add_widget(
                KioskLabel(
                    self.ctx.look, self.ctx.tr("ui.busy.wait"), size="action", halign="center"
                )
            )
        self.add_widget(ProgressArc(self.ctx.look))
        self.add_widget(self.filler())
