"""The consent screen: the stated purpose, agree or decline (declining offers another way)."""

from __future__ import annotations

from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.widgets.label import KioskLabel


class ConsentScreen(PromptScreen):
    """Agree answers `True`; decline answers `False` (the flow then offers another way)."""

    # No default: consent is never given by a reflexive ENTER (press 1, or move focus first).
    default_focus = None

    def build(self) -> None:
        """Add the privacy note and the two actions."""
        look = self.ctx.look
        self.add_widget(KioskLabel(look, self.ctx.tr("ui.consent.note"), role="muted"))
        self.add_widget(self.filler())
        if self.ctx.prompt.waits:
            no = self.action("common.decline", lambda: self.answer(False), role="secondary")
            yes = self.action("common.agree", lambda: self.answer(True))
            self.add_widget(self.action_row(no, yes))
            self.focus_by_value({"yes": yes, "no": no})
