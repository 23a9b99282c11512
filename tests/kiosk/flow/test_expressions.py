"""Templates from untrusted flow files run sandboxed and fail cleanly when hostile."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.flow.expressions import (
    ExpressionError,
    evaluate,
    referenced_names,
    render,
    render_value,
    syntax_error,
)

VARS = {"resident": {"name": "王小明", "id_number": "11010519900307101X"}, "cert": {"pages": 2}}


def test_templates_render_with_masking_filters() -> None:
    text = render("将为{{ resident.name | mask_name }}打印{{ cert.pages }}页", VARS)
    assert text == "将为王**打印2页"
    assert render("{{ resident.id_number | mask_id }}", VARS) == "110***********101X"


def test_conditions_evaluate_to_python_values() -> None:
    assert evaluate("cert.pages > 1 and resident.name", VARS) == "王小明"
    assert evaluate("cert.pages == 3", VARS) is False


def test_a_lone_expression_keeps_its_type() -> None:
    assert render_value({"n": "{{ cert.pages }}", "s": "p{{ cert.pages }}"}, VARS) == {
        "n": 2,
        "s": "p2",
    }


@pytest.mark.parametrize(
    "hostile",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ resident.__class__.__init__.__globals__ }}",
        "{{ cert.pages.__class__ }}",
        "{{ resident.update({'name': 'x'}) }}",
        "{{ 'A' * 1000000000 }}",
        "{{ range(999999999) | list }}",
        "{{ 9 ** 999999 }}",
        "{{ self._TemplateReference__context }}",
        "{{ config }}{{ request }}{{ lipsum }}{{ cycler }}",
        "{% for a in range(10000) %}{% for b in range(10000) %}x{% endfor %}{% endfor %}",
    ],
)
def test_hostile_templates_fail_cleanly(hostile: str) -> None:
    with pytest.raises(ExpressionError):
        render(hostile, VARS)
    assert VARS["resident"]["name"] == "王小明"


def test_syntax_errors_are_reported_not_raised() -> None:
    assert syntax_error("{{ cert.pages ") is not None
    assert syntax_error("cert.pages >", expression=True) is not None
    assert syntax_error("{{ cert.pages }}") is None


def test_referenced_names_lists_top_level_variables() -> None:
    assert referenced_names("{{ cert.pages }} {{ who | mask_name }}") == {"cert", "who"}


def test_an_undefined_name_in_a_condition_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError, match="undefined"):
        evaluate("nobody_set_this", VARS)
    with pytest.raises(ExpressionError):
        bool(evaluate("cert.missing or nobody", VARS))


def test_deep_nesting_is_a_syntax_error_not_a_crash() -> None:
    deep = "(" * 1300 + "1" + ")" * 1300
    assert syntax_error(deep, expression=True) is not None
    assert syntax_error("{{ " + deep + " }}") is not None


# Each of these built gigabytes or ran for tens of seconds before templates had a budget.
RESOURCE_ATTACKS = [
    "{{ 'a' | center(10**9) }}",
    "{{ 'a' | indent(10**9) }}",
    "{{ ('x\n' * 5000) | indent(5000) }}",
    "{{ '%1000000000d' % 1 }}",
    "{{ '%*d' % (1000000000, 1) }}",
    "{{ '%1000000000d' | format(1) }}",
    "{{ '{0:>1000000000}'.format(1) }}",
    "{{ '{0:{1}}'.format(1, 1000000000) }}",
    "{{ 'a'.ljust(1000000000) }}",
    "{{ 'a'.zfill(1000000000) }}",
    "{{ '\t'.expandtabs(1000000000) }}",
    "{{ ('\t' * 5000).expandtabs(5000) }}",
    "{{ ('x' * 5000) | replace('', 'yyyyyyyy') }}",
    "{{ ('x' * 5000).replace('x', 'yyyyyyyyyy') }}",
    "{{ range(5000) | join('x' * 5000) }}",
    "{{ ('x' * 5000).join(range(5000) | map('string')) }}",
    "{{ range(10) | slice(1000000000) | list }}",
    "{{ range(10) | batch(1000000000) | list }}",
    "{{ ([[1] * 1000] * 1000) | sum(start=[]) }}",
    "{% set a = 'x' * 5000 %}{% set b = a ~ a ~ a %}{{ b }}",
    "{% set a = 'x' * 5000 %}{{ a + a + a }}",
    "{{ (2 ** 64) ** 64 ** 64 }}",
    "{% set a = 2 ** 64 %}{% set b = a * a %}{% set c = b * b %}{% set d = c * c %}"
    "{% set e = d * d %}{% set f = e * e %}{% set g = f * f %}{{ g * g }}",
    "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
    "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
]


@pytest.mark.parametrize("attack", RESOURCE_ATTACKS)
def test_a_template_that_would_exhaust_memory_or_time_is_stopped(attack: str) -> None:
    import resource
    import time

    started = time.monotonic()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ExpressionError):
        render(attack, VARS)
    assert time.monotonic() - started < 3, "stopped, but only after seconds"
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown_kib < 200_000, f"stopped, but only after {grown_kib} KiB"


def test_ordinary_templates_still_render_within_the_budget() -> None:
    text = render(
        "{% for row in rows %}{{ loop.index }}. {{ row.name | mask_name }} "
        "{{ '%.2f' % row.amount }} {{ '{:>6}'.format(row.code) }}\n{% endfor %}",
        {"rows": [{"name": "王小明", "amount": 12.5, "code": "A1"}] * 200},
    )
    assert text.count("\n") == 200 and "1. 王** 12.50     A1" in text
    assert render("{{ ('路灯' ~ '坏了') | center(12) }}", {}) == "    路灯坏了    "
    assert render("{{ 'a,b' | replace(',', '、') }}{{ [1, 2] | join('/') }}", {}) == "a、b1/2"


_PIECES = [
    "{{ ",
    " }}",
    "{% ",
    " %}",
    "for x in range(",
    ")",
    "endfor",
    "'ab'",
    "' %'",
    " * ",
    " ~ ",
    " + ",
    " % ",
    " ** ",
    "|center(",
    "|indent(",
    "|join(",
    "|replace(",
    "|list",
    "|sum",
    "|format(",
    ".ljust(",
    ".format(",
    ".join(",
    "10**9",
    "9999",
    "64",
    "2",
    "x",
    "a",
    ",",
    "set a = ",
    "macro f(n)",
    "endmacro",
    "f(a)",
    "if a",
    "endif",
    "'{0:>99}'",
    "[a, a]",
    "'%99d'",
    "loop.index",
    "resident.name",
    "cert.pages",
]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30))
def test_any_template_renders_bounded_or_fails_cleanly(pieces: list[str]) -> None:
    import time

    source = "".join(pieces)
    started = time.monotonic()
    try:
        text = render(source, VARS)
    except ExpressionError:
        pass
    else:
        assert len(text) <= 20000
    assert time.monotonic() - started < 3, source


def test_an_infinite_number_is_an_expression_error_the_flow_can_handle() -> None:
    with pytest.raises(ExpressionError):
        render("{{ 1e999 * 2 }}", VARS)
    assert syntax_error("{{ 1e999 * 2 }}") is None  # it compiles; `flows check` reports it
