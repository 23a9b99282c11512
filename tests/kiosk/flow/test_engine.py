"""The flow engine: navigation, events, timeouts, errors, sub-flows, privacy."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.flow.scripted import ScriptedRenderer
from kiosk.voice.script import spoken
from peripherals.id_card.id_number import check_character
from tests.kiosk.flow.test_engine_fakes import Harness, invented_id, wrong_check

ID = invented_id(7)

IDENTIFY = """
id: identify
title: {zh_CN: 身份核验, en: Identity check}
defaults: {timeout: 60}
steps:
  - id: consent
    kind: consent
    text: {zh_CN: 需要您的身份证号码, en: We need your ID number}
    purpose: {zh_CN: 用于查询, en: To look you up}
  - id: id_number
    kind: input
    input_type: id_number
    text: {zh_CN: 请输入身份证号码, en: Type your ID number}
  - id: kind
    kind: choose
    text: {zh_CN: 请选择, en: Choose}
    options:
      - {value: a, label: {zh_CN: 甲证明, en: Certificate A}}
      - {value: b, label: {zh_CN: 乙证明, en: Certificate B}}
  - id: review
    kind: confirm
    text: {zh_CN: 请核对, en: Please check}
    rows:
      - {label: {zh_CN: 身份证, en: ID}, value: "{{ id_number }}", personal: true}
  - id: done
    kind: finish
    text: {zh_CN: "办理完成：{{ kind }}", en: "Done: {{ kind }}"}
    result: {kind: "{{ kind }}"}
"""


def steps(renderer: ScriptedRenderer) -> list[str]:
    return [e.prompt.step for e in renderer.transcript]


async def test_a_flow_runs_to_its_finish_and_returns_the_result() -> None:
    harness = Harness(IDENTIFY)
    answers = {"consent": "yes", "id_number": ID, "kind": "2", "review": True}
    outcome, renderer, _ = await harness.run(answers)
    assert (outcome.status, outcome.step, outcome.result) == ("finished", "done", {"kind": "b"})
    result = renderer.transcript[-1].prompt
    assert result.kind is PromptKind.RESULT and not result.waits
    assert "乙证明" not in result.text and result.text == "办理完成：b"


async def test_review_rows_mask_the_id_number_but_keep_the_full_value() -> None:
    harness = Harness(IDENTIFY)
    answers = {"consent": "yes", "id_number": ID, "kind": "a", "review": "yes"}
    _, renderer, _ = await harness.run(answers)
    review = next(e.prompt for e in renderer.transcript if e.prompt.step == "review")
    (row,) = review.rows
    assert row.personal and row.value == ID
    assert row.shown == ID[:3] + "*" * 11 + ID[-4:]
    assert "rows" in review.personal


async def test_an_invalid_id_number_is_asked_again_with_an_error_key() -> None:
    harness = Harness(IDENTIFY)
    answers = {"consent": "yes", "id_number": [wrong_check(ID), ID], "kind": "a", "review": 1}
    outcome, renderer, _ = await harness.run(answers)
    asked = [e.prompt for e in renderer.transcript if e.prompt.step == "id_number"]
    assert [p.error for p in asked] == [None, "input.invalid_id_number"]
    assert "身份证号码不正确" in asked[1].error_text
    assert outcome.status == "finished"


async def test_back_returns_to_the_previous_waiting_step() -> None:
    harness = Harness(IDENTIFY)
    answers = {
        "consent": "yes",
        "id_number": ID,
        "kind": ["a", "b"],
        "review": [{"event": "back"}, "yes"],
    }
    outcome, renderer, _ = await harness.run(answers)
    assert steps(renderer) == ["consent", "id_number", "kind", "review", "kind", "review", "done"]
    assert outcome.result == {"kind": "b"}
    assert renderer.transcript[0].prompt.can_go_back is False
    assert renderer.transcript[1].prompt.can_go_back is True


async def test_declining_a_confirm_goes_to_on_decline_default_cancel() -> None:
    harness = Harness(IDENTIFY)
    answers = {"consent": "yes", "id_number": ID, "kind": "a", "review": "no"}
    outcome, _, session = await harness.run(answers)
    assert (outcome.status, outcome.step) == ("cancelled", "review")
    assert not session.holds_data


async def test_cancel_ends_the_run_and_wipes_the_session() -> None:
    harness = Harness(IDENTIFY)
    seen: dict[str, Any] = {}

    class Spy(ScriptedRenderer):
        async def ask(self, prompt: Prompt) -> Answer | Event:
            if prompt.step == "kind":
                seen["vault"] = dict(self.session.vault)  # type: ignore[union-attr]
            return await super().ask(prompt)

    session = harness.session()
    renderer = Spy({"consent": 1, "id_number": ID, "kind": {"event": "cancel"}}, session=session)
    outcome = await harness.engine.run("identify", session, renderer)
    assert seen["vault"] == {"id_number": ID}
    assert outcome.status == "cancelled" and outcome.step == "kind"
    assert session.ended and not session.holds_data and session.vault == {}
    assert "cancelled" in harness.journal.events("kind")


async def test_help_shows_the_steps_help_then_asks_again() -> None:
    flow = """
