"""The input screen and the engine judge every answer alike, and say so in the same words.

Each case runs twice: the engine is given the answer (scripted), and the touch screen, shown the
prompt the engine asked with, has it typed on its keypad and confirmed. Both accept it, or both
refuse it and the screen shows exactly the engine's text.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from ui_harness import ask_task, frames, make_id_number, tap, type_keys, typed

from kiosk.flow.prompt import Answer, Prompt
from tests.kiosk.flow.test_engine_fakes import Harness

ID = make_id_number("320106", "19850307", "021")  # invented
WRONG_ID = ID[:17] + ("0" if ID[17] != "0" else "1")
CODE = r"[A-Z]{2}\d+"

CASES: list[tuple[dict[str, Any], str]] = [
    ({"input_type": "id_number"}, ID),
    ({"input_type": "id_number"}, WRONG_ID),
    ({"input_type": "id_number"}, ID[:17]),
    ({"input_type": "phone"}, "13912345678"),
    ({"input_type": "phone"}, "23912345678"),
    ({"input_type": "phone"}, "1391234567"),
    ({"input_type": "amount", "minimum": 1, "maximum": 500}, "12.5"),
    ({"input_type": "amount", "minimum": 1, "maximum": 500}, "500"),
    ({"input_type": "amount", "minimum": 1, "maximum": 500}, "500.01"),
    ({"input_type": "amount", "minimum": 1, "maximum": 500}, "0.99"),
    ({"input_type": "amount", "maximum": 0.3}, "0.3"),
    ({"input_type": "amount"}, "12."),
    ({"input_type": "amount"}, ""),
    ({"input_type": "digits", "min_length": 6}, "12345"),
    ({"input_type": "digits", "min_length": 0}, ""),
    ({"input_type": "secret", "min_length": 6, "max_length": 6}, "1234"),
    ({"input_type": "text", "pattern": CODE}, "AB12"),
    ({"input_type": "text", "pattern": CODE}, "ab12"),
]


def flow(fields: dict[str, Any]) -> dict[str, Any]:
    step = {"id": "answer", "kind": "input", "text": {"zh_CN": "请输入", "en": "Type"}, **fields}
    done = {"id": "done", "kind": "finish", "text": {"zh_CN": "完成", "en": "Done"}}
    return {"id": "typing", "title": {"zh_CN": "输入", "en": "Typing"}, "steps": [step, done]}


async def engine_verdict(fields: dict[str, Any], raw: str, language: str) -> tuple[Prompt, str]:
    """The prompt the engine asked with, and its error text for `raw` ("" when accepted)."""
    harness = Harness(flow(fields))
    _, renderer, _ = await harness.run({"answer": [raw, {"event": "cancel"}]}, language=language)
    asked = [e.prompt for e in renderer.transcript if e.prompt.step == "answer"]
    return asked[0], asked[1].error_text if len(asked) > 1 else ""


async def screen_verdict(shell: Any, prompt: Prompt, raw: str) -> str:
    """What the screen says when `raw` is typed and confirmed ("" when it answers `raw`)."""
    task = ask_task(shell, prompt)
    await asyncio.sleep(0)
    if prompt.input is not None and prompt.input.typing.numeric:
        type_keys(shell, raw)
    else:  # free text is picked from pinyin candidates; put it there as the tour does
        shell.inputs.edit(raw)
        frames()
    assert typed(shell) == raw  # the keypad took every key
    tap(shell, "action.confirm")
    for _ in range(10):  # an accepted answer ends the asking within a few loop turns
        await asyncio.sleep(0)
    if task.done():
        assert task.result() == Answer(raw, source="touch")
        return ""
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    message: str = shell.screen.message.text
    return message.removeprefix("[b]").removesuffix("[/b]")


@pytest.mark.parametrize(("fields", "raw"), CASES)
async def test_the_screen_and_the_engine_agree(
    shell: Any, fields: dict[str, Any], raw: str
) -> None:
    prompt, engine_says = await engine_verdict(fields, raw, "zh_CN")
    assert await screen_verdict(shell, prompt, raw) == engine_says


async def test_they_agree_in_english_too(shell: Any) -> None:
    prompt, engine_says = await engine_verdict({"input_type": "id_number"}, WRONG_ID, "en")
    assert engine_says.startswith("That ID number is not valid")
    assert await screen_verdict(shell, prompt, WRONG_ID) == engine_says
