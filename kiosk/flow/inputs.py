"""Input types and their rules: how each type is typed key by key, and how an answer is checked.

The engine checks answers with `validate`, and the touch screen checks with the same function
before it submits, so a resident sees the same `errors.input.*` text either way. The on-screen
keypad, the tactile keypad and speech ask `type_key` what a key does to the text typed so far.

| Type        | Typed with            | Extra key | Longest | Checked                            |
|-------------|-----------------------|-----------|---------|------------------------------------|
| `digits`    | digits                | none      | 32      | ASCII digits only                  |
| `text`      | pinyin (screen), any  | none      | 30      | length and pattern only            |
| `phone`     | digits                | none      | 11      | 11 digits starting with 1          |
| `amount`    | digits, one `.`       | `.`       | 12      | ≤ 9 + 2 decimals, bounds inclusive |
| `id_number` | digits, `X` as 18th   | `X`       | 18      | GB 11643 check character           |
| `secret`    | digits                | none      | 12      | length and pattern only            |

A step's `max_length` replaces the longest typed length; spaces in numbers are ignored.
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

import msgspec

from peripherals.id_card import id_number

MAX_INPUT = 500
"""Longest input accepted at all (also bounds the work of a flow's own `pattern`)."""


class InputType(enum.StrEnum):
    """What kind of value an `input` step asks for."""

    DIGITS = "digits"
    TEXT = "text"
    PHONE = "phone"
    AMOUNT = "amount"
    ID_NUMBER = "id_number"
    SECRET = "secret"


class InputError(enum.StrEnum):
    """Why an answer was refused; the text is `errors.<key>` in `locales/`."""

    EMPTY = "input.empty"
    TOO_SHORT = "input.too_short"
    TOO_LONG = "input.too_long"
    INVALID_DIGITS = "input.invalid_digits"
    INVALID_PHONE = "input.invalid_phone"
    INVALID_AMOUNT = "input.invalid_amount"
    AMOUNT_TOO_SMALL = "input.amount_too_small"
    AMOUNT_TOO_LARGE = "input.amount_too_large"
    INVALID_ID_NUMBER = "input.invalid_id_number"
    INVALID_FORMAT = "input.invalid_format"


class Typing(msgspec.Struct, frozen=True):
    """How one input type is typed: its longest length, its characters, its extra key."""

    max_length: int
    characters: str
    """What can be typed; empty for free text (typed by pinyin, any character)."""
    extra_key: str | None = None
    """The key left of 0 on a numeric keypad (STAR on the tactile one), if any."""

    @property
    def numeric(self) -> bool:
        """Whether the type is typed on the 12-key numeric keypad (and spoken digit by digit)."""
        return bool(self.characters)


_DIGITS = "0123456789"
X = "X"
"""The check character 10 of an ID number, typeable only as its last character."""
POINT = "."
"""The decimal point of an amount, typeable once."""

TYPING: dict[InputType, Typing] = {
    InputType.DIGITS: Typing(32, _DIGITS),
    InputType.TEXT: Typing(30, ""),
    InputType.PHONE: Typing(11, _DIGITS),
    InputType.AMOUNT: Typing(12, _DIGITS + POINT, POINT),
    InputType.ID_NUMBER: Typing(id_number.LENGTH, _DIGITS + X, X),
    InputType.SECRET: Typing(12, _DIGITS),
}
"""How each input type is typed (see the table above)."""


class InputRules(msgspec.Struct, frozen=True):
    """How typed input is entered and validated (strings and numbers are accepted and converted)."""

    input_type: InputType
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    secret: bool = False
    personal: bool = False

    def __post_init__(self) -> None:
        # Flows and tests give plain strings and YAML floats; compare and compute exactly.
        msgspec.structs.force_setattr(self, "input_type", InputType(self.input_type))
        for name in ("minimum", "maximum"):
            bound = getattr(self, name)
            if bound is not None and not isinstance(bound, Decimal):
                msgspec.structs.force_setattr(self, name, Decimal(str(bound)))

    @property
    def typing(self) -> Typing:
        """How this input is typed."""
        return TYPING[self.input_type]

    @property
    def limit(self) -> int:
        """The most characters a keypad lets the resident type."""
        return self.max_length or self.typing.max_length


class Checked(NamedTuple):
    """The verdict on an answer: the error (None when valid) and the normalised value."""

    error: InputError | None
    value: str


def is_full(rules: InputRules, typed: str) -> bool:
    """Whether nothing more can be typed after `typed`."""
    return len(typed) >= rules.limit


def type_key(rules: InputRules, typed: str, key: str) -> str | None:
    """The text after typing the character `key` after `typed`, or None when it is refused."""
    kind = rules.typing
    if is_full(rules, typed) or len(key) != 1:
        return None
    if kind.characters and key not in kind.characters:
        return None
    if key == X and kind.extra_key == X:
        # The check character: X anywhere else is a typing slip, not an ID number.
        return typed + X if len(typed) == id_number.LENGTH - 1 else None
    if key == POINT and kind.extra_key == POINT:
        if POINT in typed:
            return None
        return (typed or "0") + POINT
    if rules.input_type is InputType.AMOUNT and re.search(r"\.\d\d$", typed):
        return None  # cents are the smallest unit
    return typed + key


def validate(rules: InputRules, raw: object) -> Checked:
    """Check an answer against the rules: the error key (or None) and the normalised value."""
    value = "" if raw is None else str(raw).strip()
    kind = rules.input_type
    if rules.typing.numeric and kind is not InputType.SECRET:
        value = value.replace(" ", "")
    if not value:
        # Only an explicit `min_length: 0` makes an answer optional.
        return Checked(None if rules.min_length == 0 else InputError.EMPTY, value)
    if len(value) > MAX_INPUT:
        return Checked(InputError.TOO_LONG, value)
    error: InputError | None = None
    match kind:
        case InputType.DIGITS:
            if not value.isascii() or not value.isdigit():
                error = InputError.INVALID_DIGITS
        case InputType.PHONE:
            if not _PHONE.fullmatch(value):
                error = InputError.INVALID_PHONE
        case InputType.ID_NUMBER:
            value = value.upper()
            if not id_number.is_valid(value):
                error = InputError.INVALID_ID_NUMBER
        case InputType.AMOUNT:
            error, value = _amount(rules, value)
    if error:
        return Checked(error, value)
    if rules.min_length is not None and len(value) < rules.min_length:
        return Checked(InputError.TOO_SHORT, value)
    if rules.max_length is not None and len(value) > rules.max_length:
        return Checked(InputError.TOO_LONG, value)
    if rules.pattern is not None:
        try:
            matched = re.fullmatch(rules.pattern, value)
        except re.error:
            return Checked(InputError.INVALID_FORMAT, value)
        if not matched:
            return Checked(InputError.INVALID_FORMAT, value)
    return Checked(None, value)


_PHONE = re.compile(r"1\d{10}", re.ASCII)
# A point with no cents yet ("12.") is what the keypad shows mid-typing: it means 12.00.
_AMOUNT = re.compile(r"\d{1,9}(\.\d{0,2})?", re.ASCII)


def _amount(rules: InputRules, value: str) -> Checked:
    if not _AMOUNT.fullmatch(value):
        return Checked(InputError.INVALID_AMOUNT, value)
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return Checked(InputError.INVALID_AMOUNT, value)
    if rules.minimum is not None and amount < rules.minimum:
        return Checked(InputError.AMOUNT_TOO_SMALL, value)
    if rules.maximum is not None and amount > rules.maximum:
        return Checked(InputError.AMOUNT_TOO_LARGE, value)
    return Checked(None, f"{amount:.2f}")