id: helped
title: {zh_CN: 帮助, en: Help}
steps:
  - id: ask
    kind: info
    timeout: 30
    text: {zh_CN: 请继续, en: Continue}
    help: {zh_CN: 按1继续, en: Press 1 to continue}
"""
    harness = Harness(flow)
    outcome, renderer, _ = await harness.run({"ask": [{"event": "help"}, 1]})
    shown = [(e.prompt.kind, e.prompt.text) for e in renderer.transcript]
    assert shown[1] == (PromptKind.INFO, "按1继续")
    assert shown[2][0] is PromptKind.INFO and outcome.status == "finished"


async def test_a_timeout_ends_the_session_and_wipes_its_data() -> None:
    harness = Harness(IDENTIFY)
    answers = {"consent": "yes", "id_number": ID, "kind": {"event": "timeout"}}
    outcome, _, session = await harness.run(answers)
    assert (outcome.status, outcome.step) == ("timeout", "kind")
    assert harness.clock.now() >= 1060
    assert not session.holds_data
    assert "timeout" in harness.journal.events("kind")


async def test_on_timeout_goes_to_its_target() -> None:
    flow = """
id: patient
title: {zh_CN: 超时, en: Timeout}
steps:
  - {id: wait, kind: info, timeout: 20, on_timeout: bye, text: {zh_CN: 等待, en: Wait}}
  - {id: never, kind: finish, text: {zh_CN: 不会, en: Never}}
  - {id: bye, kind: finish, status: failure, text: {zh_CN: 再见, en: Bye}}
"""
    outcome, renderer, _ = await Harness(flow).run({"wait": {"event": "timeout"}})
    assert (outcome.status, outcome.step) == ("failed", "bye")
    assert renderer.transcript[-1].prompt.text == "再见"


async def test_touch_extends_the_timeout_measured_on_the_clock() -> None:
    flow = """
id: slow
title: {zh_CN: 慢, en: Slow}
steps:
  - {id: wait, kind: info, timeout: 60, text: {zh_CN: 等待, en: Wait}}
