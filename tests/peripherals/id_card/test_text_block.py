"""Text block decoding for every card type."""

from __future__ import annotations

import pytest

from peripherals.errors import DeviceFault
from peripherals.id_card.card import IdCard
from peripherals.id_card.id_number import check_character
from peripherals.id_card.nations import NATIONS, nation_code, nation_name
from peripherals.id_card.text_block import build_text_block, decode_text_block


def invented_id(first17: str) -> str:
    return first17 + check_character(first17)


def test_nation_list_has_all_56_and_the_two_extra_codes() -> None:
    assert len(NATIONS) == 58
    assert nation_name("01") == "汉" and nation_name("56") == "基诺"
    assert nation_name("05") == "维吾尔" and nation_name("29") == "柯尔克孜"
    assert nation_name("97") == "其他" and nation_name("98") == "外国血统中国籍人士"
    assert nation_code("朝鲜族") == "10"
    assert nation_name("77") == "77"


def resident(**changes: object) -> IdCard:
    fields: dict[str, object] = dict(
        name="赵测试",
        sex="女",
        nation="蒙古",
        birth="19850612",
        address="内蒙古自治区呼和浩特市新城区样例路8号",
        id_number=invented_id("15010219850612456"),
        issuer="呼和浩特市公安局新城分局",
        valid_from="20150101",
        valid_to="长期",
    )
    fields.update(changes)
    return IdCard(**fields)  # type: ignore[arg-type]


def test_resident_block_decodes_field_by_field() -> None:
    block = build_text_block(resident())
    assert len(block) == 256
    assert block[0:6] == "赵测试".encode("utf-16-le")
    assert block[30:32] == b"2\x00" and block[32:36] == "02".encode("utf-16-le")
    card = decode_text_block(block)
    assert card.card_type == "resident"
    assert (card.name, card.sex, card.nation) == ("赵测试", "女", "蒙古")
    assert card.address == "内蒙古自治区呼和浩特市新城区样例路8号"
    assert card.valid_to == "长期"
    assert card.extra["nation_code"] == "02"


def test_nul_characters_are_kept_not_stripped() -> None:
    block = bytearray(build_text_block(resident(name="钱测")))
    block[4:6] = b"\x00\x00"
    assert decode_text_block(bytes(block)).name == "钱测\0"


def test_hmt_residence_permit() -> None:
    card = resident(
        card_type="hmt_residence",
        id_number=invented_id("81000019900101123"),
        extra={"pass_number": "H12345678", "issue_count": "01"},
    )
    decoded = decode_text_block(build_text_block(card))
    assert decoded.card_type == "hmt_residence"
    assert decoded.extra["pass_number"] == "H12345678"
    assert decoded.extra["issue_count"] == "01"
    assert decoded.id_number == card.id_number


def test_old_foreigner_permanent_residence_card() -> None:
    card = IdCard(
        name="测试者",
        sex="男",
        birth="19800202",
        id_number="CAN110080020201",
        valid_from="20100101",
        valid_to="20200101",
        card_type="foreign_permanent",
        extra={"english_name": "TESTER, SAMPLE", "nationality": "CAN"},
    )
    block = build_text_block(card)
    assert block[248:250] == b"I\x00"
    decoded = decode_text_block(block)
    assert decoded.card_type == "foreign_permanent"
    assert decoded.name == "测试者"
    assert decoded.extra["english_name"] == "TESTER, SAMPLE"
    assert decoded.extra["nationality"] == "CAN"
    assert (decoded.id_number, decoded.birth, decoded.sex) == ("CAN110080020201", "19800202", "男")


def test_2023_foreigner_card_with_a_long_english_name() -> None:
    long_name = "EXAMPLEPERSON-LONGFAMILYNAME, GIVEN NAMES"  # 41 chars: spills past 35
    card = IdCard(
        sex="女",
        birth="19920303",
        id_number="932156199203030012",
        valid_from="20230101",
        valid_to="20330101",
        card_type="foreign_permanent_2023",
        extra={"english_name": long_name, "nationality": "USA", "renewal_count": "00"},
    )
    decoded = decode_text_block(build_text_block(card))
    assert decoded.card_type == "foreign_permanent_2023"
    assert decoded.extra["english_name"] == long_name
    assert decoded.name == long_name  # no Chinese name on this card
    assert decoded.extra["nationality"] == "USA"
    assert decoded.extra["renewal_count"] == "00"


def test_unknown_type_flag_and_wrong_size_are_clear_faults() -> None:
    block = bytearray(build_text_block(resident()))
    block[248:250] = "Q".encode("utf-16-le")
    with pytest.raises(DeviceFault) as flag:
        decode_text_block(bytes(block))
    assert flag.value.code == "id_card.unknown_card_type"
    with pytest.raises(DeviceFault):
        decode_text_block(bytes(200))


def test_fields_too_long_are_refused_when_building() -> None:
    with pytest.raises(ValueError, match="name"):
        build_text_block(resident(name="很" * 16))


def test_card_repr_hides_personal_data() -> None:
    card = resident()
    text = repr(card)
    assert "赵测试" not in text and card.id_number not in text
    assert card.id_number[-4:] in text
