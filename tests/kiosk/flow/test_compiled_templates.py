"""Compiled templates kept between processes: the same results, the sandbox as strict."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.flow import compiled_templates, expressions
from kiosk.flow.expressions import ExpressionError, evaluate, render, render_value


def _new_process() -> None:
    """Forget what this process compiled, as a new process would not have it."""
    expressions._template.cache_clear()
    expressions._expression.cache_clear()
    compiled_templates._cache.cache_clear()


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _new_process()
    yield tmp_path
    _new_process()


def _no_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(type(expressions.environment()), "compile", refuse)


VARIABLES = {"cert": {"pages": 2, "months": 70}, "choose": "personal", "id": "110105198503122317"}
TEMPLATES = [
    "共{{ cert.pages }}页，累计缴费{{ cert.months }}个月",
    "{{ '个人参保证明' if choose == 'personal' else '缴费明细' }}",
    "{{ id | mask_id }}",
    "{% for i in range(3) %}{{ i }}{% endfor %}",
]


def test_a_new_process_reads_the_same_results_without_compiling(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = [render(source, VARIABLES) for source in TEMPLATES]
    condition = evaluate("choose == 'personal'", VARIABLES)
    typed = render_value("{{ cert.pages + 1 }}", VARIABLES)
    assert list((cache_home / "kiosk" / "templates").iterdir())
    _new_process()
    _no_compiling(monkeypatch)
    assert [render(source, VARIABLES) for source in TEMPLATES] == first
    assert first[0] == "共2页，累计缴费70个月"
    assert first[2] == "110***********2317"
    assert evaluate("choose == 'personal'", VARIABLES) is condition is True
    assert render_value("{{ cert.pages + 1 }}", VARIABLES) == typed == 3


def test_the_sandbox_refuses_the_same_from_the_cache(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = ["{{ choose.__class__.__mro__ }}", "{{ 'a' * 100000000 }}"]
    refusals = []
    for source in sources:
        with pytest.raises(ExpressionError) as refused:
            render(source, VARIABLES)
        refusals.append(str(refused.value))
    _new_process()
    _no_compiling(monkeypatch)
    for source, refusal in zip(sources, refusals, strict=True):
        with pytest.raises(ExpressionError) as refused:
            render(source, VARIABLES)
        assert str(refused.value) == refusal


def test_a_source_that_does_not_compile_is_not_kept(cache_home: Path) -> None:
    for _ in range(2):
        with pytest.raises(ExpressionError, match="syntax"):
            render("{{ cert.pages ", VARIABLES)
        with pytest.raises(ExpressionError, match="syntax"):
            evaluate("choose == ", VARIABLES)
        _new_process()
    assert not list((cache_home / "kiosk" / "templates").iterdir())


def test_templates_render_when_the_cache_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    _new_process()
    try:
        assert render(TEMPLATES[0], VARIABLES) == "共2页，累计缴费70个月"
        assert evaluate("cert.months > 60", VARIABLES) is True
    finally:
        _new_process()


def test_code_made_by_other_modules_is_not_used(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert render(TEMPLATES[0], VARIABLES) == "共2页，累计缴费70个月"
    kept = {path.name for path in (cache_home / "kiosk" / "templates").iterdir()}
    _new_process()
    monkeypatch.setattr(compiled_templates, "_fingerprint", lambda: "changed")
    assert render(TEMPLATES[0], VARIABLES) == "共2页，累计缴费70个月"
    now = {path.name for path in (cache_home / "kiosk" / "templates").iterdir()}
    assert len(now - kept) == 1
    assert all(name.startswith("changed-") for name in now - kept)