"""
    harness = Harness(flow)

    class Slow:
        """A resident who keeps pressing "more time" for 500 seconds, then answers."""

        def __init__(self) -> None:
            self.session = harness.session()

        async def show(self, prompt: Prompt) -> None:
            pass

        async def ask(self, prompt: Prompt) -> Answer | Event:
            for _ in range(10):
                harness.clock.advance(50)
                self.session.touch()
                for _ in range(5):
                    await asyncio.sleep(0)
            return Answer("ok")

    renderer = Slow()
    outcome = await harness.engine.run("slow", renderer.session, renderer)
    assert outcome.status == "finished"
    assert harness.clock.now() == 1500

    class Idle(Slow):
        async def ask(self, prompt: Prompt) -> Answer | Event:
            harness.clock.advance(59)
            for _ in range(5):
                await asyncio.sleep(0)
            harness.clock.advance(2)
            await asyncio.Event().wait()
            raise AssertionError("the engine should have timed out")

    idle = Idle()
    assert (await harness.engine.run("slow", idle.session, idle)).status == "timeout"


async def test_language_switch_mid_flow_re_renders_in_english_and_keeps_progress() -> None:
    harness = Harness(IDENTIFY)
    answers = {
        "answers": {"consent": "yes", "id_number": ID, "kind": "a", "review": "yes"},
        "switch_language": {"kind": "en"},
    }
    outcome, renderer, _ = await harness.run(answers)
    kind = [e.prompt for e in renderer.transcript if e.prompt.step == "kind"]
    assert [p.language for p in kind] == ["zh_CN", "en"]
    assert [o.label for o in kind[1].options] == ["Certificate A", "Certificate B"]
    review = next(e.prompt for e in renderer.transcript if e.prompt.step == "review")
    assert review.language == "en" and review.rows[0].value == ID
    assert outcome.status == "finished" and renderer.transcript[-1].prompt.text == "Done: a"


FORK = """
id: fork
title: {zh_CN: 分支, en: Fork}
defaults: {timeout: 30}
steps:
  - id: pick
    kind: choose
    text: {zh_CN: 选, en: Pick}
    options:
      - {value: x, label: {zh_CN: 叉, en: X}}
      - {value: y, label: {zh_CN: 歪, en: Y}}
      - {value: z, label: {zh_CN: 仄, en: Z}, when: "vip is defined and vip"}
    next:
      - {to: ending_y, when: "pick == 'y'"}
  - id: only_x
    kind: set
    when: "pick == 'x'"
    values: {route: "via x", count: "{{ 40 + 2 }}"}
  - {id: ending_x, kind: finish, text: {zh_CN: "X {{ route }}", en: X}, result: {n: "{{ count }}"}}
  - {id: ending_y, kind: finish, text: {zh_CN: Y, en: Y}}
"""


async def test_when_skips_steps_and_transitions_pick_the_first_that_holds() -> None:
    harness = Harness(FORK)
    outcome, renderer, _ = await harness.run({"pick": "y"})
    assert outcome.step == "ending_y"
    assert "only_x" not in harness.journal.events() and "skipped" not in harness.journal.events()
    outcome, renderer, _ = await harness.run({"pick": "x"})
    assert (outcome.step, outcome.result) == ("ending_x", {"n": 42})
    assert renderer.transcript[-1].prompt.text == "X via x"


async def test_an_option_whose_when_fails_is_not_offered() -> None:
    harness = Harness(FORK.replace("vip is defined and vip", "false"))
    _, renderer, _ = await harness.run({"pick": "x"})
    offered = renderer.transcript[0].prompt.options
    assert [(o.key, o.value) for o in offered] == [(1, "x"), (2, "y")]


async def test_call_runs_a_sub_flow_with_its_own_scope_and_saves_its_result() -> None:
    parent = """
id: parent
title: {zh_CN: 主流程, en: Parent}
defaults: {timeout: 30}
steps:
  - {id: name, kind: input, input_type: text, text: {zh_CN: 名称, en: Name}}
  - {id: sub, kind: call, flow: child, with: {greeting: "hello {{ name }}"}, save_as: got}
  - id: done
    kind: finish
    text: {zh_CN: "{{ got.echo }}", en: x}
    result: {echo: "{{ got.echo }}"}
"""
    child = """
id: child
title: {zh_CN: 子流程, en: Child}
inputs: [greeting]
defaults: {timeout: 30}
steps:
  - {id: name, kind: input, input_type: text, text: {zh_CN: "{{ greeting }}", en: x}}
  - id: back
    kind: finish
    text: {zh_CN: 好, en: ok}
    result: {echo: "{{ greeting }} / {{ name }}"}
"""
    harness = Harness(parent, child)
    answers = {"parent.name": "amy", "child.name": "bob"}
    outcome, renderer, _ = await harness.run(answers, flow_id="parent")
    assert outcome.result == {"echo": "hello amy / bob"}
    asked = [e.prompt for e in renderer.transcript if e.prompt.flow == "child"]
    assert asked[0].text == "hello amy"


async def test_cancel_inside_a_sub_flow_cancels_the_caller() -> None:
    parent = """
id: parent
title: {zh_CN: 主, en: P}
steps:
  - {id: sub, kind: call, flow: child}
  - {id: done, kind: finish, text: {zh_CN: 完, en: done}}
