"""GB 11643 check characters of resident ID numbers (invented numbers only)."""

from __future__ import annotations

import pytest

from peripherals.id_card.id_number import check_character, is_valid


def test_check_character_of_known_numbers() -> None:
    # The worked example of GB 11643 and invented numbers whose character is X, 0 and 1.
    assert check_character("11010519491231002") == "X"
    assert is_valid("11010519491231002X")
    assert is_valid("11010519491231002x")
    assert not is_valid("110105194912310021")
    assert is_valid("44030419851111567" + check_character("44030419851111567"))
    assert not is_valid("4403041985111156")
    assert not is_valid("4403041985111156A7")
    assert not is_valid("４４０３０４１９８５１１１１５６７X")  # full-width digits are not ASCII
    with pytest.raises(ValueError):
        check_character("1234")


def test_every_check_character_is_reachable() -> None:
    characters = {check_character(f"3201021980010{n:04d}") for n in range(200)}
    assert characters == set("0123456789X")
