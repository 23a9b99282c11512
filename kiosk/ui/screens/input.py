"""The input screen: a display and an on-screen keypad (digits, amount, phone, ID, secret, pinyin).

The typed text is the session's answer in progress (`ctx.draft`), so a language, elder-mode or
contrast switch re-renders the screen with the text still there, and the tactile keypad types
into the same text, so taps and keys can be mixed; once the keypad is in use the display is
outlined as the focused field. What typing a key does, and what is refused on submission, are
the flow's own input rules (`kiosk.flow.inputs`), checked by the session.
"""

from __future__ import annotations

from functools import partial

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.flow.inputs import InputRules, InputType, is_full, type_key
from kiosk.session.state import PromptView
from kiosk.ui.handwriting import recogniser
from kiosk.ui.pinyin_index import Candidate, pinyin_index
from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.widgets.button import MARKER, MIN_FIT_DP, KioskButton
from kiosk.ui.widgets.candidate_bar import CandidateBar
from kiosk.ui.widgets.handwriting_pad import HandwritingPad
from kiosk.ui.widgets.keypad import (
    CLEAR,
    DELETE,
    SPACE,
    Keypad,
    digit_rows,
    letter_rows,
    shared_digit_keypad,
    shared_keypad,
)
from kiosk.ui.widgets.label import KioskLabel
from kiosk.ui.widgets.option_rows import option_text, size_rows
from kiosk.ui.widgets.typed_field import TypedField