"""
    child = """
id: child
title: {zh_CN: 子, en: C}
steps:
  - {id: ask, kind: info, timeout: 10, text: {zh_CN: 问, en: ask}}
"""
    outcome, _, _ = await Harness(parent, child).run({"ask": {"event": "cancel"}}, "parent")
    assert (outcome.status, outcome.step) == ("cancelled", "sub")


async def test_a_template_reaching_python_internals_fails_the_step_cleanly() -> None:
    flow = """
id: evil
title: {zh_CN: 恶意, en: Evil}
steps:
  - id: hack
    kind: set
    values: {x: "{{ ''.__class__.__mro__[1].__subclasses__() }}"}
  - {id: done, kind: finish, text: {zh_CN: 完, en: done}}
"""
    outcome, renderer, session = await Harness(flow).run({})
    assert (outcome.status, outcome.step, outcome.error) == ("failed", "hack", "flow.expression")
    error = renderer.transcript[-1].prompt
    assert error.kind is PromptKind.ERROR and error.error == "flow.expression"
    assert "配置有误" in error.text and not session.holds_data

    with_handler = flow.replace("kind: set\n", "kind: set\n    on_error: done\n")
    outcome, _, _ = await Harness(with_handler).run({})
    assert (outcome.status, outcome.step) == ("finished", "done")


async def test_a_back_office_failure_goes_to_on_error_else_fails_with_its_key() -> None:
    flow = """
id: fetcher
title: {zh_CN: 查询, en: Fetch}
steps:
  - id: fetch
    kind: http
    backend: records
    request: {method: GET, path: "/bills", query: {account: "42"}}
    on_error: offline
  - {id: done, kind: finish, text: {zh_CN: "{{ fetch.amount }}", en: x}}
  - {id: offline, kind: finish, status: failure, text: {zh_CN: 暂停服务, en: offline}}
"""
    harness = Harness(flow)
    harness.backends.replies["/bills"] = {"amount": "12.50"}
    outcome, renderer, _ = await harness.run({})
    assert outcome.status == "finished" and renderer.transcript[-1].prompt.text == "12.50"
    assert renderer.transcript[0].prompt.kind is PromptKind.BUSY
    harness.backends.down = True
    outcome, _, _ = await harness.run({})
    assert outcome.step == "offline"
    assert "error:backend.unreachable" in harness.journal.events("fetch")
    harness2 = Harness(flow.replace("    on_error: offline\n", ""))
    harness2.backends.down = True
    outcome, renderer, _ = await harness2.run({})
    assert (outcome.status, outcome.error) == ("failed", "backend.unreachable")
    assert renderer.transcript[-1].prompt.error_text.startswith("网络暂时中断")


async def test_submit_goes_through_the_outbox_with_a_session_step_key_and_no_way_back() -> None:
    flow = """
id: send
title: {zh_CN: 提交, en: Send}
defaults: {timeout: 30}
steps:
  - {id: text, kind: input, input_type: text, text: {zh_CN: 内容, en: Text}}
  - {id: review, kind: confirm, text: {zh_CN: 确认, en: Confirm}}
  - {id: send, kind: submit, backend: feedback, path: /feedback, payload: {text: "{{ text }}"}}
  - {id: thanks, kind: info, text: {zh_CN: "编号{{ send.reference }}", en: x}}
  - {id: done, kind: finish, text: {zh_CN: 完, en: done}, result: {ref: "{{ send.reference }}"}}
"""
    harness = Harness(flow)
    harness.outbox.down = True
    answers = {"text": "路灯坏了", "review": "yes", "thanks": [{"event": "back"}, 1]}
    outcome, renderer, session = await harness.run(answers)
    ((backend, path, payload, key),) = harness.outbox.submitted
    assert (backend, path, payload) == ("feedback", "/feedback", {"text": "路灯坏了"})
    assert key == f"{session.id}:send/send:1"  # flow/step, first pass
    thanks = [e.prompt for e in renderer.transcript if e.prompt.step == "thanks"]
    assert thanks[0].text == "编号R0001" and not thanks[0].can_go_back
    assert outcome.result == {"ref": "R0001"}
    entries = harness.journal.entries
    assert any(e[3] == "submitted" and e[4] == {"status": "queued"} for e in entries)


async def test_a_flow_looping_through_its_submission_submits_each_pass_anew() -> None:
    flow = """
