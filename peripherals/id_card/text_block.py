"""The 256-byte UCS-2LE text block: decode and build it for every card type."""

from __future__ import annotations

import msgspec

from peripherals.errors import DeviceFault
from peripherals.id_card.card import (
    FOREIGN_PERMANENT,
    FOREIGN_PERMANENT_2023,
    HMT_RESIDENCE,
    RESIDENT,
    SEX_CODES,
    SEXES,
    IdCard,
)
from peripherals.id_card.nations import nation_code, nation_name

TEXT_BLOCK_SIZE = 256
"""Bytes in the text block."""

FLAG_OFFSET = 248
"""Offset of the UCS-2 card-type flag."""

_FLAGS = {
    " ": RESIDENT,
    "\0": RESIDENT,
    "J": HMT_RESIDENCE,
    "I": FOREIGN_PERMANENT,
    "Y": FOREIGN_PERMANENT_2023,
}
_TYPE_FLAGS = {
    RESIDENT: " ",
    HMT_RESIDENCE: "J",
    FOREIGN_PERMANENT: "I",
    FOREIGN_PERMANENT_2023: "Y",
}


class _Field(msgspec.Struct, frozen=True):
    offset: int
    size: int


# Resident layout; the J layout adds pass number and issue count in the reserved area.
_NAME, _SEX, _NATION, _BIRTH = _Field(0, 30), _Field(30, 2), _Field(32, 4), _Field(36, 16)
_ADDRESS, _ID, _ISSUER = _Field(52, 70), _Field(122, 36), _Field(158, 30)
_FROM, _TO = _Field(188, 16), _Field(204, 16)
_PASS, _ISSUE_COUNT = _Field(220, 18), _Field(238, 4)
# Old foreigner card (I).
_I_EN_NAME, _I_SEX, _I_ID = _Field(0, 120), _Field(120, 2), _Field(122, 30)
_I_NAT, _I_CN_NAME, _I_BIRTH = _Field(152, 6), _Field(158, 30), _Field(220, 16)
# 2023 foreigner card (Y).
_Y_RENEWAL, _Y_EN_NAME, _Y_EN_MORE = _Field(32, 4), _Field(52, 70), _Field(220, 22)
_Y_NATIONALITY = _Field(242, 6)


def _raw(block: bytes, f: _Field) -> str:
    return block[f.offset : f.offset + f.size].decode("utf-16-le", errors="replace")


def _text(block: bytes, f: _Field) -> str:
    # Padding is U+0020; NULs are data (or damage) and must stay visible.
    return _raw(block, f).strip(" ")


def card_type_of(block: bytes) -> str:
    """The card type named by the flag at offset 248; unknown flags raise `DeviceFault`."""
    flag = block[FLAG_OFFSET : FLAG_OFFSET + 2].decode("utf-16-le", errors="replace")
    if flag not in _FLAGS:
        raise DeviceFault(f"unknown card type flag {flag!r}", code="id_card.unknown_card_type")
    return _FLAGS[flag]


def _sex(code: str) -> str:
    return SEXES.get(code, code)


def decode_text_block(block: bytes) -> IdCard:
    """Decode a text block of any known card type (photo and fingerprint left empty)."""
    if len(block) != TEXT_BLOCK_SIZE:
        raise DeviceFault(
            f"text block is {len(block)} bytes, expected {TEXT_BLOCK_SIZE}",
            code="id_card.bad_text_block",
        )
    card_type = card_type_of(block)
    if card_type in (RESIDENT, HMT_RESIDENCE):
        sex_code, nation = _text(block, _SEX), _text(block, _NATION)
        card = IdCard(
            name=_text(block, _NAME),
            sex=_sex(sex_code),
            nation=nation_name(nation),
            birth=_text(block, _BIRTH),
            address=_text(block, _ADDRESS),
            id_number=_text(block, _ID),
            issuer=_text(block, _ISSUER),
            valid_from=_text(block, _FROM),
            valid_to=_text(block, _TO),
            card_type=card_type,
            extra={"sex_code": sex_code, "nation_code": nation},
        )
        if card_type == HMT_RESIDENCE:
            card.extra["pass_number"] = _text(block, _PASS)
            card.extra["issue_count"] = _text(block, _ISSUE_COUNT)
        return card
    if card_type == FOREIGN_PERMANENT:
        english, chinese = _text(block, _I_EN_NAME), _text(block, _I_CN_NAME)
        sex_code = _text(block, _I_SEX)
        return IdCard(
            name=chinese or english,
            sex=_sex(sex_code),
            birth=_text(block, _I_BIRTH),
            id_number=_text(block, _I_ID),
            valid_from=_text(block, _FROM),
            valid_to=_text(block, _TO),
            card_type=card_type,
            extra={
                "sex_code": sex_code,
                "english_name": english,
                "chinese_name": chinese,
                "nationality": _text(block, _I_NAT),
            },
        )
    # FOREIGN_PERMANENT_2023: the English name continues in the reserved area.
    english = (_raw(block, _Y_EN_NAME) + _raw(block, _Y_EN_MORE)).strip(" ")
    chinese, sex_code = _text(block, _NAME), _text(block, _SEX)
    return IdCard(
        name=chinese or english,
        sex=_sex(sex_code),
        birth=_text(block, _BIRTH),
        id_number=_text(block, _ID),
        valid_from=_text(block, _FROM),
        valid_to=_text(block, _TO),
        card_type=card_type,
        extra={
            "sex_code": sex_code,
            "english_name": english,
            "chinese_name": chinese,
            "renewal_count": _text(block, _Y_RENEWAL),
            "nationality": _text(block, _Y_NATIONALITY),
        },
    )


