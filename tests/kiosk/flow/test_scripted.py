"""The scripted renderer: answers, events, and clear errors instead of hangs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.flow.scripted import ScriptError, load_script
from tests.kiosk.flow.test_engine_fakes import Harness

FLOW = """
id: two
title: {zh_CN: 两步, en: Two}
defaults: {timeout: 30}
steps:
  - {id: first, kind: info, text: {zh_CN: 一, en: one}}
  - {id: second, kind: input, input_type: text, text: {zh_CN: 二, en: two}}
"""


async def test_a_prompt_without_an_answer_is_an_error_naming_the_step() -> None:
    with pytest.raises(ScriptError, match="no answer for step 'second' of flow 'two'"):
        await Harness(FLOW).run({"first": 1})


async def test_running_out_of_per_visit_answers_is_an_error() -> None:
    with pytest.raises(ScriptError, match=r"no answer left for step 'first'.*visit 2"):
        await Harness(FLOW).run({"first": [1], "second": {"event": "back"}})


def test_answers_files_are_checked_when_loaded(tmp_path: Path) -> None:
    path = tmp_path / "a.answers.yaml"
    path.write_text("answers:\n  first: {event: explode}\n", encoding="utf-8")
    with pytest.raises(ScriptError, match="an event is one of back, cancel, help, timeout"):
        load_script(path)
    path.write_text("answers: {first: 1}\nlanguage: fr\n", encoding="utf-8")
    with pytest.raises(ScriptError, match="unknown language 'fr'"):
        load_script(path)
    path.write_text("answer: {first: 1}\n", encoding="utf-8")
    with pytest.raises(ScriptError, match="unknown section 'answer'"):
        load_script(path)
    path.write_text("answers: [1\n", encoding="utf-8")
    with pytest.raises(ScriptError, match=r"a\.answers\.yaml:2:1: YAML syntax"):
        load_script(path)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"answers: {first: \xff\xfe}\n", "not UTF-8"),
        (b"answers: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested"),
        (b"answers:\n  first: {event: [1]}\n", "an event is one of"),
        (b"answers: {first: 1}\ndevices: [1, 2]\n", "devices"),
        (b"answers: {first: 1}\ndevices: {id_card: {1: [2]}}\n", ""),
        (b"answers: {first: !!python/object:os.system x}\n", "tag"),
        (b"answers: 7\n", "answers"),
        (b"\x00\x00", ""),
    ],
)
def test_hostile_answers_files_are_one_line_errors(
    tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / "a.answers.yaml"
    path.write_bytes(content)
    try:
        load_script(path)
    except ScriptError as exc:
        assert says in str(exc) and "\n" not in str(exc)


def test_an_answers_file_that_never_ends_is_refused() -> None:
    with pytest.raises(ScriptError, match="not a regular file"):
        load_script(Path("/dev/zero"))


async def test_the_transcript_masks_personal_answers() -> None:
    flow = FLOW.replace("input_type: text", "input_type: phone")
    _, renderer, _ = await Harness(flow).run({"first": 1, "second": "13912345678"})
    assert [e.shown_answer for e in renderer.transcript] == [1, "139****5678"]


async def test_an_answer_that_goes_back_for_ever_is_an_error_not_a_loop() -> None:
    with pytest.raises(ScriptError, match="goes round in a loop"):
        await Harness(FLOW).run({"first": 1, "second": {"event": "back"}})
