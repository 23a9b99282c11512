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


DEPOSITS = """
id: deposits
title: {zh_CN: 投递, en: Deposit}
round: {zh_CN: 件, en: Parcel}
defaults: {timeout: 30}
steps:
  - {id: sign_in, kind: input, input_type: digits, text: {zh_CN: 工号, en: Code}}
  - {id: size, kind: choose, text: {zh_CN: 尺寸, en: Size}, options: [OPTIONS]}
  - {id: review, kind: confirm, text: {zh_CN: 确认, en: Confirm}}
  - id: another
    kind: choose
    text: {zh_CN: 继续吗, en: Another one}
    options: [OPTIONS]
    next: [{to: size, when: "another == 'a'"}, {to: done}]
  - {id: done, kind: finish, text: {zh_CN: 完成, en: Done}}
""".replace(
    "OPTIONS",
    "{value: a, label: {zh_CN: 甲, en: A}}, {value: b, label: {zh_CN: 乙, en: B}}",
)


async def test_a_flow_that_loops_names_each_time_round_and_counts_its_own_steps() -> None:
    """The courier's second parcel does not start again at "step 1 of 4" of the whole visit:
    it is "第 2 件", counted over the steps it repeats (signing in is not one of them)."""
    harness = Harness(DEPOSITS)
    answers = {"sign_in": "1234", "size": "a", "review": "yes", "another": ["a", "a", "b"]}
    for lang, second in (("zh_CN", "第 2 件"), ("en", "Parcel 2")):
        outcome, renderer, _ = await harness.run(answers, language=lang)
        assert outcome.status == "finished"
        shown = [(e.prompt.step, e.prompt.progress, e.prompt.round) for e in renderer.transcript]
        assert shown[:4] == [
            ("sign_in", (1, 4), ""),
            ("size", (2, 4), ""),
            ("review", (3, 4), ""),
            ("another", (4, 4), ""),
        ]
        assert shown[4:7] == [("size", (1, 3), second), ("review", (2, 3), second),
                              ("another", (3, 3), second)]  # fmt: skip
        assert shown[7][2] == shown[4][2].replace("2", "3")
        assert shown[-1][0] == "done" and shown[-1][2] == ""  # the result closes the visit


async def test_back_from_a_second_rounds_first_step_is_the_first_rounds_question_again() -> None:
    """返回 from the second parcel's first step shows "another parcel?" as it was answered, in
    the first parcel's round (no "第 2 件" over it); answered again, the second round begins."""
    harness = Harness(DEPOSITS)
    answers = {
        "sign_in": "1234",
        "size": ["a", {"event": "back"}, "a"],
        "review": "yes",
        "another": ["a", "a", "b"],
    }
    outcome, renderer, _ = await harness.run(answers)
    assert outcome.status == "finished"
    shown = [(e.prompt.step, e.prompt.progress, e.prompt.round) for e in renderer.transcript]
    assert shown[3:8] == [
        ("another", (4, 4), ""),
        ("size", (1, 3), "第 2 件"),
        ("another", (4, 4), ""),  # back: the first parcel's question, in its round
        ("size", (1, 3), "第 2 件"),
        ("review", (2, 3), "第 2 件"),
    ]


async def test_a_loop_back_to_a_choice_in_a_flow_naming_no_round_shows_its_number() -> None:
    """Back to a summary after reading records is that question again, not a new round."""
    harness = Harness(DEPOSITS.replace("round: {zh_CN: 件, en: Parcel}\n", ""))
    answers = {"sign_in": "1234", "size": "a", "review": "yes", "another": ["a", "b"]}
    _outcome, renderer, _ = await harness.run(answers)
    shown = [(e.prompt.step, e.prompt.progress, e.prompt.round) for e in renderer.transcript]
    assert shown[4] == ("size", (2, 4), "")


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
