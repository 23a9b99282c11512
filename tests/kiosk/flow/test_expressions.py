"""Templates from untrusted flow files run sandboxed and fail cleanly when hostile."""

from __future__ import annotations

import pytest

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
