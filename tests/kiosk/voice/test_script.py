"""The spoken script of a prompt, in Chinese and English."""

from __future__ import annotations

from kiosk.flow.prompt import InputRules, Prompt, PromptKind, PromptOption, PromptRow
from kiosk.voice.script import Narrator, spoken

ID = "110105198503122317"


def choose(language: str) -> Prompt:
    labels = {"zh_CN": ("个人参保证明", "缴费明细"), "en": ("Personal record", "Payments")}[
        language
    ]
    return Prompt(
        flow="f",
        step="choose",
        kind=PromptKind.CHOOSE,
        text="请选择" if language == "zh_CN" else "Choose",
        say="请选择证明类型" if language == "zh_CN" else "Choose the certificate",
        title="社保参保证明" if language == "zh_CN" else "Social insurance certificate",
        options=tuple(
            PromptOption(value=str(i), label=label, say=label, key=i)
            for i, label in enumerate(labels, start=1)
        ),
        can_go_back=True,
        language=language,
    )


def test_options_are_spoken_with_their_keypad_numbers_in_the_prompt_language() -> None:
    zh = spoken(choose("zh_CN"))
    assert "当前：社保参保证明。请选择证明类型。按1，个人参保证明；按2，缴费明细。" in zh
    assert "按返回键回到上一步" in zh and "按帮助键" in zh and "按重复键" in zh
    en = spoken(choose("en"))
    assert "Press 1 for Personal record, press 2 for Payments." in en
    assert "Press Back" in en and "按" not in en


def test_review_rows_are_masked_unless_private() -> None:
    shown = ID[:3] + "*" * 11 + ID[-4:]
    prompt = Prompt(
        flow="f",
        step="review",
        kind=PromptKind.CONFIRM,
        text="请核对",
        say="请核对",
        rows=(PromptRow("身份证号码", shown, ID, personal=True), PromptRow("页数", "2", "2")),
    )
    assert "身份证号码：1 1 0，中间11位已隐藏，2 3 1 7；页数：2" in spoken(prompt)
    assert ID not in spoken(prompt).replace(" ", "")
    assert f"身份证号码：{' '.join(ID)}" in spoken(prompt, private=True)  # digit by digit


def test_secret_inputs_are_never_spoken_and_results_offer_no_navigation() -> None:
    secret = Prompt(
        flow="f",
        step="pin",
        kind=PromptKind.INPUT,
        text="请输入密码",
        say="请输入密码",
        input=InputRules(input_type="secret", secret=True),
        language="zh_CN",
    )
    assert "输入的内容不会读出" in spoken(secret)
    result = Prompt(
        flow="f", step="done", kind=PromptKind.RESULT, text="完成", say="完成", waits=False
    )
    assert spoken(result) == "完成。"


def test_the_narrator_says_the_service_and_the_key_hints_once_unless_asked_again() -> None:
    narrator = Narrator()
    first = narrator.say(choose("zh_CN"))
    assert first.startswith("当前：社保参保证明。") and "按帮助键听取帮助" in first
    second = narrator.say(choose("zh_CN"))
    assert second.startswith("请选择证明类型") and "按帮助键" not in second
    assert "当前：" in narrator.say(choose("zh_CN"), again=True)  # REPEAT says it all
    narrator.reset()  # the next resident hears everything once again
    assert narrator.say(choose("zh_CN")) == first


def test_the_loudspeaker_script_masks_a_live_sessions_number_however_its_parts_spell_it() -> None:
    import re

    from kiosk.clock import ManualClock
    from kiosk.flow.session import Session

    phone = "13912345678"
    session = Session(ManualClock(start=0.0))
    session.scope.set("phone", phone, personal=True)
    # each part alone holds only a piece: the script read aloud holds it whole
    prompt = Prompt(
        flow="f",
        step="review",
        kind=PromptKind.CONFIRM,
        text="请核对",
        say="5678",
        title="139 1234",
        rows=(PromptRow("手机号", "139****5678", phone, personal=True),),
    )
    assert phone not in re.sub(r"\D", "", spoken(prompt))
    assert phone in re.sub(r"\D", "", spoken(prompt, private=True))  # the headset: in full
    session.end(None)


def test_a_scan_whose_code_has_digits_says_it_can_be_typed_on_the_keypad() -> None:
    from kiosk.flow.code_typing import code_typing

    def scan(pattern: str | None, device: str = "scanner") -> Prompt:
        typing = code_typing(pattern) if device == "scanner" else None
        return Prompt(
            flow="f", step="s", kind=PromptKind.DEVICE_WAIT, text="请扫描运单条码",
            say="请扫描运单条码", device=device, typing=typing,
        )  # fmt: skip

    hint = "也可以用数字键输入号码，输完按确认键。"
    assert "请扫描运单条码。" + hint in spoken(scan("[A-Z]{0,4}[0-9]{8,20}"))
    assert hint not in spoken(scan("[A-Z]{4}"))  # no digit to type
    assert hint not in spoken(scan(None, device="id_card"))


def test_each_line_shown_is_said_as_a_sentence() -> None:
    """A list's question and "Page 1 of 3", a notice's table rows: not run together."""
    for lang, shown, said in (
        ("en", "Choose a notice\nPage 1 of 3", "Choose a notice. Page 1 of 3."),
        (
            "zh_CN",
            "上年结余 60.00\n合计收入，\n第1页，共3页",
            "上年结余 60点0 0。合计收入，第1页，共3页。",
        ),
    ):
        prompt = Prompt("f", "s", PromptKind.INFO, shown, shown, language=lang)
        assert spoken(prompt, title=False, hints=False) == said
