"""The input screen: a display and an on-screen keypad (digits, amount, phone, ID, secret, pinyin).

The typed value lives in `ctx.state`, so a language, elder-mode or contrast switch re-renders the
screen with the value still there. The tactile keypad types into the same value (the shell
mirrors its keys here), so taps and keys can be mixed; once the keypad is in use the display
is outlined as the focused field.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Line, Rectangle
from kivy.metrics import dp

from kiosk.flow.inputs import InputRules, InputType, is_full, type_key, validate
from kiosk.ui.pinyin_index import Candidate, pinyin_index
from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.widgets.candidate_bar import CandidateBar
from kiosk.ui.widgets.keypad import CLEAR, DELETE, Keypad, digit_rows, letter_rows
from kiosk.ui.widgets.label import KioskLabel

PINYIN_MAX = 24
SECRET_DOT = "●"
UNFINISHED_PINYIN = "ui.input.unfinished_pinyin"
"""The one touch-only problem: letters typed but no characters picked for them."""
_GROUPS = {InputType.ID_NUMBER: (6, 8, 4), InputType.PHONE: (3, 4, 4)}


def problem(rules: InputRules, value: str) -> str | None:
    """The text key of what the engine would refuse in `value` (`errors.input.*`), or None."""
    error = validate(rules, value).error
    return None if error is None else f"errors.{error}"


def shown(rules: InputRules, value: str) -> str:
    """The value as displayed: dots for secrets, ID and phone numbers in readable groups."""
    if rules.secret or rules.input_type is InputType.SECRET:
        return SECRET_DOT * len(value)
    groups = _GROUPS.get(rules.input_type)
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
        prompt = self.ctx.prompt
        self.rules = prompt.input or InputRules(InputType.TEXT)
        self.kind = self.rules.input_type
        state.setdefault("value", "")
        state.setdefault("pinyin", "")
        state.setdefault("page", 0)
        # asked again after the engine refused an answer (one spoken, say): show why
        state.setdefault("problem", f"errors.{prompt.error}" if prompt.error else None)

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
        if self.kind is InputType.TEXT:
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
        elif self.kind is InputType.TEXT:
            # letters spell pinyin; the value grows when a candidate is picked
            if len(pinyin) < PINYIN_MAX and not is_full(self.rules, value):
                state["pinyin"] = pinyin + key
        else:
            state["value"] = type_key(self.rules, value, key) or value
        state["page"] = 0 if key != DELETE or pinyin else state["page"]
        self.refresh()

    def _pick(self, candidate: Candidate) -> None:
        state = self.ctx.state
        room = self.rules.limit - len(state["value"])
        state["value"] += candidate.text[:room]
        state["pinyin"] = state["pinyin"][candidate.consumed :]
        state["page"] = 0
        self.refresh()

    def _page(self, step: int) -> None:
        self.ctx.state["page"] = max(0, self.ctx.state["page"] + step)
        self.refresh()

    def _submit(self) -> None:
        state = self.ctx.state
        issue = UNFINISHED_PINYIN if state["pinyin"] else problem(self.rules, state["value"])
        if issue is not None:
            state["problem"] = issue
            self.refresh()
            return
        self.answer(state["value"])

    def refresh(self) -> None:
        """Redraw the display, message, candidates and the extra key (X, .) from the state."""
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
        extra = self.rules.typing.extra_key
        if extra is not None and extra in self.keypad.keys:
            # X only as the 18th character, one decimal point: the key says when it would work
            self.keypad.keys[extra].disabled = type_key(self.rules, value, extra) is None
        if self.candidates is not None:
            self.candidates.show(pinyin_index().candidates(pinyin), state["page"])
