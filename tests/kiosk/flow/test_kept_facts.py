"""Template facts kept between processes: the same facts without Jinja's parser, never stale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.flow import kept_facts, template_reading
from kiosk.flow.template_facts import facts

SOURCES = [
    ("{{ resident.id_number if resident is defined else typed[3:] }}", False),
    ("{{ cert.verify_code | default('') }}", False),
    ("{{ a | no_such_filter }}", False),
    ("matter is not defined or not matter", True),
]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(kept_facts.KEPT, "_written", 0)  # as a new process
    facts.cache_clear()
    yield tmp_path / "kiosk" / "template-facts"
    facts.cache_clear()


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(template_reading, "parsed", refuse)


def test_a_new_process_has_the_same_facts_without_parsing(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = [facts(source, expression) for source, expression in SOURCES]
    assert len(list(cache_home.iterdir())) == len(SOURCES)
    facts.cache_clear()  # as a new process
    _no_parsing(monkeypatch)
    assert [facts(source, expression) for source, expression in SOURCES] == first
    assert first[0].names == {"resident", "typed"} and "typed" in first[0].reshaped
    assert ("cert", "verify_code") in first[1].paths
    assert first[2].error == "template syntax: no filter named 'no_such_filter'"


def test_facts_of_other_readers_are_not_used(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, expression = SOURCES[0]
    facts(source, expression)
    facts.cache_clear()
    monkeypatch.setattr(kept_facts.KEPT, "fingerprint", lambda: "changed")
    parsed: list[str] = []
    parse = template_reading.parsed

    def counted(source: str, expression: bool) -> object:
        parsed.append(source)
        return parse(source, expression)

    monkeypatch.setattr(template_reading, "parsed", counted)
    facts(source, expression)
    assert parsed == [source]


def test_damaged_facts_are_read_again(cache_home: Path) -> None:
    source, expression = SOURCES[1]
    first = facts(source, expression)
    (kept,) = cache_home.iterdir()
    kept.write_bytes(b"\x93\x01")  # an array of 3, one item: not facts
    facts.cache_clear()
    assert facts(source, expression) == first
