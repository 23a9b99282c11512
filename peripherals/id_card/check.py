"""`kiosk devices test id_card`: read one card and report its fields."""

from __future__ import annotations

from peripherals.id_card.base import IdCardReader

PERSONAL_FIELDS: frozenset[str] = frozenset(
    {
        "name",
        "sex",
        "nation",
        "birth",
        "address",
        "id_number",
        "issuer",
        "pass_number",
        "english_name",
        "chinese_name",
        "nationality",
        "sex_code",
        "nation_code",
    }
)
"""Result keys the CLI must mask (everything that says who or where the holder is)."""


def run_check(device: IdCardReader, params: dict[str, str]) -> dict[str, object]:
    """Wait for a card (param `timeout`, default 30 s), read it, return its fields."""
    timeout = float(params.get("timeout", "30"))
    card = device.read_card(timeout)
    result: dict[str, object] = {
        "card_type": card.card_type,
        "name": card.name,
        "sex": card.sex,
        "nation": card.nation,
        "birth": card.birth,
        "address": card.address,
        "id_number": card.id_number,
        "issuer": card.issuer,
        "valid_from": card.valid_from,
        "valid_to": card.valid_to,
        "photo_bytes": len(card.photo),
        "fingerprint_bytes": len(card.fingerprint),
    }
    for key, value in card.extra.items():
        if isinstance(value, bytes | bytearray):
            result[f"{key}_bytes"] = len(value)
        else:
            result[key] = value
    return result