id: twice
title: {zh_CN: 两次, en: Twice}
defaults: {timeout: 30}
steps:
  - id: what
    kind: choose
    text: {zh_CN: 反馈什么, en: What}
    options:
      - {value: light, label: {zh_CN: 路灯, en: Light}}
      - {value: noise, label: {zh_CN: 噪音, en: Noise}}
  - {id: ok, kind: confirm, text: {zh_CN: 提交吗, en: "Submit?"}}
  - {id: send, kind: submit, backend: feedback, path: /feedback, payload: {topic: "{{ what }}"}}
  - id: more
    kind: confirm
    text: {zh_CN: "编号{{ send.reference }}，再反馈一条吗", en: "{{ send.reference }}. Another?"}
    on_decline: done
    next: what
  - {id: done, kind: finish, text: {zh_CN: 完成, en: Done}}
"""
    harness = Harness(flow)
    answers = {"what": ["light", "noise"], "ok": "yes", "more": ["yes", "no"]}
    outcome, renderer, _ = await harness.run(answers)
    assert outcome.status == "finished"
    sent = harness.outbox.submitted
    assert [payload for _, _, payload, _ in sent] == [{"topic": "light"}, {"topic": "noise"}]
    keys = [key for *_, key in sent]
    assert len(set(keys)) == 2  # two submissions, two keys: neither is taken for a retry
    said = [e.prompt.text for e in renderer.transcript if e.prompt.step == "more"]
    assert said[0].startswith("编号R0001") and said[1].startswith("编号R0002")


async def test_device_steps_show_a_device_wait_and_keep_card_reads_in_the_vault() -> None:
    flow = """
id: card
title: {zh_CN: 读卡, en: Card}
needs: [id_card, printer]
steps:
  - id: consent
    kind: consent
    timeout: 30
    text: {zh_CN: 读卡, en: read}
    purpose: {zh_CN: 查询, en: look up}
  - {id: read, kind: read_id_card, timeout: 30, fields: [name, id_number], save_as: resident}
  - {id: print, kind: print, receipt: demo}
  - id: done
    kind: finish
    text: {zh_CN: "{{ resident.name | mask_name }}，{{ resident.id_number }}", en: x}
"""
    card = {"name": "李小明", "id_number": ID, "address": "北京市东城区示例街道1号", "nation": "汉"}
    harness = Harness(flow, devices={"id_card": card, "printer": True})
    seen: dict[str, Any] = {}

    class Spy(ScriptedRenderer):
        async def show(self, prompt: Prompt) -> None:
            if prompt.kind is PromptKind.RESULT:
                seen["vault"] = dict(self.session.vault)  # type: ignore[union-attr]
            await super().show(prompt)

    session = harness.session()
    renderer = Spy({"consent": "yes"}, clock=harness.clock, session=session)
    outcome = await harness.engine.run("card", session, renderer)
    assert outcome.status == "finished"
    kinds = [(e.prompt.step, e.prompt.kind, e.prompt.device) for e in renderer.transcript]
    assert ("read", PromptKind.DEVICE_WAIT, "id_card") in kinds
    assert ("print", PromptKind.DEVICE_WAIT, "printer") in kinds
    # only the declared fields are kept: the address and nation were dropped at the read
    assert seen["vault"] == {"resident": {"name": "李小明", "id_number": ID}}
    assert harness.devices.performed == [("id_card", "read"), ("printer", "print")]
    ((name, id_number, service),) = [r.rows for r in harness.devices.printed]
    assert (name.value, id_number.value) == ("李**", f"{ID[:3]}{'*' * 11}{ID[-4:]}")
    assert service.value == "card"
    done = renderer.transcript[-1].prompt
    assert done.text == f"李**，{ID[:3]}{'*' * 11}{ID[-4:]}" and "text" in done.personal


async def test_personal_values_are_masked_by_origin_in_full_only_for_the_headset() -> None:
    flow = """
