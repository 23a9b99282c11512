"""The published JSON Schema agrees with the loader, checked by an independent validator."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kiosk.flow.loader import DEFAULT_FLOWS_DIR, flow_files
from kiosk.flow.schema import json_schema

VALID: dict[str, Any] = {
    "id": "si-certificate",
    "version": 3,
    "title": {"zh_CN": "社保参保证明打印", "en": "Social insurance certificate"},
    "needs": ["id_card", "printer"],
    "steps": [
        {"id": "consent", "kind": "consent", "purpose": {"zh_CN": "读取身份证", "en": "Read"}},
        {
            "id": "identify",
            "kind": "read_id_card",
            "fields": ["id_number"],
            "save_as": "resident",
            "timeout": 30,
        },
        {
            "id": "fetch",
            "kind": "http",
            "backend": "social_insurance",
            "request": {"method": "POST", "path": "/c", "json": {"id": "{{ resident.id_number }}"}},
            "on_error": "$cancel",
        },
        {"id": "sub", "kind": "call", "flow": "other", "with": {"who": "{{ resident.name }}"}},
        {"id": "done", "kind": "finish", "next": [{"to": "$end", "when": "true"}]},
    ],
}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_declares_draft_2020_12() -> None:
    assert json_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_a_valid_flow_passes(validator: jsonschema.Draft202012Validator) -> None:
    assert list(validator.iter_errors(VALID)) == []


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda f: f["steps"][0].update(tmeout=3), "tmeout"),
        (lambda f: f["steps"][1].update(kind="chose"), "kind"),
        (lambda f: f["steps"][2].update(on_error="Bad Target"), "Bad Target"),
        pytest.param(lambda f: f.update(title={"fr": "x"}), "fr"),
        (lambda f: f.pop("steps"), "steps"),
    ],
)
def test_an_invalid_flow_is_rejected(
    validator: jsonschema.Draft202012Validator, change: Any, where: str
) -> None:
    flow = copy.deepcopy(VALID)
    change(flow)
    errors = list(validator.iter_errors(flow))
    assert errors
    assert any(where in str(e.message) or where in str(list(e.absolute_path)) for e in errors)


SHIPPED = sorted(flow_files([DEFAULT_FLOWS_DIR])) if DEFAULT_FLOWS_DIR.is_dir() else []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_flows_validate(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    # the loader's parser (libyaml), which is what kiosks run
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    assert [e.message for e in validator.iter_errors(data)] == []


def test_card_fields_a_flow_may_keep_are_fields_the_readers_give() -> None:
    import dataclasses
    import typing

    from kiosk.flow.schema import IdCardField, SmartCardField
    from peripherals.id_card.card import IdCard
    from peripherals.smart_card.base import SocialSecurityCard

    for declared, card in ((IdCardField, IdCard), (SmartCardField, SocialSecurityCard)):
        given = {f.name for f in dataclasses.fields(card)}
        assert set(typing.get_args(declared)) <= given, card.__name__
    # never the photo or the fingerprint
    assert not {"photo", "fingerprint"} & set(typing.get_args(IdCardField))
