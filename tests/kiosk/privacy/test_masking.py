"""Masking keeps enough to recognise a value and never the whole of it."""

from __future__ import annotations

import logging

import pytest

from kiosk.privacy.logging import ScrubFilter
from kiosk.privacy.masking import (
    contains_personal_number,
    mask_id,
    mask_name,
    mask_personal,
    mask_phone,
    scrub,
)

INVENTED_ID = "11010519900307101X"
INVENTED_PHONE = "13900001234"


def test_mask_id_keeps_region_prefix_and_last_four() -> None:
    assert mask_id(INVENTED_ID) == "110***********101X"
    assert not contains_personal_number(mask_id(INVENTED_ID))


def test_mask_phone_keeps_prefix_and_last_four() -> None:
    assert mask_phone(INVENTED_PHONE) == "139****1234"


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "李*"), ("Lin Wei", "L** W**"), ("", "")],
)
def test_mask_name_keeps_only_the_first_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_scrub_masks_numbers_inside_free_text() -> None:
    text = f"居民{INVENTED_ID}来电{INVENTED_PHONE}，订单号 20240101"
    scrubbed = scrub(text)
    assert INVENTED_ID not in scrubbed and INVENTED_PHONE not in scrubbed
    assert "110***********101X" in scrubbed and "139****1234" in scrubbed
    assert "20240101" in scrubbed
    assert not contains_personal_number(scrubbed)


def test_log_filter_scrubs_arguments(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.scrub")
    logger.addFilter(ScrubFilter())
    with caplog.at_level(logging.INFO, logger="test.scrub"):
        logger.info("read card %s for %s", INVENTED_ID, INVENTED_PHONE)
    assert INVENTED_ID not in caplog.text and INVENTED_PHONE not in caplog.text
    assert "110***********101X" in caplog.text


def test_personal_values_are_masked_by_what_they_are() -> None:
    card = {
        "name": "林晓测",
        "address": "北京市东城区示例街道1号",
        "id_number": INVENTED_ID,
        "birth": "19850312",
    }
    assert mask_personal(card) == {
        "name": "林**",
        "address": "北京市东城区******",
        "id_number": "110***********101X",
        "birth": "198503**",
    }
    # a value of its own (a personal input) is masked by its shape
    assert mask_personal(INVENTED_PHONE) == "139****1234"
    assert mask_personal(INVENTED_ID) == "110***********101X"
    assert mask_personal("欧阳晓测") == "欧***"
    assert mask_personal(None) is None
