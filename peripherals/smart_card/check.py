"""`kiosk devices test smart_card`: wait for a card, read it once, report fields and ATR."""

from __future__ import annotations

from peripherals.smart_card.base import SmartCardReader

PERSONAL_FIELDS: frozenset[str] = frozenset(
    {"card_number", "ssn", "name", "sex", "nation", "birth_date", "birthplace"}
)
"""Result keys holding personal data, which the CLI masks."""

DEFAULT_TIMEOUT = 30.0


def run_check(device: SmartCardReader, params: dict[str, str]) -> dict[str, object]:
    """Wait up to `timeout` s (param) for a card and read its social security fields."""
    timeout = float(params.get("timeout", DEFAULT_TIMEOUT))
    card = device.read_social_security_card(timeout)
    return {
        "atr": card.atr.hex(" ").upper(),
        "card_number": card.card_number,
        "ssn": card.ssn,
        "name": card.name,
        "sex": card.sex,
        "nation": card.nation,
        "birth_date": card.birth_date.isoformat() if card.birth_date else None,
        "birthplace": card.birthplace,
        "readable_fields": card.readable(),
    }
