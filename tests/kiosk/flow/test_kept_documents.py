"""Parsed YAML documents kept between processes: the same data and places, never a stale one."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from kiosk.flow import kept_documents, kept_files, yaml_events
from kiosk.flow.locations import Document, DocumentError, SourceLocation, read_document
from kiosk.flow.scripted import load_script

FLOW = """\
id: kept
title: {zh_CN: 保存, en: Kept}
steps:
  - id: ask
    kind: choose
    options:
      - {value: 1, label: {zh_CN: 一, en: One}}
      - {value: yes, label: {zh_CN: 是, en: "Yes"}}
    timeout: 1.5
    next: null
  - id: done
    kind: finish
"""


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(kept_documents.KEPT, "_written", 0)  # as a new process
    yield tmp_path / "kiosk" / "documents"


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(yaml_events, "parse", refuse)


def _places(document: Document) -> list[tuple[object, SourceLocation, SourceLocation]]:
    return [(loc, document.keys[loc], document.values[loc]) for loc in document.keys]


def test_a_document_read_again_is_the_same_without_parsing(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = read_document(FLOW, "flows/kept.yaml")
    assert len(list(cache_home.iterdir())) == 1
    _no_parsing(monkeypatch)
    again = read_document(FLOW, "other/kept.yaml")
    assert again.data == first.data
    options = again.data["steps"][0]["options"]
    assert [type(option["value"]) for option in options] == [int, bool]
    assert again.data["steps"][0]["timeout"] == 1.5 and again.data["steps"][0]["next"] is None
    assert [(loc, k.line, k.column, v.line, v.column) for loc, k, v in _places(again)] == [
        (loc, k.line, k.column, v.line, v.column) for loc, k, v in _places(first)
    ]
    assert again.keys[("steps", 0, "timeout")] == SourceLocation("other/kept.yaml", 9, 5)
    assert again.values[("steps", 0, "timeout")] == SourceLocation("other/kept.yaml", 9, 14)


def test_plain_values_and_keys_of_every_kind_come_back_as_they_were(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "1: one\nfalse: yes\n~: null\n2.5: [0x10, -.inf, '007', 1.0e+3]\n"
    first = read_document(text, "plain.yaml").data
    _no_parsing(monkeypatch)
    again = read_document(text, "plain.yaml").data
    assert (
        again
        == first
        == {1: "one", False: True, None: None, 2.5: [16, -float("inf"), "007", 1000.0]}
    )
    assert [type(key) for key in again] == [int, bool, type(None), float]
    assert [type(value) for value in again[2.5]] == [int, float, str, float]


def test_a_changed_text_is_parsed_afresh(cache_home: Path) -> None:
    read_document(FLOW, "kept.yaml")
    changed = read_document(FLOW.replace("timeout: 1.5", "timeout: 2"), "kept.yaml")
    assert changed.data["steps"][0]["timeout"] == 2
    assert len(list(cache_home.iterdir())) == 2


def test_what_another_reader_kept_is_not_used(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_document(FLOW, "kept.yaml")
    (first,) = cache_home.iterdir()
    monkeypatch.setattr(kept_documents.KEPT, "fingerprint", lambda: "changed")
    parsed: list[str] = []
    parse = yaml_events.parse

    def counted(text: str, path: str) -> object:
        parsed.append(path)
        return parse(text, path)

    monkeypatch.setattr(yaml_events, "parse", counted)
    assert read_document(FLOW, "kept.yaml").data["id"] == "kept"
    assert parsed == ["kept.yaml"]
    assert {p.name for p in cache_home.iterdir()} - {first.name} == {
        first.name.replace(first.name.split("-")[0], "changed")
    }


@pytest.mark.parametrize(
    "text",
    [
        "when: 2024-05-01\n",  # a date would come back a string
        "big: 123456789012345678901234567890\n",  # beyond 64 bits
        "a: &x [1, 2]\nb: *x\n",  # an alias is one object twice
    ],
)
def test_what_would_not_come_back_the_same_is_not_kept(cache_home: Path, text: str) -> None:
    first = read_document(text, "odd.yaml").data
    assert read_document(text, "odd.yaml").data == first
    assert not cache_home.exists() or not list(cache_home.iterdir())
    if "when" in text:
        assert first["when"] == datetime.date(2024, 5, 1)


def test_an_error_is_told_every_time(cache_home: Path) -> None:
    for _ in range(2):
        with pytest.raises(DocumentError) as raised:
            read_document("a: 1\na: 2\n", "dup.yaml")
        assert raised.value.code == "duplicate-key"
        assert raised.value.location == SourceLocation("dup.yaml", 2, 1)
    assert not cache_home.exists() or not list(cache_home.iterdir())


def test_a_damaged_file_is_parsed_again(cache_home: Path) -> None:
    read_document(FLOW, "kept.yaml")
    (kept,) = cache_home.iterdir()
    kept.write_bytes(b"\xc1 not msgpack")
    assert read_document(FLOW, "kept.yaml").data["id"] == "kept"


def test_a_kept_file_of_the_wrong_shape_is_parsed_again(cache_home: Path) -> None:
    first = read_document(FLOW, "kept.yaml")
    (kept,) = cache_home.iterdir()
    for wrong in (({"id": "wrong"}, [1]), ({"id": "wrong"}, ["a", "b"]), ["only the data"]):
        kept.write_bytes(msgspec.msgpack.encode(wrong))
        again = read_document(FLOW, "kept.yaml")
        assert again.data == first.data
        assert _places(again) == _places(first)


def test_documents_read_when_the_cache_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert read_document(FLOW, "kept.yaml").data["id"] == "kept"
    assert read_document(FLOW, "kept.yaml").data["id"] == "kept"


def test_a_process_keeps_at_most_its_share_of_new_documents(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kept_files, "WRITES", 2)
    texts = [FLOW.replace("id: kept", f"id: kept-{n}") for n in range(4)]
    assert [read_document(text, "many.yaml").data["id"] for text in texts] == [
        "kept-0",
        "kept-1",
        "kept-2",
        "kept-3",
    ]
    assert len(list(cache_home.iterdir())) == 2


def test_an_answers_file_is_never_kept(cache_home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "mine.answers.yaml"
    answers.write_text('answers:\n  id_number: "110105198503122317"\n', encoding="utf-8")
    for _ in range(2):
        assert load_script(answers).answers == {"id_number": "110105198503122317"}
    assert not cache_home.exists() or not list(cache_home.iterdir())