PINYIN_MAX = 24
SECRET_DOT = "●"
UNFINISHED_PINYIN = "ui.input.unfinished_pinyin"
"""The one touch-only problem: letters typed but no characters picked for them."""
_GROUPS = {InputType.ID_NUMBER: (6, 8, 4), InputType.PHONE: (3, 4, 4)}


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
    """Typing by touch; "confirm" answers the typed text, which the session checks first.

    The typed text is the session's (`ctx.draft.typed`): the on-screen keys edit it through
    `inputs.edit`, the tactile keypad types into the same text, and a language, elder-mode or
    contrast switch re-renders the screen with it still there. Pinyin being composed is touch's
    own (`ctx.memory`).
    """

    def build(self) -> None:
        """Add the display, the message line, the keypad and the confirm button."""
        look = self.ctx.look
        self.rules = self.ctx.prompt.input or InputRules(InputType.TEXT)
        self.kind = self.rules.input_type

        self.display = TypedField(look)
        self.message = KioskLabel(look, "")
        from kivy.core.window import Window  # not at import: the app sizes the window first

        numeric = self.kind is not InputType.TEXT
        # elder mode on a landscape panel: the field beside the keypad, so both fit, large
        beside = numeric and look.elder and Window.width > Window.height
        field = BoxLayout(orientation="vertical", spacing=dp(look.scale.spacing))
        for widget in (self.display, self.message):
            (field if beside else self).add_widget(widget)

        self.candidates: CandidateBar | None = None
        self.keypad: Keypad | None = None
        self.pad: HandwritingPad | None = None
        self._ways: list[KioskButton] = []
        self._written: list[Candidate] = []
        hand = recogniser() is not None
        # Both at once where they fit; else (and always in elder mode, one decision per
        # screen) the common phrases first and the keyboard on request.
        options = bool(self.ctx.prompt.options)
        both = options and not look.elder and self._phrases_and_keyboard_fit(hand)
        phrases_only = options and not both and not self.ctx.memory.keyboard
        if both or phrases_only:
            self.add_widget(
                self._phrases(alone=phrases_only, one_column=phrases_only and self._phrases_long())
            )
        if phrases_only:
            ways = [self.action("ui.input.keyboard", self._show_keyboard, role="secondary")]
            if hand:
                ways.append(self.action("ui.input.handwriting", self._show_pad, role="secondary"))
            self._ways = ways  # beside confirm: the phrases keep the room
        elif self.kind is InputType.TEXT:
            per_page = 5 if look.elder else 8
            if hand and not look.elder:  # elder mode: the switch sits beside confirm
                self.add_widget(self._ways_to_write())
            self.candidates = CandidateBar(look, self.ctx.lang, self._pick, self._page, per_page)
            self.add_widget(self.candidates)
            if hand and self.ctx.memory.handwriting:
                self.add_widget(self._pad_row())
            else:
                rows = letter_rows(compact=look.elder)
                self.keypad = shared_keypad(look, self.ctx.lang, rows, self._key)
                pinyin_index()  # build the index now rather than on the first letter
        else:
            self.keypad = shared_digit_keypad(look, self.ctx.lang, digit_rows(self.kind), self._key)
        if self.keypad is not None and beside:
            field.add_widget(BoxLayout())
            pair = BoxLayout(
                orientation="horizontal",
                spacing=dp(look.scale.spacing * 3),
                size_hint_y=None,
                height=self.keypad.height,
            )
            pair.add_widget(field)
            pair.add_widget(self.keypad)
            self.add_widget(pair)
        elif self.keypad is not None:
            self.add_widget(self.keypad)
        self.add_widget(self.filler())
        if self.ctx.prompt.waits:
            confirm = self.action("ui.action.confirm", self._submit)
            other = self._other_way() if look.elder and self.candidates is not None else None
            others = [*self._ways, *([other] if other else [])]
            row = self.action_row(*others, confirm)
            self.add_widget(row)
        self.refresh()

    def _phrases_and_keyboard_fit(self, hand: bool) -> bool:
        """Whether the phrases, the pinyin keyboard and its rows fit under the field."""
        look = self.ctx.look
        scale = look.scale
        gap = dp(scale.spacing * 1.5)  # the column's spacing
        lines = -(-len(self.ctx.prompt.options) // 2)
        key = dp(max(scale.target, 64))
        rows = len(letter_rows(compact=look.elder))
        parts = [
            lines * dp(scale.target) + (lines - 1) * dp(scale.spacing),  # the phrases
            dp(scale.target) if hand else 0.0,  # pinyin | handwriting
            key,  # the candidates
            rows * key + (rows - 1) * dp(scale.spacing),  # the keyboard
            0.0,  # the filler
            dp(scale.action_height) if self.ctx.prompt.waits else 0.0,
        ]
        return bool(sum(parts) + gap * (len(parts) - 1) <= self.room_left())

    def _phrases_long(self) -> bool:
        """Whether a phrase is too long for half the column at its size and one column of
        phrases still fits (phrases shown alone: the keyboard is not below them)."""
        from kivy.core.text import Label as CoreLabel

        look = self.ctx.look
        scale = look.scale
        options = self.ctx.prompt.options
        half = (self.column_width() - dp(scale.spacing)) / 2 - dp(16)
        probe = CoreLabel(font_size=dp(scale.action), font_name=self.display.font_name)
        if all(probe.get_extents(f"{o.key}   {o.label}")[0] <= half for o in options):
            return False
        gap = dp(scale.spacing * 1.5)
        needed = len(options) * (dp(scale.target) + dp(scale.spacing)) + gap
        return bool(needed + dp(scale.action_height) + gap <= self.room_left())

    def _phrases(self, *, alone: bool = False, one_column: bool = False) -> GridLayout:
        """The step's common phrases as buttons: a tap puts one in the field, to edit or send.
        Shown `alone` (the keyboard on request), a phrase too long for one line makes its row
        taller rather than its text smaller (in elder mode never below the body size)."""
        look = self.ctx.look
        scale = look.scale
        # two columns, unless the phrases are long and have the room: one column would push
        # the field off a 4:3 screen in elder mode
        cols = 1 if one_column else 2
        gap = dp(scale.spacing)
        grid = GridLayout(cols=cols, spacing=gap, size_hint_y=None)
        # room for the text beside a focused button's ▶ marker, on both sides
        text_width = (self.column_width() - (cols - 1) * gap) / cols - 2 * dp(8 + MARKER + 8)
        buttons = []
        for option in self.ctx.prompt.options:
            button = KioskButton(
                look,
                option_text(option.key, option.label, dp(scale.action), text_width),
                partial(self._phrase, option.value),
                role="secondary",
                kiosk_id=f"phrase.{option.key}",
                size_hint_y=None,
                height=dp(scale.target),
                fit=True,
                fit_floor=scale.body if look.elder and alone else MIN_FIT_DP,
                wraps_cjk=alone,
            )
            buttons.append(button)
            grid.add_widget(button)
        if alone:
            grid.height = size_rows(buttons, cols, text_width, dp(scale.target), gap)
        else:
            grid.bind(minimum_height=grid.setter("height"))
        return grid

    def _show_keyboard(self) -> None:
        self.ctx.memory.keyboard = True
        self.ctx.memory.handwriting = False
        self.ctx.rerender()

    def _show_pad(self) -> None:
        self.ctx.memory.keyboard = True
        self.ctx.memory.handwriting = True
        self.ctx.memory.pinyin = ""
        self.ctx.rerender()

    def _ways_to_write(self) -> BoxLayout:
        """Pinyin or handwriting, as two tabs (the one in use filled)."""
        look, memory = self.ctx.look, self.ctx.memory
        row = BoxLayout(
            orientation="horizontal",
            spacing=dp(look.scale.spacing),
            size_hint_y=None,
            height=dp(look.scale.target),
        )
        for key, on, handler in (
            ("ui.input.pinyin", not memory.handwriting, self._show_keyboard),
            ("ui.input.handwriting", memory.handwriting, self._show_pad),
        ):
            row.add_widget(
                KioskButton(
                    look,
                    self.ctx.tr(key),
                    handler,
                    role="primary" if on else "bar",
                    kiosk_id=f"write.{key.rsplit('.', 1)[-1]}",
                    font_size=look.scale.body,
                    icon="keyboard" if key.endswith("pinyin") else "pencil",
                )
            )
        return row

    def _other_way(self) -> KioskButton | None:
        """Elder mode: one button beside confirm switching pinyin ⇄ handwriting."""
        if recogniser() is None:
            return None
        hand = self.ctx.memory.handwriting
        key = "ui.input.pinyin" if hand else "ui.input.handwriting"
        return self.action(
            key,
            self._show_keyboard if hand else self._show_pad,
            role="secondary",
            kiosk_id=f"write.{key.rsplit('.', 1)[-1]}",
        )

    def _pad_row(self) -> BoxLayout:
        """The writing square and, beside it, delete, clear and write again."""
        look = self.ctx.look
        side = dp(max(look.scale.target * 3 + look.scale.spacing * 2 + 4, 280))
        row = BoxLayout(
            orientation="horizontal",
            spacing=dp(look.scale.spacing * 2),
            size_hint_y=None,
            height=side,
        )
        self.pad = HandwritingPad(look, self._strokes, size_hint_x=None, width=side)
        row.add_widget(BoxLayout())
        row.add_widget(self.pad)
        keys = BoxLayout(
            orientation="vertical",
            spacing=dp(look.scale.spacing),
            size_hint_x=None,
            width=dp(max(look.scale.target * 2, 160)),
        )
        for key, handler in (
            ("ui.input.rewrite", self._rewrite),
            ("ui.keypad.delete", partial(self._key, DELETE)),
            ("ui.keypad.clear", partial(self._key, CLEAR)),
        ):
            keys.add_widget(
                KioskButton(
                    look,
                    self.ctx.tr(key),
                    handler,
                    kiosk_id=f"pad.{key.rsplit('.', 1)[-1]}",
                    font_size=look.scale.body,
                    fit=True,
                )
            )
        row.add_widget(keys)
        row.add_widget(BoxLayout())
        return row

    def _strokes(self, strokes: list[list[tuple[float, float]]]) -> None:
        found = recogniser()
        if found is None or self.pad is None or self.candidates is None:
            return
        chars = found.classify(strokes, self.pad.width, self.pad.height, self.candidates.per_page)
        self._written = [Candidate(char, 0) for char in chars]
        self.candidates.show(self._written, 0)

    def _rewrite(self) -> None:
        if self.pad is not None:
            self.pad.clear()
        self._written = []
        self.refresh()

    def _phrase(self, text: str) -> None:
        self.ctx.memory.pinyin = ""
        self._typed(text[: self.rules.limit])

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
        elif self.kind is InputType.TEXT and key.isascii() and key.isalpha():
            # letters spell pinyin; the text grows when a candidate is picked
            if len(pinyin) < PINYIN_MAX and not is_full(self.rules, value):
                memory.pinyin = pinyin + key
        elif self.kind is InputType.TEXT:
            # digits, punctuation and the space are typed as they are (after any pinyin)
            if not pinyin and not is_full(self.rules, value):
                typed = value + (" " if key == SPACE else key)
        else:
            typed = type_key(self.rules, value, key) or value
        memory.page = 0 if key != DELETE or pinyin else memory.page
        self._typed(typed)

    def _typed(self, typed: str) -> None:
        """Hand the session the new text (it redraws us), or just redraw touch's own part."""
        if typed != self.value or self.ctx.draft.problem is not None:
            self.ctx.inputs.edit(typed)
        self.refresh()

    def _pick(self, candidate: Candidate) -> None:
        memory = self.ctx.memory
        room = self.rules.limit - len(self.value)
        memory.pinyin = memory.pinyin[candidate.consumed :]
        memory.page = 0
        if self.pad is not None:  # the character is written: the pad is free for the next
            self.pad.clear()
            self._written = []
        self._typed(self.value + candidate.text[:room])

    def _page(self, step: int) -> None:
        self.ctx.memory.page = max(0, self.ctx.memory.page + step)
        self.refresh()

    def _submit(self) -> None:
        if self.ctx.memory.pinyin:
            self.ctx.memory.message = UNFINISHED_PINYIN
            self.refresh()
            return
        self.answer(self.value)

    def refresh(self) -> None:
        """Redraw the display, message, candidates and the extra key (X, .) from the answer."""
        memory, draft = self.ctx.memory, self.ctx.draft
        value, pinyin = draft.typed, memory.pinyin
        text = shown(self.rules, value)
        if pinyin:
            text += f" [u]{pinyin}[/u]"
        self.display.text = text
        # the field the tactile keypad types into, outlined thick like a focused control
        self.display.outline(self.ctx.keypad)
        message = self.ctx.tr(memory.message) if memory.message else ""
        # refused by the session, or by the engine when it asks again (an answer given by voice)
        problem = draft.problem or self.ctx.prompt.error
        if problem is not None and not memory.message:
            message = self.ctx.tr(f"errors.{problem}")
        self.message.text = f"[b]{message}[/b]" if message else ""
        extra = self.rules.typing.extra_key
        if self.keypad is not None and extra is not None and extra in self.keypad.keys:
            # X only as the 18th character, one decimal point: the key says when it would work
            self.keypad.keys[extra].disabled = type_key(self.rules, value, extra) is None
        if self.candidates is not None and self.pad is not None:
            self.candidates.show(self._written, 0)
        elif self.candidates is not None:
            self.candidates.show(pinyin_index().candidates(pinyin), memory.page)
