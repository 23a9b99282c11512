"""Personal values are masked by origin on every output of a flow run (issue 16, item 3).

Each value in the session's vault (an ID card read, a personal input, what templates derived from
them) is found in any format a template gives it, in everything the run shows, says, returns,
prints or journals: prompt titles, texts, voice texts, help, options, review rows, the voice
script, the finish result, receipts.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.flow.outcome import Outcome
from kiosk.flow.prompt import Answer, Event, Prompt
from kiosk.flow.scripted import ScriptedRenderer
from kiosk.voice.script import spoken
from peripherals.id_card.id_number import check_character
from tests.kiosk.flow.test_engine_fakes import Harness

PHONE = "13912345678"
ID = "110105198503122317"
BOTH = {"zh_CN": "", "en": ""}


def text(template: str) -> dict[str, str]:
    """The same template in both languages."""
    return {lang: template for lang in BOTH}


def digits_only(value: str) -> str:
    """A text's digits alone, full-width ones as ASCII: how a number hides in formatting."""
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", value))


class Voiced(ScriptedRenderer):
    """A scripted renderer that notes the voice script of each prompt as it is presented, as the
    voice renderer speaks it: while the session and its personal values live."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.said: list[str] = []

    async def show(self, prompt: Prompt) -> None:
        self.said.append(spoken(prompt))
        await super().show(prompt)

    async def ask(self, prompt: Prompt) -> Answer | Event:
        self.said.append(spoken(prompt))
        return await super().ask(prompt)


def outputs(renderer: Voiced, outcome: Outcome, harness: Harness) -> Iterator[str]:
    """Each text the run showed, said, returned, printed or journaled."""
    yield from renderer.said
    for entry in renderer.transcript:
        prompt = entry.prompt
        yield from (prompt.text, prompt.say, prompt.title, prompt.help, prompt.error_text)
        for option in prompt.options:
            yield from (option.label, option.say)
        for row in prompt.rows:
            yield from (row.label, row.shown)
    yield from (json.dumps(value, ensure_ascii=False) for value in outcome.result.values())
    for receipt in harness.devices.printed:
        yield receipt.title
        yield from (line.text for line in (*receipt.lines, *receipt.footer))
        yield from (f"{row.key} {row.value}" for row in receipt.rows)
        if receipt.qr is not None:
            yield from (receipt.qr.data, receipt.qr.description)
    yield from (repr(entry) for entry in harness.journal.entries)


def flow(placed: dict[str, str]) -> dict[str, Any]:
    """A flow reading an ID card and a phone number that puts `placed[where]` at each place."""
    return {
        "id": "placed",
        "title": {"zh_CN": "号码核对", "en": "Number check"},
        "needs": ["id_card", "printer"],
        "defaults": {"timeout": 30},
        "steps": [
            {"id": "consent", "kind": "consent", "purpose": text("核对号码")},
            {"id": "card", "kind": "read_id_card", "save_as": "resident"},
            {"id": "phone", "kind": "input", "input_type": "phone", "text": text("手机号")},
            {"id": "derive", "kind": "set", "values": {"printed": placed["receipt"]}},
            {
                "id": "info",
                "kind": "info",
                "title": text(placed["title"]),
                "text": text(placed["text"]),
                "voice": text(placed["voice"]),
                "help": text(placed["help"]),
            },
            {
                "id": "pick",
                "kind": "choose",
                "text": text("请选择"),
                "options": [{"value": "a", "label": text(placed["option"])}],
            },
            {
                "id": "review",
                "kind": "confirm",
                "text": text("请核对"),
                "rows": [{"label": text("号码"), "value": placed["row"]}],
            },
            {"id": "print", "kind": "print", "receipt": "printed"},
            {
                "id": "done",
                "kind": "finish",
                "text": text(placed["finish"]),
                "result": {"number": placed["result"]},
            },
        ],
    }


PLACES = ("title", "text", "voice", "help", "option", "row", "finish", "result", "receipt")
ANSWERS = {
    "consent": "yes",
    "phone": PHONE,
    "info": [{"event": "help"}, 1],
    "pick": "a",
    "review": "yes",
}


async def run(placed: dict[str, str], id_number: str = ID, phone: str = PHONE) -> list[str]:
    card = {"name": "林晓测", "id_number": id_number, "valid_to": "长期", "sex": "2"}
    harness = Harness(flow(placed), devices={"id_card": card, "printer": True})
    session = harness.session()
    renderer = Voiced({**ANSWERS, "phone": phone}, clock=harness.clock, session=session)
    outcome = await harness.engine.run("placed", session, renderer)
    assert outcome.status == "finished", outcome
    return list(outputs(renderer, outcome, harness))


async def test_the_issues_bypasses_are_masked_on_every_output_of_a_prompt() -> None:
    bypasses = [
        "{{ phone | digits }}",
        "{{ phone[:3] }}-{{ phone[3:7] }}-{{ phone[7:] }}",
        "{{ resident.id_number[:9] }} {{ resident.id_number[9:] }}",
        "{{ phone[:5] }} {{ phone[5:] }}",
    ]
    for template in bypasses:
        said = await run(dict.fromkeys(PLACES, template))
        for output in said:
            assert PHONE not in digits_only(output) and ID not in digits_only(output), output


async def test_a_name_read_from_a_card_is_masked_but_what_every_card_holds_is_not() -> None:
    placed = dict.fromkeys(PLACES, "{{ resident.name }} {{ resident.valid_to }}长期护理")
    # A value derived from personal ones is personal whole: keep this one out of the vault.
    placed["receipt"] = "{{ resident.name }}"
    said = await run(placed)
    assert all("林晓测" not in output for output in said)
    assert any("林** 长期长期护理" in output for output in said)


async def test_a_sub_flows_result_keeps_its_personal_values_in_the_callers_vault() -> None:
    main = {
        "id": "main",
        "title": text("主流程"),
        "defaults": {"timeout": 30},
        "steps": [
            {"id": "ask", "kind": "call", "flow": "contact", "save_as": "contact"},
            {"id": "done", "kind": "finish", "text": text("{{ contact.phone | digits }}")},
        ],
    }
    contact = {
        "id": "contact",
        "title": text("联系方式"),
        "defaults": {"timeout": 30},
        "steps": [
            {"id": "phone", "kind": "input", "input_type": "phone", "text": text("手机号")},
            {"id": "back", "kind": "finish", "result": {"phone": "{{ phone }}"}},
        ],
    }
    harness = Harness(main, contact)
    outcome, renderer, _ = await harness.run({"phone": PHONE}, flow_id="main")
    assert outcome.status == "finished"
    done = renderer.transcript[-1].prompt
    assert PHONE not in digits_only(spoken(done)) and PHONE not in digits_only(done.text)


async def test_only_the_personal_fields_of_a_back_office_reply_are_masked() -> None:
    flow = {
        "id": "lookup",
        "title": text("查询"),
        "defaults": {"timeout": 30},
        "steps": [
            {
                "id": "fetch",
                "kind": "http",
                "backend": "office",
                "request": {"path": "/who"},
                "personal_fields": ["holder"],
                "save_as": "reply",
            },
            {
                "id": "done",
                "kind": "finish",
                "text": text("{{ reply.holder }}，{{ reply.status }}"),
            },
        ],
    }
    harness = Harness(flow)
    harness.backends.replies["/who"] = {"holder": "王测试", "status": "办理中"}
    outcome, renderer, _ = await harness.run({})
    assert outcome.status == "finished"
    assert renderer.transcript[-1].prompt.text == "王**，办理中"


# The property: random invented numbers, random formattings, every place -----------------------

SEPARATORS = st.sampled_from(["", " ", "-", ".", "·", "\u3000", "－", "/", ", ", " 和 ", "x"])
FULL_WIDTH = "".join(f" | replace('{d}', '{chr(0xFF10 + d)}')" for d in range(10))


@st.composite
def phones(draw: st.DrawFn) -> str:
    """An invented mainland mobile number."""
    return (
        "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    )


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    """An invented resident ID number with a valid check character (sometimes X)."""
    body = draw(st.text("0123456789", min_size=17, max_size=17))
    return body + check_character(body)


@st.composite
def formatting(draw: st.DrawFn, length: int) -> str:
    """A template writing `{{ V }}` split in random groups, separators and digit widths."""
    if draw(st.booleans()) and draw(st.booleans()):
        return "{{ V | digits }}"
    cuts = sorted(draw(st.sets(st.integers(1, length - 1), max_size=5)))
    bounds = [0, *cuts, length]
    pieces = []
    for start, end in itertools.pairwise(bounds):
        piece = f"V[{start}:{end}]"
        style = draw(st.sampled_from(["plain", "digits", "full-width"]))
        piece += {"plain": "", "digits": " | digits", "full-width": FULL_WIDTH}[style]
        pieces.append("{{ " + piece + " }}")
    separator = draw(SEPARATORS)
    return (
        draw(st.sampled_from(["", "号码"]))
        + separator.join(pieces)
        + draw(st.sampled_from(["", "。"]))
    )


@st.composite
def placements(draw: st.DrawFn) -> dict[str, str]:
    """For each place of the flow, the phone or the ID number in a random formatting."""
    placed = {}
    for place in PLACES:
        source, length = draw(st.sampled_from([("phone", 11), ("resident.id_number", 18)]))
        placed[place] = draw(formatting(length)).replace("V", f"({source})")
    return placed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(phone=phones(), id_number=id_numbers(), placed=placements())
def test_no_output_holds_a_full_personal_number_in_any_digits_only_normalisation(
    phone: str, id_number: str, placed: dict[str, str]
) -> None:
    said = asyncio.run(run(placed, id_number=id_number, phone=phone))
    full = (phone, digits_only(id_number))
    for output in said:
        digits = digits_only(output)
        assert not any(number in digits for number in full), output
