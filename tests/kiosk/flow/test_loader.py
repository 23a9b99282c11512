"""Loading flow files: valid ones become `Flow`s, every error points at file:line:column."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kiosk.flow.loader import (
    FlowLoadError,
    FlowLoadErrors,
    SourceLocation,
    load_flow,
    load_flows,
)

GOOD = """\
id: si-certificate
title: {zh_CN: 社保参保证明, en: Social insurance certificate}
defaults: {timeout: 60}
steps:
  - id: pick
    kind: choose
    text: {zh_CN: 请选择, en: Choose}
    options:
      - {value: a, label: {zh_CN: 甲, en: A}}
    next:
      - {to: done, when: "pick == 'a'"}
      - to: $cancel
  - id: pay
    kind: info
    text: {zh_CN: "金额{{ pick }}", en: "Amount {{ pick }}"}
    next: done
  - id: done
    kind: finish
    text: {zh_CN: 完成, en: Done}
"""


def _write(tmp_path: Path, text: str, name: str = "flow.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> FlowLoadError:
    with pytest.raises(FlowLoadError) as caught:
        load_flow(_write(tmp_path, text))
    return caught.value


def test_a_valid_flow_loads_with_locations(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    loaded = load_flow(path)
    assert loaded.flow.id == "si-certificate"
    assert [s.id for s in loaded.flow.steps] == ["pick", "pay", "done"]
    assert loaded.step_location("pay") == SourceLocation(str(path), 13, 5)
    assert loaded.where("steps", 1, "next") == SourceLocation(str(path), 16, 5)
    assert loaded.value_where("steps", 1, "next") == SourceLocation(str(path), 16, 11)
    # columns count characters, not UTF-8 bytes
    assert loaded.where("title", "en") == SourceLocation(str(path), 2, 24)
    # unknown parts fall back to the nearest known parent
    assert loaded.where("steps", 1, "no_such_key", 3) == loaded.step_location("pay")


def test_unknown_step_target_points_at_the_target(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("next: done", "next: dnoe"))
    assert error.code == "unknown-step"
    assert str(error).endswith(
        "flow.yaml:16:11: step 'pay' goes to unknown step 'dnoe' (did you mean 'done'?)"
    )


def test_unknown_target_inside_transitions(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("{to: done, when", "{to: nowhere, when"))
    assert (error.location.line, error.location.column) == (11, 14)
    assert "step 'pick' goes to unknown step 'nowhere'" in error.message


def test_unknown_key_is_named_with_a_suggestion(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("    next: done", "    tmeout: 5"))
    assert (error.location.line, error.location.column) == (16, 5)
    assert error.message == "step 'pay': unknown key 'tmeout' (did you mean 'timeout'?)"


def test_bad_kind_lists_the_kinds(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("kind: choose", "kind: chose"))
    assert (error.location.line, error.location.column) == (6, 5)
    assert error.message.startswith("step 'pick': kind 'chose' is not one of info, choose,")
    assert "(did you mean 'choose'?)" in error.message


def test_missing_key_points_at_the_step(tmp_path: Path) -> None:
    error = _error(
        tmp_path,
        GOOD.replace("      - {value: a, label: {zh_CN: 甲, en: A}}", "      - {value: a}"),
    )
    assert (error.location.line, error.location.column) == (9, 9)
    assert error.message == "step 'pick': missing key 'label'"


def test_yes_as_a_value_gets_a_quoting_hint(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("{value: a,", "{value: yes,"))
    assert "put the text in quotes" in error.message
    assert error.location.line == 9


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("    kind: info", "    kind: info: bad"))
    assert error.code == "yaml-syntax" and error.unreadable
    assert (error.location.line, error.location.column) == (14, 15)
    assert error.message.startswith("YAML syntax:")


def test_template_syntax_error_points_at_the_text(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace('"金额{{ pick }}"', '"金额{{ pick }"'))
    assert error.code == "template-syntax"
    assert (error.location.line, error.location.column) == (15, 19)
    assert error.message.startswith("step 'pay': text.zh_CN: template syntax:")


def test_expression_errors_and_unknown_filters_are_caught(tmp_path: Path) -> None:
    text = GOOD.replace("when: \"pick == 'a'\"", 'when: "pick =="').replace(
        '{{ pick }}", en', '{{ pick | no_such_filter }}", en'
    )
    with pytest.raises(FlowLoadErrors) as caught:
        load_flow(_write(tmp_path, text))
    assert [(e.code, e.location.line) for e in caught.value.errors] == [
        ("template-syntax", 11),
        ("template-syntax", 15),
    ]
    assert "no filter named 'no_such_filter'" in caught.value.errors[1].message


def test_a_bare_condition_with_an_unknown_filter_is_caught(tmp_path: Path) -> None:
    text = GOOD.replace("when: \"pick == 'a'\"", 'when: "pick | no_such_filter"')
    error = _error(tmp_path, text)
    assert (error.code, error.location.line) == ("template-syntax", 11)
    assert "no filter named 'no_such_filter'" in error.message


def test_the_parts_are_the_templates_and_conditions_with_what_they_read(tmp_path: Path) -> None:
    loaded = load_flow(_write(tmp_path, GOOD))
    parts = loaded.parts
    # plain texts (no `{`) are texts but not templates: nothing in them to check or read
    assert [(ref.loc, ref.expression, ref.after) for refs in parts.step_refs for ref in refs] == [
        (("steps", 0, "next", 0, "when"), True, True),
        (("steps", 1, "text", "zh_CN"), False, False),
        (("steps", 1, "text", "en"), False, False),
    ]
    assert [ref.facts.names for ref in parts.step_refs[1]] == [{"pick"}, {"pick"}]
    assert not parts.flow_refs
    assert ("steps", 2, "text") in [loc for loc, _ in parts.texts]


def test_duplicate_step_id_points_at_the_second(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("id: pay", "id: pick"))
    assert error.code == "duplicate-step"
    assert (error.location.line, error.location.column) == (13, 9)
    assert error.message == "step id 'pick' is used twice (first at line 5)"


def test_duplicate_yaml_key_is_an_error(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("    next: done", "    next: done\n    next: pick"))
    assert error.code == "duplicate-key"
    assert (error.location.line, error.location.column) == (17, 5)


def test_bad_regular_expression_is_caught(tmp_path: Path) -> None:
    text = GOOD.replace(
        "    next: done\n",
        "    next: done\n  - id: code\n    kind: input\n"
        "    input_type: digits\n    pattern: '[0-9'\n",
    )
    error = _error(tmp_path, text)
    assert (error.code, error.location.line) == ("bad-pattern", 20)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "not-a-flow"),
        ("- just\n- a list\n", "not-a-flow"),
        ("a: [1, 2\n", "yaml-syntax"),
        ("id: x\n---\nid: y\n", "yaml-syntax"),
        ("id: !!python/object:os.system x\n", "yaml-syntax"),
    ],
)
def test_unreadable_input_is_marked_unreadable(tmp_path: Path, text: str, code: str) -> None:
    error = _error(tmp_path, text)
    assert (error.code, error.unreadable) == (code, True)


@pytest.mark.parametrize(
    "scalar", ["!!bool maybe", "!!timestamp hello", "!!int x1", "!!float ..", "!!binary ==="]
)
def test_a_bad_tagged_scalar_is_an_error_at_its_place_not_a_crash(
    tmp_path: Path, scalar: str
) -> None:
    error = _error(tmp_path, f"id: x\nversion: {scalar}\nsteps: []\n")
    assert (error.code, error.location.line) == ("yaml-syntax", 2)


def test_one_broken_flow_is_skipped_and_the_others_load(tmp_path: Path) -> None:
    _write(tmp_path, GOOD, "good.yaml")
    _write(tmp_path, "id: broken\nversion: !!bool maybe\nsteps: []\n", "broken.yaml")
    flows = load_flows([tmp_path])
    assert list(flows.loaded) == [load_flow(tmp_path / "good.yaml").flow.id]
    assert [e.location.path for e in flows.errors] == [str(tmp_path / "broken.yaml")]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FlowLoadError) as caught:
        load_flow(tmp_path / "nope.yaml")
    assert caught.value.unreadable and "no such file" in str(caught.value)


def test_hostile_deep_nesting_fails_cleanly(tmp_path: Path) -> None:
    # libyaml's own composer would crash the interpreter on this
    error = _error(tmp_path, "id: x\nsteps: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert error.code == "too-deep"
    assert error.location.line == 2


def test_hostile_alias_bomb_fails_cleanly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    error = _error(tmp_path, "\n".join(lines) + "\nid: x\nsteps: *a8\n")
    assert error.code == "too-large"


def test_hostile_huge_file_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("id: x\n# " + "x" * 2_000_000 + "\n", encoding="utf-8")
    with pytest.raises(FlowLoadError) as caught:
        load_flow(path)
    assert caught.value.code == "too-large" and caught.value.unreadable


def test_deeply_nested_template_fails_cleanly(tmp_path: Path) -> None:
    deep = "(" * 1300 + "pick" + ")" * 1300
    error = _error(tmp_path, GOOD.replace('{{ pick }}", en', "{{ " + deep + ' }}", en'))
    assert error.code == "template-syntax" and "nested too deeply" in error.message


def test_load_flows_collects_errors_and_skips_receipts_and_answers(tmp_path: Path) -> None:
    _write(tmp_path, GOOD, "a.yaml")
    _write(
        tmp_path, GOOD.replace("si-certificate", "other").replace("next: done", "next: x"), "b.yml"
    )
    _write(tmp_path, "not: [valid", "c.yaml")
    _write(tmp_path, GOOD, "a.answers.yaml")
    (tmp_path / "receipts").mkdir()
    _write(tmp_path, "not a flow", "receipts/r.yaml")
    (tmp_path / "sub").mkdir()
    _write(tmp_path, GOOD.replace("si-certificate", "nested"), "sub/n.yaml")
    flowset = load_flows([tmp_path])
    assert sorted(flowset.flows) == ["nested", "si-certificate"]
    assert flowset.flow("nested").id == "nested"
    with pytest.raises(KeyError):
        flowset.flow("other")
    assert [(Path(e.location.path).name, e.code) for e in flowset.errors] == [
        ("b.yml", "unknown-step"),
        ("c.yaml", "yaml-syntax"),
    ]
    assert flowset.unreadable


def test_duplicate_flow_ids_and_unknown_calls(tmp_path: Path) -> None:
    first = _write(tmp_path, GOOD, "a.yaml")
    _write(tmp_path, GOOD, "b.yaml")
    calling = GOOD.replace("si-certificate", "caller").replace(
        "  - id: done\n", "  - id: sub\n    kind: call\n    flow: missing-flow\n  - id: done\n"
    )
    _write(tmp_path, calling, "c.yaml")
    flowset = load_flows([tmp_path])
    assert [(Path(e.location.path).name, e.code, e.location.line) for e in flowset.errors] == [
        ("b.yaml", "duplicate-flow", 1),
        ("c.yaml", "unknown-flow", 19),
    ]
    assert f"already used by {first}" in flowset.errors[0].message
    assert flowset.flow("si-certificate").id == "si-certificate"


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{{ 'a' | center(10**9) }}", "given to 'center'"),
        ("{{ 'a' * 1000000000 }}", "in '*'"),
        ("{{ 2 ** 100 }}", "exponent 100"),
        ("{{ '%1000000000d' % 1 }}", "wider than"),
        ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "calls itself"),
        ("{{ 1e999 }}", "cannot be used"),
    ],
)
def test_flows_check_flags_templates_certain_to_exceed_their_budget(
    tmp_path: Path, template: str, says: str
) -> None:
    error = _error(tmp_path, GOOD.replace("{{ pick }}", template, 1))
    assert (
        error.code == "template-syntax" and "too costly" in error.message and says in error.message
    )


def test_an_infinite_timeout_is_refused(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("id: pick\n", "id: pick\n    timeout: .inf\n", 1))
    assert error.code == "schema" and "timeout" in error.message


def test_several_schema_errors_are_all_reported_in_the_loaders_words(tmp_path: Path) -> None:
    """msgspec stops at the first problem; the pydantic models read the flow again for all."""
    text = GOOD.replace("id: pick\n", "id: pick\n    tmeout: 3\n", 1).replace(
        "kind: info\n", "kind: info\n    page_chars: 5\n", 1
    )
    with pytest.raises(FlowLoadErrors) as caught:
        load_flow(_write(tmp_path, text))
    messages = [error.message for error in caught.value.errors]
    assert messages[0] == "step 'pick': unknown key 'tmeout' (did you mean 'timeout'?)"
    assert messages[1].startswith("step 'pay': page_chars: Input should be greater than or equal")


def test_a_value_only_pydantic_would_coerce_is_still_an_error(tmp_path: Path) -> None:
    """`version: true` was read as 1 by pydantic; msgspec refuses it, and says so."""
    error = _error(tmp_path, "version: true\n" + GOOD)
    assert error.code == "schema" and error.location.line == 1
    assert error.message == "flow: version: Expected `int`, got `bool`"
