"""Keypad and pinyin entry, validation, and typed input surviving language and look switches."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from kivy.metrics import dp
from ui_harness import (
    ask_task,
    find,
    frames,
    make_id_number,
    tap,
    texts_on_screen,
    type_keys,
    typed,
)

from kiosk.flow.prompt import Answer, InputRules, Prompt, PromptKind, PromptOption


def input_prompt(input_type: str, language: str = "zh_CN", **rules: Any) -> Prompt:
    text = {"zh_CN": "请输入", "en": "Please type"}[language]
    return Prompt(
        flow="demo",
        step="enter",
        kind=PromptKind.INPUT,
        text=text,
        say="",
        input=InputRules(input_type, **rules),
        language=language,
    )


def id_with_x() -> str:
    for seq in range(1, 999):
        number = make_id_number("320106", "19850307", f"{seq:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit found")


async def test_id_number_with_x_by_keypad(shell: Any) -> None:
    number = id_with_x()
    task = ask_task(shell, input_prompt("id_number", personal=True))
    await asyncio.sleep(0)
    type_keys(shell, number[:17])
    assert not find(shell, "key.X").disabled  # X only makes sense as the 18th character
    type_keys(shell, "X")
    # shown grouped for checking: 6 + 8 + 4
    assert f"{number[:6]} {number[6:14]} {number[14:]}" in texts_on_screen(shell)
    tap(shell, "action.confirm")
    assert await asyncio.wait_for(task, 2) == Answer(number)


async def test_x_is_refused_before_the_last_position(shell: Any) -> None:
    task = ask_task(shell, input_prompt("id_number"))
    await asyncio.sleep(0)
    type_keys(shell, "1101")
    assert find(shell, "key.X").disabled
    assert typed(shell) == "1101"
    task.cancel()


async def test_wrong_check_digit_is_explained_not_submitted(shell: Any) -> None:
    number = make_id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    task = ask_task(shell, input_prompt("id_number"))
    await asyncio.sleep(0)
    type_keys(shell, wrong)
    tap(shell, "action.confirm")
    assert not task.done()
    assert any("身份证号码不正确" in text for text in texts_on_screen(shell))
    tap(shell, "key.del")
    type_keys(shell, number[17])
    tap(shell, "action.confirm")
    assert await asyncio.wait_for(task, 2) == Answer(number)


async def test_pinyin_input_produces_a_chinese_word(shell: Any) -> None:
    task = ask_task(shell, input_prompt("text"))
    await asyncio.sleep(0)
    type_keys(shell, "shequ")
    assert find(shell, "cand.0").text == "社区"
    tap(shell, "cand.0")
    # a name character by character, the rare one from a later page
    type_keys(shell, "kun")
    for _ in range(6):
        if "堃" in [find(shell, f"cand.{i}").text for i in range(8)]:
            break
        tap(shell, "cand.next")
    slot = next(i for i in range(8) if find(shell, f"cand.{i}").text == "堃")
    tap(shell, f"cand.{slot}")
    tap(shell, "action.confirm")
    assert await asyncio.wait_for(task, 2) == Answer("社区堃")


async def test_unpicked_pinyin_is_not_submitted(shell: Any) -> None:
    task = ask_task(shell, input_prompt("text"))
    await asyncio.sleep(0)
    type_keys(shell, "zhang")
    tap(shell, "action.confirm")
    assert not task.done()
    assert any("拼音" in text for text in texts_on_screen(shell))
    task.cancel()


async def test_language_switch_keeps_the_typed_value(shell: Any) -> None:
    task = ask_task(shell, input_prompt("phone"))
    await asyncio.sleep(0)
    type_keys(shell, "13912")
    tap(shell, "bar.language")
    assert shell.inputs.state.language == "en"
    assert find(shell, "bar.call_staff").text == "Call staff"
    assert "139 12" in texts_on_screen(shell)
    # the engine asks the same step again in English: still the same typed digits
    task.cancel()
    task = ask_task(shell, input_prompt("phone", language="en"))
    await asyncio.sleep(0)
    frames()
    assert "Please type" in texts_on_screen(shell)
    type_keys(shell, "345678")
    tap(shell, "action.confirm")
    assert await asyncio.wait_for(task, 2) == Answer("13912345678")


async def test_elder_and_contrast_switches_keep_pinyin_in_progress(shell: Any) -> None:
    task = ask_task(shell, input_prompt("text"))
    await asyncio.sleep(0)
    type_keys(shell, "bei")
    tap(shell, "bar.elder")
    tap(shell, "bar.contrast")
    assert shell.state.elder and shell.state.high_contrast
    type_keys(shell, "jing")
    assert find(shell, "cand.0").text in ("背景", "北京")
    task.cancel()


async def test_empty_candidate_slots_are_shown_inactive_not_blank_buttons(shell: Any) -> None:
    task = ask_task(shell, input_prompt("text"))
    await asyncio.sleep(0)
    frames()
    slots = [find(shell, f"cand.{i}") for i in range(8)]
    # nothing typed: the strip is there, its slots drawn inactive (nothing to tap)
    assert all(s.opacity == 1 and s.disabled and s.text == "" for s in slots)
    type_keys(shell, "zhang")
    assert all(s.opacity == 1 and not s.disabled and s.text for s in slots)
    tap(shell, "cand.0")
    assert all(s.disabled and s.text == "" for s in slots)  # pinyin used up
    task.cancel()


def ids_on_screen(shell: Any) -> set[str]:
    return {getattr(w, "kiosk_id", "") for w in shell.walk(restrict=True)}


def phrase_prompt(*phrases: str) -> Prompt:
    return msgspec.structs.replace(
        input_prompt("text"),
        options=tuple(PromptOption(p, p, p, n) for n, p in enumerate(phrases, 1)),
    )


async def test_a_common_phrase_is_tapped_into_the_field_and_sent(shell: Any) -> None:
    phrase = "路灯坏了，请尽快维修。"
    task = ask_task(shell, phrase_prompt(phrase))
    await asyncio.sleep(0)
    frames()
    tap(shell, "phrase.1")
    assert typed(shell) == phrase
    tap(shell, "action.confirm")
    assert await asyncio.wait_for(task, 2) == Answer(phrase, source="touch")


async def test_elder_mode_offers_the_phrases_first_and_the_keyboard_on_request(
    shell: Any,
) -> None:
    from kivy.core.window import Window

    from kiosk.ui.theme import ELDER_MIN_BODY
    from kiosk.ui.widgets.fit import clipped_labels, shrunk_text

    shell.inputs.toggle_elder()
    long_zh = "楼道里的垃圾已经堆放好几天了，气味很大，夏天还招来很多苍蝇蚊子，请物业尽快安排清理。"
    long_en = "The lift keeps breaking down; please have it repaired."
    task = ask_task(shell, phrase_prompt(long_zh, "夜间噪音扰民。", long_en))
    await asyncio.sleep(0)
    frames()
    # large print has no room for both: the phrases, and a way to the keyboard
    assert find(shell, "phrase.2").text.endswith("夜间噪音扰民。")
    assert "key.a" not in ids_on_screen(shell)
    # a phrase too long for one line takes two at the elder size, not smaller text
    assert list(shrunk_text(shell, dp(ELDER_MIN_BODY))) == []
    assert list(clipped_labels(shell, Window.height)) == []
    assert find(shell, "phrase.1").height > find(shell, "phrase.2").height
    tap(shell, "action.keyboard")
    assert "key.a" in ids_on_screen(shell)
    type_keys(shell, "zao")  # the keyboard types like any other text field
    tap(shell, "cand.0")
    tap(shell, "action.confirm")
    answer = await asyncio.wait_for(task, 2)
    assert answer.value and answer.value[0] in "早造噪"


async def test_phrases_come_first_when_the_keyboard_would_not_fit_beside_them(
    shell: Any,
) -> None:
    """Standard look at 1280×1024: four phrases, the keyboard and its rows are taller than the
    screen, so the phrases come first and the keyboard on request, each screen whole."""
    from kivy.core.window import Window

    from kiosk.ui.widgets.fit import clipped_labels

    phrases = ("路灯坏了，请尽快维修。", "楼道卫生需要清理。", "夜间噪音扰民。", "请增设休息座椅。")
    task = ask_task(shell, phrase_prompt(*phrases))
    await asyncio.sleep(0)
    frames()
    assert find(shell, "phrase.4") and "key.a" not in ids_on_screen(shell)
    assert list(clipped_labels(shell, Window.height)) == []
    tap(shell, "action.keyboard")
    frames()
    assert "key.a" in ids_on_screen(shell) and "phrase.1" not in ids_on_screen(shell)
    assert list(clipped_labels(shell, Window.height)) == []
    type_keys(shell, "lu")
    first = find(shell, "cand.0").text
    tap(shell, "cand.0")
    assert first and typed(shell) == first  # the keyboard types as with phrases beside it
    task.cancel()
