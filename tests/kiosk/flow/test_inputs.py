"""Input types and their rules: what a resident can type, and which answers are taken as given."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kiosk.flow.inputs import TYPING, InputError, InputRules, InputType, type_key, validate
from kiosk.i18n import catalog
from peripherals.id_card.id_number import check_character

# Invented people only: the region, birth date and sequence numbers belong to nobody.
WITH_X = "11010519491231002X"  # the worked example of GB 11643
INVENTED = "44030419850614123" + check_character("44030419850614123")


def typed(rules: InputRules, keys: str) -> str:
    """What the display shows after pressing `keys` one by one (refused keys change nothing)."""
    text = ""
    for key in keys:
        text = type_key(rules, text, key) or text
    return text


def wrong_check(id_number: str) -> str:
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


ID = InputRules(InputType.ID_NUMBER)
PHONE = InputRules(InputType.PHONE)
AMOUNT = InputRules(InputType.AMOUNT, minimum=Decimal("1"), maximum=Decimal("500"))


def test_a_valid_id_number_passes_and_a_wrong_check_character_is_refused() -> None:
    assert validate(ID, INVENTED) == (None, INVENTED)
    assert validate(ID, WITH_X.lower()) == (None, WITH_X)  # a lower-case x is the same X
    assert validate(ID, "110105 19491231 002X") == (None, WITH_X)  # typed in its groups
    assert validate(ID, wrong_check(INVENTED)).error is InputError.INVALID_ID_NUMBER
    assert validate(ID, INVENTED[:17]).error is InputError.INVALID_ID_NUMBER


def test_x_can_only_be_typed_as_the_18th_character() -> None:
    assert typed(ID, "X1101") == "1101"
    assert typed(ID, "1101X") == "1101"
    assert typed(ID, WITH_X) == WITH_X
    assert type_key(ID, WITH_X, "X") is None  # full: nothing after the check character
    assert type_key(PHONE, "1391234567", "X") is None  # X belongs to ID numbers only


def test_a_phone_number_is_11_digits_starting_with_1() -> None:
    assert validate(PHONE, "139 1234 5678") == (None, "13912345678")
    assert validate(PHONE, "23912345678").error is InputError.INVALID_PHONE
    assert validate(PHONE, "1391234567").error is InputError.INVALID_PHONE
    assert validate(PHONE, "１３９１２３４５６７８").error is InputError.INVALID_PHONE  # full-width
    assert typed(PHONE, "1391234567890") == "13912345678"  # the keypad stops at 11


def test_amounts_are_exact_with_two_decimals_and_inclusive_bounds() -> None:
    assert validate(AMOUNT, "12.5") == (None, "12.50")
    assert validate(AMOUNT, "12.") == (None, "12.00")  # what the display shows mid-typing
    assert validate(AMOUNT, "1") == (None, "1.00")
    assert validate(AMOUNT, "500") == (None, "500.00")
    assert validate(AMOUNT, "500.01").error is InputError.AMOUNT_TOO_LARGE
    assert validate(AMOUNT, "0.99").error is InputError.AMOUNT_TOO_SMALL
    assert validate(AMOUNT, "1.234").error is InputError.INVALID_AMOUNT
    assert validate(AMOUNT, "1e2").error is InputError.INVALID_AMOUNT


def test_a_bound_given_as_a_float_is_the_decimal_that_was_written() -> None:
    # As a binary float 0.3 is 0.29999…: a fare of exactly 0.30 must still be allowed.
    fare = InputRules(InputType.AMOUNT, minimum=0.1, maximum=0.3)  # type: ignore[arg-type]
    assert (fare.minimum, fare.maximum) == (Decimal("0.1"), Decimal("0.3"))
    assert validate(fare, "0.30") == (None, "0.30")
    assert validate(fare, "0.1") == (None, "0.10")


def test_an_amount_is_typed_with_one_point_and_at_most_two_decimals() -> None:
    assert typed(AMOUNT, ".5") == "0.5"  # a leading point reads as 0.
    assert typed(AMOUNT, "12.3.4") == "12.34"
    assert typed(AMOUNT, "12.345") == "12.34"
    assert typed(InputRules(InputType.DIGITS), "12.5") == "125"  # no point for plain digits


def test_each_type_stops_at_its_length_unless_the_step_says_otherwise() -> None:
    lengths = {kind: len(typed(InputRules(kind), "1" * 40)) for kind in InputType}
    assert lengths == {
        InputType.ID_NUMBER: 18,
        InputType.PHONE: 11,
        InputType.AMOUNT: 12,
        InputType.SECRET: 12,
        InputType.DIGITS: 32,
        InputType.TEXT: 30,
    }
    assert len(typed(InputRules(InputType.DIGITS, max_length=6), "1" * 40)) == 6


def test_the_numeric_keypad_offers_x_for_ids_a_point_for_amounts_and_nothing_else() -> None:
    extra = {kind: TYPING[kind].extra_key for kind in InputType}
    assert extra[InputType.ID_NUMBER] == "X" and extra[InputType.AMOUNT] == "."
    assert {k for k, v in extra.items() if v is None} == {
        InputType.DIGITS,
        InputType.PHONE,
        InputType.SECRET,
        InputType.TEXT,
    }
    assert not TYPING[InputType.TEXT].numeric  # free text is typed by pinyin, not digits


def test_digits_letters_and_empty_answers() -> None:
    digits = InputRules(InputType.DIGITS, min_length=6)
    assert validate(digits, "12a456").error is InputError.INVALID_DIGITS
    assert validate(digits, "12345").error is InputError.TOO_SHORT
    assert validate(digits, "").error is InputError.EMPTY
    assert validate(InputRules(InputType.DIGITS, min_length=0), "") == (None, "")
    assert typed(InputRules(InputType.SECRET), "12ab34") == "1234"


def test_rules_read_from_strings_are_the_same_types() -> None:
    assert InputRules("phone").input_type is InputType.PHONE  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        InputRules("postcode")  # type: ignore[arg-type]


def test_every_refusal_is_explained_in_both_languages() -> None:
    texts = catalog().texts
    missing = [
        (lang, error.value)
        for error in InputError
        for lang in ("zh_CN", "en")
        if not texts[lang].get(f"errors.{error}")
    ]
    assert missing == []
