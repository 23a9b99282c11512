"""On-screen keypads: the 12-key layouts for digits, amounts, phones and ID numbers, letters for
pinyin, and a code's keyboard (a waybill typed instead of scanned)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from kivy.metrics import dp
from kivy.uix.gridlayout import GridLayout

from kiosk.flow.code_typing import CodeTyping
from kiosk.flow.inputs import TYPING, InputType
from kiosk.i18n import t
from kiosk.ui.theme import Look
from kiosk.ui.widgets.button import KioskButton

DELETE = "del"
CLEAR = "clear"
SPACE = "space"
LETTER_ROWS: tuple[str, ...] = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
PUNCTUATION: tuple[str, ...] = ("，", "。", "？", "！", "、")
"""Typed as they are, like digits and the space (Chinese full-width punctuation)."""


def digit_rows(input_type: InputType | str) -> list[list[str]]:
    """The 12-key layout (like the tactile keypad) for an input type; the bottom-left key varies
    (X, the decimal point, else clear); with an extra key, delete and clear stand in a fourth
    column rather than alone on a fifth row."""
    extra = TYPING[InputType(input_type)].extra_key
    if extra is None:
        return [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], [CLEAR, "0", DELETE]]
    return [["1", "2", "3", DELETE], ["4", "5", "6", CLEAR], ["7", "8", "9"], [extra, "0"]]


def letter_rows(compact: bool = False) -> list[list[str]]:
    """Digits, QWERTY letters for pinyin, punctuation, space, delete and clear; `compact`
    (elder mode's 90 px keys): the letters, delete, clear, space and "，" "。" in three rows."""
    if compact:
        rows = [list(row) for row in LETTER_ROWS[1:]]
        rows[1].append(DELETE)
        rows[2].extend([CLEAR, "，", SPACE])
        return rows
    rows = [list(row) for row in LETTER_ROWS]
    rows[-2].append(DELETE)
    rows[-1].extend([CLEAR, "，", "。"])
    rows.append([*PUNCTUATION[2:], SPACE])
    return rows


def code_rows(typing: CodeTyping) -> list[list[str]]:
    """A code's keyboard: the 12-key digits when it holds no letters, else a row of digits and
    the QWERTY letters (capitals, unless the code allows only small ones), delete and clear."""
    if not typing.letters:
        return digit_rows(InputType.DIGITS)
    rows = [list(LETTER_ROWS[0])]
    rows += [list(row.upper() if typing.upper else row) for row in LETTER_ROWS[1:]]
    rows[-2].append(DELETE)
    rows[-1].append(CLEAR)
    return rows


class Keypad(GridLayout):  # type: ignore[misc]
    """A grid of keys; each tap calls `on_key(key)`; `keys[key]` is the key's button
    (`delete_icon`: the delete key shows ⌫, not its word)."""

    def __init__(
        self,
        look: Look,
        lang: str,
        rows: Sequence[Sequence[str]],
        on_key: Callable[[str], None],
        *,
        delete_icon: bool = False,
        **kwargs: Any,
    ) -> None:
        scale = look.scale
        columns = max(len(r) for r in rows)
        super().__init__(cols=columns, spacing=dp(scale.spacing), size_hint_y=None, **kwargs)
        self.on_key = on_key
        self.keys: dict[str, KioskButton] = {}
        key_height = dp(max(scale.target, 64))
        for row in rows:
            for key in row:
                label = {
                    DELETE: t("ui.keypad.delete", lang),
                    CLEAR: t("ui.keypad.clear", lang),
                    SPACE: t("ui.keypad.space", lang),
                }
                # ⌫ rather than "Delete" where ten keys share a row (elder mode, English)
                icon = "backspace" if key == DELETE and delete_icon else ""
                button = KioskButton(
                    look,
                    "" if icon else label.get(key, key),
                    partial(self._press, key),
                    kiosk_id=f"key.{key}",
                    icon=icon,
                    icon_size=scale.keypad,
                    font_size=scale.keypad if key not in label else scale.body,
                    fit=key in label,  # "Delete" in elder mode on a 90 px key
                    size_hint_y=None,
                    height=key_height,
                )
                self.keys[key] = button
                self.add_widget(button)
            for _ in range(columns - len(row)):
                self.add_widget(_Spacer(height=key_height))
        row_count = len(rows)
        self.height = row_count * key_height + (row_count - 1) * dp(scale.spacing)

    def _press(self, key: str) -> None:
        self.on_key(key)


_SHARED: OrderedDict[tuple[Any, ...], Keypad] = OrderedDict()
SHARED_KEYPADS = 8
"""Keypads kept for reuse: the layouts × looks × languages a kiosk shows in turn."""


def shared_keypad(
    look: Look,
    lang: str,
    rows: Sequence[Sequence[str]],
    on_key: Callable[[str], None],
    **kwargs: Any,
) -> Keypad:
    """A `Keypad` built once per layout, look and language, and reused by every screen that
    shows it (the pinyin keyboard is 45 buttons): taken from the screen that had it, its keys
    enabled, its taps sent to `on_key`."""
    options = tuple(
        (name, tuple(sorted(value.items())) if isinstance(value, dict) else value)
        for name, value in sorted(kwargs.items())
    )
    key = (look, lang, tuple(tuple(row) for row in rows), options)
    keypad = _SHARED.get(key)
    if keypad is None:
        keypad = Keypad(look, lang, rows, on_key, **kwargs)
        _SHARED[key] = keypad
        while len(_SHARED) > SHARED_KEYPADS:
            _SHARED.popitem(last=False)
    else:
        _SHARED.move_to_end(key)
        if keypad.parent is not None:
            keypad.parent.remove_widget(keypad)
        keypad.on_key = on_key
        for button in keypad.keys.values():
            button.disabled = False
            button.focused = False
            button.state = "normal"
    return keypad


def shared_digit_keypad(
    look: Look, lang: str, rows: Sequence[Sequence[str]], on_key: Callable[[str], None]
) -> Keypad:
    """A shared numeric keypad (`digit_rows`), centred and as wide as its keys need."""
    columns = max(len(row) for row in rows)
    return shared_keypad(
        look,
        lang,
        rows,
        on_key,
        size_hint_x=None,
        width=dp(max(look.scale.target, 110) * columns + 40),
        pos_hint={"center_x": 0.5},
    )


class _Spacer(GridLayout):  # type: ignore[misc]
    """An empty cell that keeps short keypad rows aligned to the left."""

    def __init__(self, height: float) -> None:
        super().__init__(size_hint_y=None, height=height)
