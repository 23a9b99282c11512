"""What the screen shows, as the speech engine is given it: numbers a listener can follow."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from kiosk.voice.speakable import speakable
from peripherals.speaker.tts_pyttsx3 import DEFAULT_VOICES


@pytest.mark.parametrize(
    ("shown", "zh", "en"),
    [
        (
            "手机号码：138****8000",
            "手机号码：1 3 8，中间4位已隐藏，8 0 0 0",
            "手机号码：1 3 8, 4 digits hidden, 8 0 0 0",
        ),
        (
            "110***********231X",
            "1 1 0，中间11位已隐藏，2 3 1 叉",
            "1 1 0, 11 digits hidden, 2 3 1 X",
        ),
        ("受理编号：261205-335560。", "受理编号：2 6 1 2 0 5，3 3 5 5 6 0。", None),
        ("编号 2 0 2 4 0 0 0 7", "编号 2 0 2 4 0 0 0 7", "编号 2 0 2 4 0 0 0 7"),
        ("凭证号PR000001。", "凭证号P R 0 0 0 0 0 1。", None),
        ("receipt number PR000001. Please", None, "receipt number P R 0 0 0 0 0 1. Please"),
        ("自2020-03起参保", "自2 0 2 0年3月起参保", "自March 2020起参保"),
        ("2021-07-05", "2 0 2 1年7月5日", "July 5, 2021"),
        ("2019年起", "2 0 1 9年起", "2019年起"),
        ("共缴费12.50元", "共缴费12元5角", "共缴费12.50元"),
        ("应缴380.00元。", "应缴380元。", "应缴380.00元。"),
        ("手续费0.05元", "手续费0元零5分", "手续费0.05元"),
        ("单价12.5", "单价12点5", "单价12.5"),
        ("结余 12,480.00元", "结余 12480元", "结余 12,480.00元"),
        ("上年结余 52310.40", "上年结余 52310点4 0", "上年结余 52310.40"),
        ("1 page(s)", "1 page(s)", "1 page"),
        ("3 page(s)", "3 page(s)", "3 pages"),
        ("姓名：林**", "姓名：林某某", "姓名：林某某"),
        (
            "编号：2 6 1 2 0 5 - 5 8 4 6 2 0",
            "编号：2 6 1 2 0 5，5 8 4 6 2 0",
            "编号：2 6 1 2 0 5, 5 8 4 6 2 0",
        ),
        (
            "住址：北京市东城区******",
            "住址：北京市东城区，后面已隐藏",
            "住址：北京市东城区, the rest hidden",
        ),
        ("Name: J*** S****", "Name: J*** S****", "Name: J (hidden) S (hidden)"),
        ("—", "无", "none"),
        ("按1，确认", "按1，确认", "按1，确认"),
        ("累计缴费36个月", "累计缴费36个月", "累计缴费36个月"),
    ],
)
def test_numbers_are_rewritten_as_a_listener_understands_them(
    shown: str, zh: str | None, en: str | None
) -> None:
    if zh is not None:
        assert speakable(shown, "zh_CN") == zh
    if en is not None:
        assert speakable(shown, "en") == en


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="scripts/setup.sh installs it")
def test_no_asterisk_or_english_reaches_the_mandarin_voice() -> None:
    """What espeak-ng makes of a masked phone number: Mandarin digits, no "asterisk"."""
    for text in ("手机号码：138****8000", "身份证号码：110***********2317"):
        phonemes = subprocess.run(
            ["espeak-ng", "-q", "-x", "-v", DEFAULT_VOICES["zh_CN"], speakable(text, "zh_CN")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "(en)" not in phonemes, phonemes
