"""Resident ID numbers (GB 11643-1999): the check character, the one copy of the rule.

Both layers use it: the card reader checks what a card says, the kiosk checks what a resident
types, and the demo back office checks what it is sent.
"""

from __future__ import annotations

LENGTH = 18
"""Characters in a resident ID number (17 digits and the check character)."""

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"


def check_character(first17: str) -> str:
    """The check character (`0`-`9` or `X`) of the first 17 digits of an ID number."""
    if len(first17) != LENGTH - 1 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def is_valid(id_number: str) -> bool:
    """Whether `id_number` is 17 digits and their check character (a lower-case x allowed)."""
    first17 = id_number[: LENGTH - 1]
    if len(id_number) != LENGTH or not first17.isascii() or not first17.isdigit():
        return False
    return check_character(first17) == id_number[-1].upper()
