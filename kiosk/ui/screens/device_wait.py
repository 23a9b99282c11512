"""Waiting for a device: a pictogram, what to do, and a progress indication."""

from __future__ import annotations

from kiosk.session.state import PromptView
from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.widgets.illustration import Illustration
from kiosk.ui.widgets.label import KioskLabel
from kiosk.ui.widgets.progress import ProgressArc

DEVICE_PICTURES: dict[str, str] = {
    "id_card": "id_card",
    "smart_card": "smart_card",
    "scanner": "scanner",
    "printer": "printer",
    "door": "door",
    "lock_board": "door",
}
"""Device kind (from the step) → pictogram and `ui.device.<picture>` instruction."""


class DeviceWaitScreen(PromptScreen):
    """No answer buttons: the device answers; the resident can still go back, cancel, get help."""

    def header(self) -> None:
        """Nothing above the pictogram: the instruction is said once, below it."""

    def build(self) -> None:
        """Add the pictogram, the instruction (the step's own, else the device's) and the
        progress arc."""
        look = self.ctx.look
        picture = DEVICE_PICTURES.get(self.ctx.prompt.device or "", "generic")
        self.add_widget(Illustration(look, picture))
        said = self.ctx.prompt.text or self.ctx.tr(f"ui.device.{picture}")
        self.add_widget(KioskLabel(look, said, size="action", halign="center"))
        self.add_widget(ProgressArc(look))
        # a code typed on the tactile keypad stands in for the device: show what was typed
        self.typed = KioskLabel(look, "", size="keypad", halign="center")
        self.add_widget(self.typed)
        self.add_widget(self.filler())
        self.typed.text = self.ctx.draft.typed

    def draft_changed(self, view: PromptView, *, keypad: bool) -> None:
        """Show the characters typed on the tactile keypad so far."""
        super().draft_changed(view, keypad=keypad)
        self.typed.text = view.draft.typed
