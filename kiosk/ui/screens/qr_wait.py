"""Paying by QR code: the code to scan, the instruction, and a sign that the kiosk is waiting."""

from __future__ import annotations

from kivy.metrics import dp

from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.widgets.label import KioskLabel
from kiosk.ui.widgets.progress import ProgressArc
from kiosk.ui.widgets.qr_code import QrCode


class QrWaitScreen(PromptScreen):
    """No answer buttons: the back office answers; the resident can go back, cancel, get help."""

    def build(self) -> None:
        """Add the code, what the kiosk is waiting for, and the progress arc."""
        look = self.ctx.look
        self.code = QrCode(self.ctx.prompt.code, side=dp(look.scale.action_height * 3.2))
        self.add_widget(self.code)
        self.add_widget(
            KioskLabel(look, self.ctx.tr("pay.waiting"), size="action", halign="center")
        )
        self.add_widget(ProgressArc(look))
        self.add_widget(self.filler())