id: greet
title: {zh_CN: 问候, en: Greeting}
needs: [id_card]
steps:
  - id: consent
    kind: consent
    timeout: 30
    text: {zh_CN: 读卡, en: read}
    purpose: {zh_CN: 查询, en: look up}
  - {id: read, kind: read_id_card, timeout: 30, fields: [name, address], save_as: resident}
  - id: hello
    kind: info
    timeout: 30
    text:
      zh_CN: "{{ resident.name }}您好，住址{{ resident.address }}"
      en: "Hello {{ resident.name }}, of {{ resident.address }}"
  - {id: done, kind: finish, text: {zh_CN: 完成, en: Done}}
"""
    card = {"name": "林晓测", "address": "北京市东城区示例街道1号", "id_number": ID}
    for lang in ("zh_CN", "en"):
        harness = Harness(flow, devices={"id_card": card})
        outcome, renderer, _ = await harness.run(
            {"consent": "yes", "hello": "continue"}, language=lang
        )
        assert outcome.status == "finished"
        (hello,) = [e.prompt for e in renderer.transcript if e.prompt.step == "hello"]
        # the name and address came from the card, so they are masked wherever others are
        for public in (hello.text, hello.say, spoken(hello)):
            assert "晓测" not in public and "示例街道" not in public, public
        assert "林某某" in spoken(hello) and "北京市东城区" in spoken(hello)
        # the headset's speech has them in full, and only it
        assert "林晓测" in spoken(hello, private=True)
        assert "示例街道1号" in spoken(hello, private=True)


async def test_a_personal_value_is_masked_in_any_spacing_or_format() -> None:
    phone = "13912345678"
    flow = """
id: formats
title: {zh_CN: 格式, en: Formats}
defaults: {timeout: 30}
steps:
  - {id: phone, kind: input, input_type: phone, text: {zh_CN: 手机, en: Phone}}
  - id: show
    kind: info
    text:
      zh_CN: "{{ phone | digits }}／{{ phone[:3] }}-{{ phone[3:7] }}-{{ phone[7:] }}／\\
        {{ phone[:5] }} {{ phone[5:] }}"
      en: "{{ phone | digits }}"
  - id: done
    kind: finish
    text: {zh_CN: 完成, en: Done}
    result: {contact: "{{ phone[:5] }} {{ phone[5:] }}", pages: 2}
"""
    outcome, renderer, _ = await Harness(flow).run({"phone": phone, "show": "continue"})
    assert outcome.status == "finished"
    (show,) = [e.prompt for e in renderer.transcript if e.prompt.step == "show"]
    for public in (show.text, show.say, spoken(show)):
        assert phone not in re.sub(r"\D", "", public), public  # in no spacing at all
    assert "1 3 9" in show.text and phone in re.sub(r"\D", "", show.say_private)
    # the result outlives the session: masked in it, and it says which keys are personal
    assert phone not in re.sub(r"\D", "", outcome.result["contact"])
    assert outcome.result["pages"] == 2 and outcome.personal == {"contact"}


async def test_a_missing_device_fails_with_device_unavailable() -> None:
    flow = """
id: card
title: {zh_CN: 读卡, en: Card}
steps:
  - {id: read, kind: read_id_card, timeout: 30, fields: [id_number]}
"""
    outcome, _, _ = await Harness(flow).run({})
    assert (outcome.status, outcome.error) == ("failed", "device.unavailable")


async def test_a_flow_looping_without_the_resident_fails_instead_of_hanging() -> None:
    flow = """
id: loop
title: {zh_CN: 循环, en: Loop}
steps:
  - {id: a, kind: set, values: {n: 1}, next: a}
"""
    outcome, _, _ = await Harness(flow).run({})
    assert (outcome.status, outcome.error) == ("failed", "flow.loop")


async def test_the_journal_holds_every_step_but_no_raw_personal_values() -> None:
    flow = IDENTIFY.replace(
        "  - id: review",
        "  - {id: phone, kind: input, input_type: phone, text: {zh_CN: 手机, en: Phone}}\n"
        "  - id: review",
    )
    harness = Harness(flow)
    answers = {"consent": 1, "id_number": ID, "kind": "a", "phone": "13912345678", "review": 1}
    outcome, _, session = await harness.run(answers)
    assert outcome.status == "finished"
    dump = harness.journal.dump()
    assert ID not in dump and "13912345678" not in dump
    assert not re.search(r"\d{17}[\dXx]|1\d{10}", dump)
    assert {e[0] for e in harness.journal.entries} == {session.id}
    assert harness.journal.events("id_number") == ["entered", "answered"]
    assert harness.journal.events()[-1] == "ended"


async def test_a_branch_step_only_routes_and_set_values_read_the_ones_before() -> None:
    flow = """
