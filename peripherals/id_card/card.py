"""The decoded card: one dataclass for every card type the SAM can read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RESIDENT = "resident"
"""Resident identity card of the PRC (blank type flag)."""
HMT_RESIDENCE = "hmt_residence"
"""Residence permit for Hong Kong, Macao and Taiwan residents (flag `J`)."""
FOREIGN_PERMANENT = "foreign_permanent"
"""Foreigner permanent residence card, pre-2023 layout (flag `I`)."""
FOREIGN_PERMANENT_2023 = "foreign_permanent_2023"
"""Foreigner permanent residence ID card, 2023 layout (flag `Y`)."""

CARD_TYPES: tuple[str, ...] = (RESIDENT, HMT_RESIDENCE, FOREIGN_PERMANENT, FOREIGN_PERMANENT_2023)
"""Every card type the decoder knows."""

SEXES: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
"""GB 2261 sex code to text."""

SEX_CODES: dict[str, str] = {text: code for code, text in SEXES.items()}
"""Sex text to code."""

LONG_TERM = "长期"
"""What `valid_to` holds for a card with no expiry date."""


def mask_id_number(number: str) -> str:
    """Mask an ID number for logs and screens: only the last four characters stay."""
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]


@dataclass(repr=False)
class IdCard:
    """One card as read: texts decoded, dates kept as `YYYYMMDD` (or `长期`), photo raw WLT."""

    name: str = ""
    sex: str = ""
    nation: str = ""
    birth: str = ""
    address: str = ""
    id_number: str = ""
    issuer: str = ""
    valid_from: str = ""
    valid_to: str = ""
    card_type: str = RESIDENT
    photo: bytes = b""
    fingerprint: bytes = b""
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        # Cards end up in tracebacks and logs: never show personal data there.
        return (
            f"IdCard(card_type={self.card_type!r}, id_number={mask_id_number(self.id_number)!r}, "
            f"photo={len(self.photo)} bytes)"
        )