def _put(block: bytearray, f: _Field, value: str, what: str) -> None:
    data = value.encode("utf-16-le")
    if len(data) > f.size:
        raise ValueError(f"{what} is longer than {f.size // 2} characters")
    padding = " ".encode("utf-16-le") * ((f.size - len(data)) // 2)
    block[f.offset : f.offset + f.size] = data + padding


def _sex_code(sex: str) -> str:
    return sex if sex in SEXES else SEX_CODES.get(sex, "0")


def build_text_block(card: IdCard) -> bytes:
    """Build the 256-byte block a card of `card.card_type` carries (simulator and tests)."""
    if card.card_type not in _TYPE_FLAGS:
        raise ValueError(f"unknown card type {card.card_type!r}")
    block = bytearray(" ".encode("utf-16-le") * (TEXT_BLOCK_SIZE // 2))
    extra = card.extra
    if card.card_type in (RESIDENT, HMT_RESIDENCE):
        _put(block, _NAME, card.name, "name")
        _put(block, _SEX, _sex_code(card.sex), "sex")
        _put(block, _NATION, nation_code(card.nation) if card.nation else "", "nation")
        _put(block, _BIRTH, card.birth, "birth")
        _put(block, _ADDRESS, card.address, "address")
        _put(block, _ID, card.id_number, "id_number")
        _put(block, _ISSUER, card.issuer, "issuer")
        if card.card_type == HMT_RESIDENCE:
            _put(block, _PASS, str(extra.get("pass_number", "")), "pass_number")
            _put(block, _ISSUE_COUNT, str(extra.get("issue_count", "")), "issue_count")
    elif card.card_type == FOREIGN_PERMANENT:
        english = str(extra.get("english_name", card.name))
        chinese = str(extra.get("chinese_name", card.name if card.name != english else ""))
        _put(block, _I_EN_NAME, english, "english_name")
        _put(block, _I_SEX, _sex_code(card.sex), "sex")
        _put(block, _I_ID, card.id_number, "id_number")
        _put(block, _I_NAT, str(extra.get("nationality", "")), "nationality")
        _put(block, _I_CN_NAME, chinese, "chinese_name")
        _put(block, _I_BIRTH, card.birth, "birth")
    else:
        english = str(extra.get("english_name", card.name))
        chinese = str(extra.get("chinese_name", card.name if card.name != english else ""))
        head, tail = english[: _Y_EN_NAME.size // 2], english[_Y_EN_NAME.size // 2 :]
        _put(block, _NAME, chinese, "chinese_name")
        _put(block, _SEX, _sex_code(card.sex), "sex")
        _put(block, _Y_RENEWAL, str(extra.get("renewal_count", "")), "renewal_count")
        _put(block, _BIRTH, card.birth, "birth")
        _put(block, _Y_EN_NAME, head, "english_name")
        _put(block, _Y_EN_MORE, tail, "english_name")
        _put(block, _ID, card.id_number, "id_number")
        _put(block, _Y_NATIONALITY, str(extra.get("nationality", "")), "nationality")
    _put(block, _FROM, card.valid_from, "valid_from")
    _put(block, _TO, card.valid_to, "valid_to")
    block[FLAG_OFFSET : FLAG_OFFSET + 2] = _TYPE_FLAGS[card.card_type].encode("utf-16-le")
    return bytes(block)
