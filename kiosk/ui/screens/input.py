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
    """Typing by touch; "confirm" answers the typed string when it passes the input rules."""

    def build(self) -> None:
        """Add the display, the message line, the keypad and the confirm button."""
        look, state = self.ctx.look, self.ctx.state
        self.rules = self.ctx.prompt.input or InputRules(input_type="text")
        self.kind = self.rules.input_type
        self.max_length = self.rules.max_length or DEFAULT_MAX.get(self.kind, 30)
        state.setdefault("value", "")
        state.setdefault("pinyin", "")
        state.setdefault("page", 0)
        state.setdefault("problem", None)

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

    def keys_changed(self) -> None:
        """The tactile keypad typed, deleted or was first used: show the value and the focus."""
        self.refresh()

    @property
    def value(self) -> str:
        """What has been typed so far."""
        return str(self.ctx.state["value"])

    def _key(self, key: str) -> None:
        state = self.ctx.state
        value, pinyin = state["value"], state["pinyin"]
        state["problem"] = None
        if key == DELETE:
            if pinyin:
                state["pinyin"] = pinyin[:-1]
            else:
                state["value"] = value[:-1]
        elif key == CLEAR:
            state["value"], state["pinyin"] = "", ""
        elif self.kind == "text":
            if len(pinyin) < PINYIN_MAX and len(value) < self.max_length:
                state["pinyin"] = pinyin + key
        elif len(value) >= self.max_length:
            pass
        elif key == "X":
            if self.kind == "id_number" and len(value) == 17:
                state["value"] = value + "X"
        elif key == ".":
            if "." not in value:
                state["value"] = (value or "0") + "."
        elif key.isdigit():
            if not (self.kind == "amount" and re.search(r"\.\d\d$", value)):
                state["value"] = value + key
        state["page"] = 0 if key != DELETE or pinyin else state["page"]
        self.refresh()

    def _pick(self, candidate: Candidate) -> None:
        state = self.ctx.state
        room = self.max_length - len(state["value"])
        state["value"] += candidate.text[:room]
        state["pinyin"] = state["pinyin"][candidate.consumed :]
        state["page"] = 0
        self.refresh()

    def _page(self, step: int) -> None:
        self.ctx.state["page"] = max(0, self.ctx.state["page"] + step)
        self.refresh()

    def _submit(self) -> None:
        state = self.ctx.state
        issue = (
            "ui.input.unfinished_pinyin" if state["pinyin"] else problem(self.rules, state["value"])
        )
        if issue is not None:
            state["problem"] = issue
            self.refresh()
            return
        self.answer(state["value"])

    def refresh(self) -> None:
        """Redraw the display, message, candidates and the X key from the state."""
        state = self.ctx.state
        value, pinyin = state["value"], state["pinyin"]
        text = shown(self.rules, value)
        if pinyin:
            text += f" [u]{pinyin}[/u]"
        self.display.text = text
        # the field the tactile keypad types into, outlined thick like a focused control
        keypad = self.ctx.keypad
        self._display_border.width = dp(4 if keypad else 1.5)
        self._display_border_colour.rgba = self.ctx.look.theme.rgba("focus" if keypad else "border")
        self.message.text = f"[b]{self.ctx.tr(state['problem'])}[/b]" if state["problem"] else ""
        if "X" in self.keypad.keys:
            self.keypad.keys["X"].disabled = len(value) != 17
        if self.candidates is not None:
            self.candidates.show(pinyin_index().candidates(pinyin), state["page"])
