"""The review-and-confirm screen: rows showing masked values, confirm or go back and change."""

from __future__ import annotations

from kivy.metrics import dp
from kivy.uix.gridlayout import GridLayout

from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.widgets.label import KioskLabel


class ConfirmScreen(PromptScreen):
    """Shows each row's `shown` (never `value`); confirm answers `True`, change answers `False`."""

    default_focus = 0

    def build(self) -> None:
        """Add the review rows and the two actions."""
        look = self.ctx.look
        grid = GridLayout(cols=2, spacing=dp(look.scale.spacing), size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        for row in self.ctx.prompt.rows:
            grid.add_widget(KioskLabel(look, row.label, role="muted", size_hint_x=0.4))
            grid.add_widget(KioskLabel(look, f"[b]{row.shown}[/b]", size_hint_x=0.6))
        self.add_widget(grid)
        self.add_widget(self.filler())
        if self.ctx.prompt.waits:
            no = self.action("ui.action.change", lambda: self.answer(False), role="secondary")
            yes = self.action("ui.action.confirm", lambda: self.answer(True))
            self.add_widget(self.action_row(no, yes))
            # keypad: 1 / "yes" first, as ENTER answers before focus is moved
            self.focus_by_value({"yes": yes, "no": no})
