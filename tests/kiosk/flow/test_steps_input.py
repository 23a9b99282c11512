"""An `input` step's answers are checked by type, length, range and pattern (from the flow file)."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.flow.inputs import InputRules, validate
from kiosk.flow.schema import InputStep, convert
from kiosk.flow.steps.input import rules
from tests.kiosk.flow.test_engine_fakes import invented_id, wrong_check

CODE = r"[A-Z]{2}\d+"


def step(**fields: Any) -> InputRules:
    """The input rules of a step written in a flow file with `fields`."""
    return rules(convert({"id": "x", "kind": "input", **fields}, InputStep))


def test_id_numbers_need_the_gb_11643_check_character() -> None:
    good = invented_id(3)
    id_rules = step(input_type="id_number")
    assert validate(id_rules, good) == (None, good)
    assert validate(id_rules, "11010519491231002x") == (None, "11010519491231002X")
    assert validate(id_rules, wrong_check(good))[0] == "input.invalid_id_number"
    assert validate(id_rules, good[:17])[0] == "input.invalid_id_number"


@pytest.mark.parametrize(
    ("fields", "raw", "expected"),
    [
        ({"input_type": "phone"}, "139 1234 5678", (None, "13912345678")),
        ({"input_type": "phone"}, "23912345678", ("input.invalid_phone", "23912345678")),
        ({"input_type": "digits", "min_length": 6}, "12345", ("input.too_short", "12345")),
        ({"input_type": "digits"}, "12a", ("input.invalid_digits", "12a")),
        ({"input_type": "amount", "minimum": 1, "maximum": 500}, "12.5", (None, "12.50")),
        ({"input_type": "amount", "maximum": 500}, "500.01", ("input.amount_too_large", "500.01")),
        ({"input_type": "amount", "minimum": 1}, "0.99", ("input.amount_too_small", "0.99")),
        ({"input_type": "amount"}, "1.234", ("input.invalid_amount", "1.234")),
        ({"input_type": "text", "max_length": 3}, "abcd", ("input.too_long", "abcd")),
        ({"input_type": "text", "pattern": CODE}, "AB12", (None, "AB12")),
        (
            {"input_type": "text", "pattern": CODE},
            "ab12",
            ("input.invalid_format", "ab12"),
        ),
        ({"input_type": "text"}, "  ", ("input.empty", "")),
        ({"input_type": "text", "min_length": 0}, "", (None, "")),
        ({"input_type": "secret", "min_length": 6, "max_length": 6}, "123456", (None, "123456")),
    ],
)
def test_inputs_are_checked_by_type_and_rules(
    fields: dict[str, Any], raw: str, expected: tuple[str | None, str]
) -> None:
    assert validate(step(**fields), raw) == expected


def test_bounds_written_as_decimals_in_the_flow_file_are_exact_and_inclusive() -> None:
    # YAML reads 0.1 as a binary float; the step's bound is still exactly one jiao.
    fare = step(input_type="amount", minimum=0.1, maximum=0.3)
    assert validate(fare, "0.1") == (None, "0.10")
    assert validate(fare, "0.3") == (None, "0.30")
    assert validate(fare, "0.09")[0] == "input.amount_too_small"
