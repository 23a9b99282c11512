"""What a scan's code can be typed with, read from the step's pattern."""

from __future__ import annotations

import string

import pytest

from kiosk.flow.code_typing import ANY_CODE, MAX_TYPED, CodeTyping, code_typing, type_code

DIGITS = string.digits
CAPITALS = string.ascii_uppercase


@pytest.mark.parametrize(
    ("pattern", "characters", "longest"),
    [
        ("[A-Z]{0,4}[0-9]{8,20}", DIGITS + CAPITALS, 24),  # the courier deposit's waybill
        ("^[0-9]{6,12}$", DIGITS, 12),  # a utility bill's barcode
        (r"SF\d{12}", DIGITS + "FS", 14),
        (r"(?i)sf\d+", DIGITS + "FSfs", MAX_TYPED),
        (r"(?i:ab)C|\d", DIGITS + "ABCab", 3),
        (r"PICKUP:[a-z-]+:\d{6}", DIGITS + "CIKPU" + string.ascii_lowercase, MAX_TYPED),
    ],
)
def test_the_pattern_says_which_characters_and_how_many(
    pattern: str, characters: str, longest: int
) -> None:
    typing = code_typing(pattern)
    assert set(typing.characters) == set(characters) and typing.max_length == longest


def test_no_pattern_or_one_that_cannot_be_read_types_digits_and_capitals() -> None:
    assert code_typing(None) == code_typing("([") == ANY_CODE
    assert ANY_CODE.letters and ANY_CODE.upper and ANY_CODE.characters == DIGITS + CAPITALS


def test_letters_are_capitals_unless_only_small_ones_are_allowed() -> None:
    assert not code_typing(r"\d+").letters
    assert code_typing("[a-z]+").letters and not code_typing("[a-z]+").upper
    assert code_typing("(?i)[a-z]+").upper


def test_a_key_is_typed_only_where_the_code_can_hold_it() -> None:
    typing = CodeTyping(DIGITS + "FS", max_length=3)
    assert type_code(typing, "S", "F") == "SF"
    assert type_code(typing, "S", "Q") is None  # not in the pattern at all
    assert type_code(typing, "SF1", "2") is None  # as long as the pattern allows
    assert type_code(typing, "", "del") is None
