"""Masking of personal data for screens, receipts, loudspeaker speech, logs and the journal."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "*"

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
"""An 18-character resident ID number (region, birth date, sequence and check character)."""

PHONE_NUMBER = re.compile(r"(?<!\d)(1\d{2})(\d{4})(\d{4})(?!\d)")
"""A mainland mobile number: 11 digits starting with 1."""

_ANY_ID = re.compile(r"\d{17}[\dXx]")
_WHOLE_ID = re.compile(r"\s*\d{17}[\dXx]\s*")
_WHOLE_PHONE = re.compile(r"\s*1\d{10}\s*")
_ANY_PHONE = re.compile(r"1\d{10}")


def mask_id(value: object) -> str:
    """Mask an ID number, keeping the first 3 and last 4 characters: 110***********002X."""
    text = "" if value is None else str(value).strip()
    if len(text) <= 7:
        return MASK * len(text)
    return text[:3] + MASK * (len(text) - 7) + text[-4:]


def mask_phone(value: object) -> str:
    """Mask a phone number, keeping the first 3 and last 4 digits: 138****5678."""
    text = "" if value is None else str(value).strip()
    if len(text) <= 7:
        return MASK * len(text)
    return text[:3] + MASK * (len(text) - 7) + text[-4:]


def mask_name(value: object) -> str:
    """Mask a name, keeping its first character (of each word for Latin names): 张*, J*** S****."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if " " in text:
        return " ".join(word[:1] + MASK * (len(word) - 1) for word in text.split())
    return text[0] + MASK * max(len(text) - 1, 1)


def mask_text(value: object) -> str:
    """Mask free text that is entirely personal (an address): keep its first 6 characters."""
    text = "" if value is None else str(value)
    return text[:6] + MASK * min(max(len(text) - 6, 0), 6)


_BY_FIELD = {
    "id_number": mask_id,
    "ssn": mask_id,
    "card_number": mask_id,
    "phone": mask_phone,
    "address": mask_text,
    "birthplace": mask_text,
    "birth": mask_text,
    "birth_date": mask_text,
}


def mask_personal(value: Any, field: str = "") -> Any:
    """A personal value masked for where others may see or hear it, by what it is: a card's
    fields by their name (`address`, `id_number`...), anything else by its shape (ID and phone
    numbers), else as a name (first character kept)."""
    if isinstance(value, Mapping):
        return {key: mask_personal(item, str(key)) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_personal(item, field) for item in value]
    if value is None or isinstance(value, bool):
        return value
    text = str(value)
    if field in _BY_FIELD:
        return _BY_FIELD[field](text)
    if _WHOLE_ID.fullmatch(text):
        return mask_id(text)
    if _WHOLE_PHONE.fullmatch(text):
        return mask_phone(text)
    # a short text is a name (one character kept); a longer one an address (six kept)
    return mask_name(text) if len(text) <= 6 else mask_text(text)


_ELEVEN_DIGITS = re.compile(r"\d{11}")
"""What every pattern `scrub` masks holds: most texts have no such run and are done at once."""


def scrub(text: str) -> str:
    """Mask every ID number and mobile number pattern found in free text."""
    if not _ELEVEN_DIGITS.search(text):
        return text
    text = ID_NUMBER.sub(lambda m: mask_id(m.group(0)), text)
    text = _ANY_ID.sub(lambda m: mask_id(m.group(0)), text)
    text = PHONE_NUMBER.sub(lambda m: mask_phone(m.group(0)), text)
    return _ANY_PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def contains_personal_number(text: str) -> bool:
    """Whether text still contains a full ID number or mobile number pattern."""
    return bool(_ANY_ID.search(text) or _ANY_PHONE.search(text))
