"""Every prompt kind rendered in the real window and answered by a simulated tap."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from ui_harness import ask_task, find, frames, tap, texts_on_screen, type_keys

from kiosk.flow.prompt import (
    Answer,
    Event,
    InputRules,
    Prompt,
    PromptKind,
    PromptOption,
    PromptRow,
)


def prompt(kind: PromptKind, **fields: Any) -> Prompt:
    fields.setdefault("text", "请确认")
    return Prompt(flow="si-certificate", step=f"step_{kind.value}", kind=kind, say="", **fields)


CHOICES = (
    PromptOption("personal", "个人参保证明", "", 1),
    PromptOption("payments", "缴费明细", "", 2),
)


async def answer(shell: Any, p: Prompt, kiosk_id: str, keys: str = "") -> Answer | Event:
    task = ask_task(shell, p)
    await asyncio.sleep(0)
    frames()
    type_keys(shell, keys)
    tap(shell, kiosk_id)
    return await asyncio.wait_for(task, 2)


@pytest.mark.parametrize(
    "p,kiosk_id,keys,expected",
    [
        (prompt(PromptKind.INFO), "action.continue", "", Answer(True)),
        (prompt(PromptKind.CHOOSE, options=CHOICES), "option.payments", "", Answer("payments")),
        (
            prompt(PromptKind.INPUT, input=InputRules("digits")),
            "action.confirm",
            "2024",
            Answer("2024"),
        ),
        (
            prompt(PromptKind.INPUT, input=InputRules("amount", maximum=500)),
            "action.confirm",
            "12.50",
            Answer("12.50"),
        ),
        (
            prompt(PromptKind.INPUT, input=InputRules("phone", personal=True)),
            "action.confirm",
            "13912345678",
            Answer("13912345678"),
        ),
        (prompt(PromptKind.CONFIRM), "action.confirm", "", Answer(True)),
        (prompt(PromptKind.CONFIRM), "action.change", "", Answer(False)),
        (prompt(PromptKind.CONSENT), "action.agree", "", Answer(True)),
        (prompt(PromptKind.CONSENT), "action.decline", "", Answer(False)),
        (prompt(PromptKind.ERROR, error="network"), "action.continue", "", Answer(True)),
        (prompt(PromptKind.RESULT), "action.done", "", Answer(True)),
        (prompt(PromptKind.DEVICE_WAIT, device="id_card"), "bar.cancel", "", Event.CANCEL),
        (prompt(PromptKind.BUSY), "bar.help", "", Event.HELP),
        (prompt(PromptKind.CHOOSE, options=CHOICES, can_go_back=True), "bar.back", "", Event.BACK),
    ],
    ids=lambda v: v.kind.value if isinstance(v, Prompt) else None,
)
async def test_tap_answers_the_prompt(
    shell: Any, p: Prompt, kiosk_id: str, keys: str, expected: Answer | Event
) -> None:
    assert await answer(shell, p, kiosk_id, keys) == expected
    if isinstance(expected, Answer):
        assert expected.source == "touch"


async def test_secret_is_shown_as_dots(shell: Any) -> None:
    task = ask_task(shell, prompt(PromptKind.INPUT, input=InputRules("secret", secret=True)))
    await asyncio.sleep(0)
    type_keys(shell, "4711")
    assert "4711" not in " ".join(texts_on_screen(shell))
    assert "●●●●" in " ".join(texts_on_screen(shell))
    tap(shell, "action.confirm")
    assert await asyncio.wait_for(task, 2) == Answer("4711")


async def test_review_rows_show_masked_values_only(shell: Any) -> None:
    rows = (
        PromptRow("姓名", "张*", "张三丰", personal=True),
        PromptRow("身份证号", "110***********002X", "11010519491231002X", personal=True),
    )
    task = ask_task(shell, prompt(PromptKind.CONFIRM, rows=rows))
    await asyncio.sleep(0)
    frames()
    screen = " ".join(texts_on_screen(shell))
    assert "110***********002X" in screen and "张*" in screen
    assert "11010519491231002X" not in screen and "张三丰" not in screen
    task.cancel()


async def test_show_draws_without_answer_buttons(shell: Any) -> None:
    await shell.inputs.show(prompt(PromptKind.RESULT, text="办理成功"))
    frames()
    assert "办理成功" in texts_on_screen(shell)
    with pytest.raises(AssertionError):
        find(shell, "action.done")


async def test_cancelled_ask_ignores_late_taps(shell: Any) -> None:
    task = ask_task(shell, prompt(PromptKind.INFO))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    tap(shell, "action.continue")  # nobody listens any more: must not raise
    assert not shell.view_prompt.waiting
    assert find(shell, "bar.cancel").disabled  # nothing to cancel either


async def test_error_screen_says_what_to_do_next(shell: Any) -> None:
    task = ask_task(shell, prompt(PromptKind.ERROR, text="", error="paper_out"))
    await asyncio.sleep(0)
    frames()
    screen = " ".join(texts_on_screen(shell))
    assert "打印机缺纸" in screen and "人工服务" in screen
    task.cancel()


async def test_device_wait_shows_the_instruction_for_the_device(shell: Any) -> None:
    for device, words in (
        ("id_card", "身份证"),
        ("printer", "凭条"),
        ("door", "柜门"),
        ("scanner", "二维码"),
        ("smart_card", "社会保障卡"),
    ):
        task = ask_task(shell, prompt(PromptKind.DEVICE_WAIT, text="", device=device))
        await asyncio.sleep(0)
        frames()
        assert any(words in text for text in texts_on_screen(shell)), device
        task.cancel()
        await asyncio.sleep(0)