id: route
title: {zh_CN: 分流, en: Route}
defaults: {timeout: 30}
steps:
  - id: calc
    kind: set
    values: {base: "{{ 40 }}", twice: "{{ base * 2 }}", label: "{{ twice }}份"}
  - id: route
    kind: branch
    next:
      - {to: big, when: "twice > 50"}
      - {to: small}
  - {id: small, kind: finish, text: {zh_CN: 少, en: few}}
  - {id: big, kind: finish, text: {zh_CN: "多：{{ label }}", en: many}}
"""
    outcome, renderer, _ = await Harness(flow).run({})
    assert outcome.status == "finished" and outcome.step == "big"
    # the branch showed nothing and asked nothing
    assert [e.prompt.step for e in renderer.transcript] == ["big"]
    assert renderer.transcript[0].prompt.text == "多：80份"


async def test_a_failing_template_says_why_to_the_flow_author() -> None:
    flow = """
id: broken
title: {zh_CN: 错, en: Broken}
steps:
  - {id: calc, kind: set, values: {x: "{{ nothing_here.pages }}"}}
"""
    outcome, _, _ = await Harness(flow).run({})
    assert (outcome.status, outcome.error) == ("failed", "flow.expression")
    assert "nothing_here" in outcome.detail  # not only a key: which name, in which template


async def test_review_rows_show_a_choice_by_its_label_in_each_language_and_an_age_unmasked() -> (
    None
):
    body = "11010519400307123"  # born 7 March 1940
    number = body + check_character(body)
    flow = """
id: allowance
title: {zh_CN: 津贴, en: Allowance}
defaults: {timeout: 30}
steps:
  - id: kind
    kind: choose
    text: {zh_CN: 类型, en: Kind}
    options:
      - {value: home, label: {zh_CN: 居家, en: At home}}
      - {value: care, label: {zh_CN: 机构, en: In care}}
  - {id: who, kind: input, input_type: id_number, text: {zh_CN: 身份证, en: ID}}
  - id: review
    kind: confirm
    text: {zh_CN: 核对, en: Check}
    rows:
      - {label: {zh_CN: 类型, en: Kind}, value: "{{ labels.kind }}"}
      - {label: {zh_CN: 年龄, en: Age}, value: "{{ who | age(today) }}", personal: false}
      - {label: {zh_CN: 身份证, en: ID}, value: "{{ who }}"}
      - label: {zh_CN: 发放, en: Paid}
        value: {zh_CN: "每月{{ 300 }}元", en: "{{ 300 }} yuan a month"}
      - {label: {zh_CN: 姓名, en: Name}, value: "{{ '' }}"}  # nothing to show: left out
  - {id: done, kind: finish, text: {zh_CN: 好, en: OK}}
"""
    for lang, kind_label, paid in (
        ("zh_CN", "机构", "每月300元"),
        ("en", "In care", "300 yuan a month"),
    ):
        harness = Harness(flow)
        harness.clock.advance(1_800_000_000 - 1000)  # 2027-01-15
        outcome, renderer, _ = await harness.run(
            {"kind": "care", "who": number, "review": "yes"}, language=lang
        )
        assert outcome.status == "finished"
        (review,) = [e.prompt for e in renderer.transcript if e.prompt.step == "review"]
        shown = [(r.shown, r.personal) for r in review.rows]
        assert shown[0] == (kind_label, False)
        assert shown[1] == ("86", False)  # derived from the ID number, not identifying
        assert shown[2][1] and number not in shown[2][0]  # read from the ID: masked
        assert shown[3] == (paid, False)
        assert len(shown) == 4  # the empty row is not shown as a bare label
