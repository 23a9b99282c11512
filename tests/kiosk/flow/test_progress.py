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


def test_a_refusal_path_does_not_shorten_the_count_nor_a_skipped_step_lengthen_it() -> None:
    progress = step_progress(_flow("elderly-allowance"))
    assert progress["household"] == (1, 7) and progress["print"] == (7, 7)
    # 身份证 / 社保卡 / 手输: alternatives for one step, whichever the kiosk offers
    identify = step_progress(_flow("identify"))
    assert identify["id_card"] == identify["ss_card"] == identify["typed"] == (3, 3)


def test_a_single_question_shows_no_count() -> None:
    assert step_progress(_flow("request-status")) == {}


PAY = """
id: pay
title: {zh_CN: 缴费, en: Pay}
defaults: {timeout: 30}
steps:
  - {id: who, kind: call, flow: ask-name, save_as: person}
  - {id: amount, kind: input, input_type: amount, text: {zh_CN: 金额, en: Amount}}
  - {id: review, kind: confirm, text: {zh_CN: 确认, en: Confirm}}
  - {id: done, kind: finish, text: {zh_CN: 完成, en: Done}}
"""
ASK_NAME = """
id: ask-name
title: {zh_CN: 身份, en: Who}
defaults: {timeout: 30}
steps:
  - {id: agree, kind: consent, purpose: {zh_CN: 用途, en: Purpose}}
  - {id: name, kind: input, input_type: text, text: {zh_CN: 姓名, en: Name}}
  - {id: back, kind: finish, result: {name: "{{ name }}"}}
"""


async def test_a_sub_flow_is_counted_inside_the_journey_that_calls_it() -> None:
    """ "第 2 步，共 3 步" after a sub-flow of two steps read oddly: the resident's journey is
    the sub-flow's steps and the caller's, numbered on from one to the last."""
    harness = Harness(PAY, ASK_NAME)
    answers = {"agree": "yes", "name": "林测试", "amount": "12.5", "review": "yes"}
    outcome, renderer, _ = await harness.run(answers, flow_id="pay")
    assert outcome.status == "finished"
    shown = [(e.prompt.step, e.prompt.progress) for e in renderer.transcript][:-1]
    assert shown == [("agree", (1, 4)), ("name", (2, 4)), ("amount", (3, 4)), ("review", (4, 4))]


def test_the_medical_insurance_payment_counts_the_identification_before_it() -> None:
    flows = {name: _flow(name) for name in ("medical-insurance", "identify", "queue-ticket")}
    progress = step_progress(flows["medical-insurance"], flows.get)
    assert progress["who"] == (1, 7)  # consent, how, the card: steps 1 to 3
    assert progress["summary"] == (4, 7) and progress["pay"] == (6, 7)


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
