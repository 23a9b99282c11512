"""Waiting for a device: a pictogram, what to do, and a progress indication; on a scan, a code
typed on the screen's keyboard instead.

A scan's prompt says what its code may hold (`prompt.typing`, from the step's pattern): "Type it"
opens a keyboard of those characters (letters and digits, or the 12 digit keys), the typed code
large above it, delete, clear and confirm. What is typed is the session's answer in progress
(`ctx.draft.typed`, the text the tactile keypad types into too); confirm answers it as a code
typed at the keypad is answered, and the step checks it as it checks a scan (a code that does
not match is asked again, with the keyboard still open). The scanner keeps reading meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.metrics import dp

from kiosk.flow.code_typing import CodeTyping, type_code
from kiosk.session.state import PromptView
from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.illustration import Illustration
from kiosk.ui.widgets.keypad import (
    CLEAR,
    DELETE,
    Keypad,
    code_rows,
    shared_digit_keypad,
    shared_keypad,
)
from kiosk.ui.widgets.label import KioskLabel
from kiosk.ui.widgets.progress import ProgressArc
from kiosk.ui.widgets.typed_field import TypedField

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
    """No answer buttons: the device answers; the resident can still go back, cancel, get help,
    and on a scan type the code instead ("Type it", `action.type_code`)."""

    def header(self) -> None:
        """Nothing above the pictogram: the instruction is said once, below it."""

    def build(self) -> None:
        """The pictogram, the instruction and the progress arc, or (a code being typed) the
        instruction, the typed code, the keyboard and confirm."""
        prompt = self.ctx.prompt
        self.typing: CodeTyping | None = prompt.typing if prompt.waits else None
        self.keyboard: Keypad | None = None
        self.field: TypedField | None = None
        if self.typing is not None and self.ctx.memory.keyboard:
            self._build_keyboard(self.typing)
        else:
            self._build_waiting()
        self.refresh()

    def _instruction(self) -> str:
        picture = DEVICE_PICTURES.get(self.ctx.prompt.device or "", "generic")
        return self.ctx.prompt.text or self.ctx.tr(f"ui.device.{picture}")

    def _build_waiting(self) -> None:
        look = self.ctx.look
        picture = DEVICE_PICTURES.get(self.ctx.prompt.device or "", "generic")
        self.add_widget(Illustration(look, picture))
        self.add_widget(KioskLabel(look, self._instruction(), size="action", halign="center"))
        self.add_widget(ProgressArc(look))
        # a code typed on the tactile keypad stands in for the device: show what was typed
        self.typed = KioskLabel(look, "", size="keypad", halign="center")
        self.add_widget(self.typed)
        self.message = KioskLabel(look, "", halign="center")
        self.add_widget(self.message)
        self.add_widget(self.filler())
        if self.typing is not None:
            typing = self._button("ui.scan.type", self._open, "action.type_code", icon="keyboard")
            self.add_widget(self.action_row(typing))

    def _build_keyboard(self, typing: CodeTyping) -> None:
        look = self.ctx.look
        # the instruction, or in its place why the last code was not taken: the keyboard
        # leaves no room for both in elder mode
        self.message = KioskLabel(look, "", size="action", halign="center")
        self.add_widget(self.message)
        # read back at a glance; elder mode's keys leave room for its keypad size (44 dp)
        size = "keypad" if look.elder else "display"
        height = TypedField.line_height_px(look, size)
        self.field = TypedField(look, size=size, halign="center", height=height)
        self.typed = self.field
        self.add_widget(self.field)
        rows = code_rows(typing)
        if typing.letters:  # built once, reused (ten keys a row: ⌫ for delete)
            keyboard = shared_keypad(look, self.ctx.lang, rows, self._key, delete_icon=True)
        else:
            keyboard = shared_digit_keypad(look, self.ctx.lang, rows, self._key)
        for key, button in keyboard.keys.items():
            # keys of characters the code can never hold (a code of S, F and digits)
            button.disabled = len(key) == 1 and key not in typing.characters
        self.keyboard = keyboard
        self.add_widget(keyboard)
        self.add_widget(self.filler())
        scan = self._button("ui.scan.scan_instead", self._close, "action.scan")
        self.confirm = self.action("ui.action.confirm", self._submit)
        self.add_widget(self.action_row(scan, self.confirm))

    def _button(
        self, key: str, on_tap: Callable[[], None], kiosk_id: str, icon: str = ""
    ) -> KioskButton:
        """A secondary action of this screen, as tall as the main actions."""
        return KioskButton(
            self.ctx.look,
            self.ctx.tr(key),
            on_tap,
            role="secondary",
            kiosk_id=kiosk_id,
            icon=icon,
            size_hint_y=None,
            height=dp(self.ctx.look.scale.action_height),
        )

    def _open(self) -> None:
        self.ctx.memory.keyboard = True
        self.ctx.rerender()

    def _close(self) -> None:
        self.ctx.memory.keyboard = False
        self.ctx.rerender()

    def _key(self, key: str) -> None:
        typed = self.ctx.draft.typed
        if key == DELETE:
            after = typed[:-1]
        elif key == CLEAR:
            after = ""
        elif self.typing is not None:
            after = type_code(self.typing, typed, key) or typed
        else:
            after = typed
        if after != typed or self.ctx.draft.problem is not None:
            self.ctx.inputs.edit(after)  # the session redraws the field (`draft_changed`)

    def _submit(self) -> None:
        if self.ctx.draft.typed:
            self.answer(self.ctx.draft.typed)

    def draft_changed(self, view: PromptView, *, keypad: bool) -> None:
        """Show the characters typed so far (the screen's keys or the tactile keypad's)."""
        super().draft_changed(view, keypad=keypad)
        self.refresh()

    def refresh(self) -> None:
        """The typed code, why the last one was not taken, and whether confirm can answer."""
        draft = self.ctx.draft
        self.typed.text = draft.typed
        # a code the scan's own check refused: the step asks again with its error
        problem = draft.problem or self.ctx.prompt.error
        text = f"[b]{self.ctx.tr(f'errors.{problem}')}[/b]" if problem else ""
        if self.field is not None:
            self.message.text = text or self._instruction()
            self.field.outline(self.ctx.keypad)
            self.confirm.disabled = not draft.typed
        else:
            self.message.text = text
