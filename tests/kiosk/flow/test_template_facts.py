"""The one-parse template facts agree with Jinja's reading, on every template there is."""

from __future__ import annotations

import pytest

from kiosk.flow import expressions, sandbox_names, template_facts
from kiosk.flow.expressions import referenced_paths, reformatted, syntax_error
from kiosk.flow.loader import DEFAULT_FLOWS_DIR, load_flows
from kiosk.flow.template_facts import facts

TRICKY = [
    ("{{ resident.name | mask_name }}（12）", False),
    ("{{ a.b.c }} and {{ d | upper }} {{ e[0] }}", False),
    ("{{ true }} {{ none }} {{ x.if }}", False),
    ("{{a}}{{b|money}}", False),
    ("{{ a | no_such_filter }}", False),
    ("{{ a }", False),
    ("{{ a }}}", False),
    ("{% for x in items %}{{ x.name }}{% endfor %}", False),
    ("{{ 'a' * 99999999 }}", False),
    ("{# note #}{{ a }}", False),
    ("{{- a -}}", False),
    ("plain text, no template", False),
    ("pick_3 == 'v0-12'", True),
    ('error.key != "backend.not_found"', True),
    ("a == 007", True),
    ("a == '%s%s'", True),
    ("a == 'x' and b", True),
    ("not == 1", True),
    ("flag", True),  # a condition that is one node: the node itself is read
    ("card.field", True),
    ("x | upper", True),
    ("x | no_such_filter", True),
    ("x[0]", True),
    ("a }} {{ b", True),
    ("a, b", True),
    ("true == 1", True),
    ("x.y == 12", True),
    ("{{ 3 + 17 }}", False),
    ("n = {{ a.b + 2 - c }} of {{ d }}", False),
    ("{{ a + -1 }}", False),
    ("{{ a+b.c-007 }}", False),
    ("{{ a + 'x' }}", False),
    ("{{ 1 + 2 | int }}", False),
    ("{{ a + none }}", False),
    ("{{ a.if + 1 }}", False),
    ("{{ 99999999999 + a }}", False),
]


def _shipped() -> list[tuple[str, bool]]:
    flowset = load_flows([DEFAULT_FLOWS_DIR])
    sources = []
    for loaded in flowset.lintable().values():
        for refs in (loaded.parts.flow_refs, *loaded.parts.step_refs):
            sources += [(ref.source, ref.expression) for ref in refs]
    assert len(sources) > 100
    return sources


@pytest.mark.parametrize("source, expression", TRICKY)
def test_the_quick_reading_agrees_with_jinja(source: str, expression: bool) -> None:
    template_facts.facts.cache_clear()
    quick = template_facts._quick(source, expression)
    slow = template_facts._parsed(source, expression)
    if quick is not None:
        assert quick == slow


def test_every_shipped_template_reads_the_same_both_ways() -> None:
    quick_ones = 0
    for source, expression in _shipped():
        if not expression and "{" not in source:
            continue
        quick = template_facts._quick(source, expression)
        if quick is not None:
            quick_ones += 1
            assert quick == template_facts._parsed(source, expression), source
    assert quick_ones > 20  # the quick reading is used, not only correct


@pytest.mark.parametrize("source, expression", [*TRICKY, *_shipped()[:200]])
def test_facts_say_what_the_separate_readings_say(source: str, expression: bool) -> None:
    found = facts(source, expression)
    assert (found.error is None) == (syntax_error(source, expression=expression) is None) or (
        "too costly" in (found.error or "")
    )
    assert found.paths == referenced_paths(source, expression=expression)
    names = {path[0] for path in found.paths}
    assert found.reshaped == reformatted(source, expression, names)


def test_the_filters_named_without_jinja_are_the_sandboxs() -> None:
    assert sandbox_names.FILTERS == frozenset(expressions.environment().filters)


def test_a_condition_of_one_name_or_path_reads_it() -> None:
    flag, path = facts("flag", True), facts("card.field", True)
    assert flag.names == {"flag"} and flag.error is None
    assert path.paths == {("card",), ("card", "field")}
    assert facts("x | no_such_filter", True).error == (
        "expression syntax: no filter named 'no_such_filter'"
    )
