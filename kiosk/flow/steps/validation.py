"""Validation of typed input (`input` steps): each failure is a stable error key."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from kiosk.flow.schema import InputStep

MAX_INPUT = 500
"""Longest input accepted at all (also bounds the work of a flow's own `pattern`)."""

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PHONE = re.compile(r"1\d{10}")
_AMOUNT = re.compile(r"\d{1,9}(\.\d{1,2})?")


def id_check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of a resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def valid_id_number(text: str) -> bool:
    """Whether `text` is an 18-character ID number with a correct check character."""
    if len(text) != 18 or not text[:17].isdigit():
        return False
    return id_check_character(text[:17]) == text[17].upper()


def validate(step: InputStep, raw: object) -> tuple[str | None, str]:
    """Check an answer against the step's rules: `(error_key, normalised_value)`."""
    value = "" if raw is None else str(raw).strip()
    if step.input_type in ("digits", "phone", "id_number", "amount"):
        value = value.replace(" ", "")
    if not value:
        # Only an explicit `min_length: 0` makes an answer optional.
        return (None, value) if step.min_length == 0 else ("input.empty", value)
    if len(value) > MAX_INPUT:
        return "input.too_long", value
    error: str | None = None
    match step.input_type:
        case "digits":
            if not value.isdigit() or not value.isascii():
                error = "input.invalid_digits"
        case "phone":
            if not _PHONE.fullmatch(value):
                error = "input.invalid_phone"
        case "id_number":
            value = value.upper()
            if not valid_id_number(value):
                error = "input.invalid_id_number"
        case "amount":
            error, value = _amount(step, value)
    if error:
        return error, value
    if step.min_length is not None and len(value) < step.min_length:
        return "input.too_short", value
    if step.max_length is not None and len(value) > step.max_length:
        return "input.too_long", value
    if step.pattern is not None:
        try:
            matched = re.fullmatch(step.pattern, value)
        except re.error:
            return "input.invalid_format", value
        if not matched:
            return "input.invalid_format", value
    return None, value


def _amount(step: InputStep, value: str) -> tuple[str | None, str]:
    if not _AMOUNT.fullmatch(value):
        return "input.invalid_amount", value
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return "input.invalid_amount", value
    if step.minimum is not None and amount < Decimal(str(step.minimum)):
        return "input.amount_too_small", value
    if step.maximum is not None and amount > Decimal(str(step.maximum)):
        return "input.amount_too_large", value
    return None, f"{amount:.2f}"
