"""Step progress ("step 2 of 5") from the step graph, and the result's sign and reference."""

from __future__ import annotations

from pathlib import Path

from kiosk.flow.loader import load_flow
from kiosk.flow.progress import step_progress
from kiosk.flow.prompt import PromptKind, Sign
from tests.kiosk.flow.test_engine_fakes import Harness

FLOWS = Path(__file__).resolve().parents[3] / "flows"


def _flow(name: str):  # type: ignore[no-untyped-def]
    loaded = load_flow(FLOWS / f"{name}.yaml")
    return getattr(loaded, "flow", loaded)


def test_feedback_counts_the_five_steps_a_resident_answers() -> None:
    progress = step_progress(_flow("resident-feedback"))
    assert progress["topic"] == (1, 5)
    assert progress["consent"] == (2, 5)
    assert progress["review"] == (5, 5)
    assert "done" not in progress  # the result is shown instead


def test_an_alternative_step_stands_in_for_the_one_it_replaces() -> None:
    progress = step_progress(_flow("si-certificate"))
    assert progress["card"] == progress["typed"] == (3, 6)
    assert progress["choose"] == (4, 6)
    assert progress["fetch"] == (4, 6)  # a lookup keeps the number of the step before it


SEND = """
id: send
title: {zh_CN: 提交, en: Send}
defaults: {timeout: 30}
steps:
  - {id: text, kind: input, input_type: text, text: {zh_CN: 内容, en: Text}}
  - {id: review, kind: confirm, text: {zh_CN: 确认, en: Confirm}}
  - {id: send, kind: submit, backend: feedback, path: /feedback, payload: {text: "{{ text }}"}}
  - id: done
    kind: finish
    reference: "{{ send.reference }}"
    text: {zh_CN: "编号{{ send.reference }}", en: "Reference {{ send.reference }}"}
"""


async def test_a_result_is_pending_while_its_submission_waits_in_the_outbox() -> None:
    harness = Harness(SEND)
    harness.outbox.down = True
    _, renderer, _ = await harness.run({"text": "路灯坏了", "review": "yes"})
    result = renderer.transcript[-1].prompt
    assert result.kind is PromptKind.RESULT
    assert (result.sign, result.reference) == (Sign.PENDING, "R0001")
    assert renderer.transcript[0].prompt.progress == (1, 2)


async def test_a_delivered_submission_is_a_success_and_a_failure_finish_is_refused() -> None:
    harness = Harness(SEND)
    _, renderer, _ = await harness.run({"text": "路灯坏了", "review": "yes"})
    assert renderer.transcript[-1].prompt.sign is Sign.SUCCESS
    refused = SEND.replace("    kind: finish\n", "    kind: finish\n    status: failure\n")
    _, renderer, _ = await Harness(refused).run({"text": "路灯坏了", "review": "yes"})
    assert renderer.transcript[-1].prompt.sign is Sign.REFUSED
