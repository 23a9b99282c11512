"""The input screen: a display and an on-screen keypad (digits, amount, phone, ID, secret, pinyin).

The typed value lives in `ctx.state`, so a language, elder-mode or contrast switch re-renders the
screen with the value still there. The tactile keypad types into the same value (the shell
mirrors its keys here), so taps and keys can be mixed; once the keypad is in use the display
is outlined as the focused field.
"""

from __future__ import annotations

import re
from typing import Any

from kivy.graphics import Color, Line, Rectangle
from kivy.metrics import dp

from kiosk.flow.prompt import InputRules
from kiosk.session.state import PromptView
from kiosk.ui.pinyin_index import Candidate, pinyin_index
from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.widgets.candidate_bar import CandidateBar
from kiosk.ui.widgets.keypad import CLEAR, DELETE, Keypad, digit_rows, letter_rows
from kiosk.ui.widgets.label import KioskLabel

DEFAULT_MAX = {"id_number": 18, "phone": 11, "amount": 12, "secret": 12, "digits": 32, "text": 30}
PINYIN_MAX = 24
SECRET_DOT = "●"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_ok(value: str) -> bool:
    """Whether an 18-character ID number has a valid GB 11643 check character."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == value[17]


def problem(rules: InputRules, value: str) -> str | None:
    """The `ui.input.*` key of what is wrong with `value`, or None when it can be submitted."""
    kind = rules.input_type
    if not value:
        return "ui.input.empty"
    if rules.min_length is not None and len(value) < rules.min_length:
        return "ui.input.too_short"
    if kind == "id_number" and not id_check_ok(value):
        return "ui.input.bad_id"
    if kind == "phone" and not re.fullmatch(r"1\d{10}", value):
        return "ui.input.bad_phone"
    if kind == "amount":
        try:
            amount = float(value)
        except ValueError:
            return "ui.input.bad_amount"
        if (rules.minimum is not None and amount < rules.minimum) or (
            rules.maximum is not None and amount > rules.maximum
        ):
            return "ui.input.bad_amount"
    if rules.pattern and not re.fullmatch(rules.pattern, value):
        return "ui.input.bad_format"
    return None


def shown(rules: InputRules, value: str) -> str:
    """The value as displayed: dots for secrets, ID and phone numbers in readable groups."""
    if rules.secret or rules.input_type == "secret":
        return SECRET_DOT * len(value)
    groups = {"id_number": (6, 8, 4), "phone": (3, 4, 4)}.get(rules.input_type)
    if not groups:
        return value
    parts, start = [], 0
    for size in groups:
        if value[start : start + size]:
            parts.append(value[start : start + size])
        start += size
    return " ".join(parts)


class InputScreen(PromptScreen):
    """Typing by touch; "confirm" answers the typed text, which the session checks first.

    The typed text is the session's (`ctx.draft.typed`): the on-screen keys edit it through
    `inputs.edit`, the tactile keypad types into the same text, and a language, elder-mode or
    contrast switch re-renders the screen with it still there. Pinyin being composed is touch's
    own (`ctx.memory`).
    """

    def build(self) -> None:
        """Add the display, the message line, the keypad and the confirm button."""
        look = self.ctx.look
        self.rules = self.ctx.prompt.input or InputRules(input_type="text")
        self.kind = self.rules.input_type
        self.max_length = self.rules.max_length or DEFAULT_MAX.get(self.kind, 30)

        self.display = KioskLabel(
            look,
            "",
            size="keypad",
            fixed_height=True,
            size_hint_y=None,
            height=dp(look.scale.target + 16),
        )
        with self.display.canvas.before:
            Color(*look.theme.rgba("surface"))
            self._display_bg = Rectangle()
            self._display_border_colour = Color(*look.theme.rgba("border"))
            self._display_border = Line(width=dp(1.5))
        self.display.bind(pos=self._paint_display, size=self._paint_display)
        self.display.padding = (dp(12), 0)
        self.add_widget(self.display)
        self.message = KioskLabel(look, "")
        self.add_widget(self.message)

        self.candidates: CandidateBar | None = None
        if self.kind == "text":
            per_page = 5 if look.elder else 8
            self.candidates = CandidateBar(look, self.ctx.lang, self._pick, self._page, per_page)
            self.add_widget(self.candidates)
            self.keypad = Keypad(look, self.ctx.lang, letter_rows(), self._key)
            pinyin_index()  # build the index now rather than on the first letter
        else:
            self.keypad = Keypad(
                look,
                self.ctx.lang,
                digit_rows(self.kind),
                self._key,
                size_hint_x=None,
                width=dp(max(look.scale.target, 110) * 3 + 40),
                pos_hint={"center_x": 0.5},
            )
        self.add_widget(self.keypad)
        self.add_widget(self.filler())
        if self.ctx.prompt.waits:
            self.add_widget(self.action_row(self.action("ui.action.confirm", self._submit)))
        self.refresh()

    def _paint_display(self, *_: Any) -> None:
        d = self.display
        self._display_bg.pos, self._display_bg.size = d.pos, d.size
        self._display_border.rectangle = (d.x, d.y, d.width, d.height)

    def draft_changed(self, view: PromptView, *, keypad: bool) -> None:
        """The typed text changed (either keypad) or a submission was refused: show it."""
        self.ctx.view, self.ctx.keypad = view, keypad
        self.refresh()

    @property
    def value(self) -> str:
        """What has been typed so far."""
        return self.ctx.draft.typed

    def _key(self, key: str) -> None:
        memory = self.ctx.memory
        value, pinyin = self.value, memory.pinyin
        memory.message = ""
        typed = value
        if key == DELETE:
            if pinyin:
                memory.pinyin = pinyin[:-1]
            else:
                typed = value[:-1]
        elif key == CLEAR:
            typed, memory.pinyin = "", ""
        elif self.kind == "text":
            if len(pinyin) < PINYIN_MAX and len(value) < self.max_length:
                memory.pinyin = pinyin + key
        elif len(value) >= self.max_length:
            pass
        elif key == "X":
            if self.kind == "id_number" and len(value) == 17:
                typed = value + "X"
        elif key == ".":
            if "." not in value:
                typed = (value or "0") + "."
        elif key.isdigit():
            if not (self.kind == "amount" and re.search(r"\.\d\d$", value)):
                typed = value + key
        memory.page = 0 if key != DELETE or pinyin else memory.page
        self._typed(typed)

    def _typed(self, typed: str) -> None:
        """Hand the session the new text (it redraws us), or just redraw touch's own part."""
        if typed != self.value or self.ctx.draft.problem is not None:
            self.ctx.inputs.edit(typed)
        self.refresh()

    def _pick(self, candidate: Candidate) -> None:
        memory = self.ctx.memory
        room = self.max_length - len(self.value)
        memory.pinyin = memory.pinyin[candidate.consumed :]
        memory.page = 0
        self._typed(self.value + candidate.text[:room])

    def _page(self, step: int) -> None:
        self.ctx.memory.page = max(0, self.ctx.memory.page + step)
        self.refresh()

    def _submit(self) -> None:
        if self.ctx.memory.pinyin:
            self.ctx.memory.message = "ui.input.unfinished_pinyin"
            self.refresh()
            return
        self.answer(self.value)

    def refresh(self) -> None:
        """Redraw the display, message, candidates and the X key from the answer in progress."""
        memory, draft = self.ctx.memory, self.ctx.draft
        value, pinyin = draft.typed, memory.pinyin
        text = shown(self.rules, value)
        if pinyin:
            text += f" [u]{pinyin}[/u]"
        self.display.text = text
        # the field the tactile keypad types into, outlined thick like a focused control
        keypad = self.ctx.keypad
        self._display_border.width = dp(4 if keypad else 1.5)
        self._display_border_colour.rgba = self.ctx.look.theme.rgba("focus" if keypad else "border")
        message = self.ctx.tr(memory.message) if memory.message else ""
        if draft.problem is not None:
            message = self.ctx.tr(f"errors.{draft.problem}")
        self.message.text = f"[b]{message}[/b]" if message else ""
        if "X" in self.keypad.keys:
            self.keypad.keys["X"].disabled = len(value) != 17
        if self.candidates is not None:
            self.candidates.show(pinyin_index().candidates(pinyin), memory.page)
