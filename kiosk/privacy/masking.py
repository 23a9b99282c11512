"""Masking of personal data for screens, receipts, loudspeaker speech, logs and the journal."""

from __future__ import annotations

import re

MASK = "*"

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
"""An 18-character resident ID number (region, birth date, sequence and check character)."""

PHONE_NUMBER = re.compile(r"(?<!\d)(1\d{2})(\d{4})(\d{4})(?!\d)")
"""A mainland mobile number: 11 digits starting with 1."""

_ANY_ID = re.compile(r"\d{17}[\dXx]")
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


def mask_personal(value: str) -> str:
    """How a personal value is shown: ID and phone numbers keep their ends, names one character."""
    if ID_NUMBER.fullmatch(value):
        return mask_id(value)
    if PHONE_NUMBER.fullmatch(value):
        return mask_phone(value)
    if len(value) <= 6:
        return mask_name(value)
    return mask_text(value)


def scrub(text: str) -> str:
    """Mask every ID number and mobile number pattern found in free text."""
    text = ID_NUMBER.sub(lambda m: mask_id(m.group(0)), text)
    text = _ANY_ID.sub(lambda m: mask_id(m.group(0)), text)
    text = PHONE_NUMBER.sub(lambda m: mask_phone(m.group(0)), text)
    return _ANY_PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def contains_personal_number(text: str) -> bool:
    """Whether text still contains a full ID number or mobile number pattern."""
    return bool(_ANY_ID.search(text) or _ANY_PHONE.search(text))
