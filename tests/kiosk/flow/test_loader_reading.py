"""How the loader reads the schema and the files: the same answers as msgspec, each file once."""

from __future__ import annotations

import shutil
import typing
from pathlib import Path

import msgspec
import pytest

from kiosk.flow import loader, receipt_schema, schema
from kiosk.flow.loader import FileResults, load_flow, load_flows
from kiosk.flow.steps import MODULES, executor

FLOWS = Path(__file__).resolve().parents[3] / "flows"


def _structs() -> list[type[msgspec.Struct]]:
    found = []
    for module in (schema, receipt_schema):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, msgspec.Struct):
                found.append(value)
    return found


@pytest.mark.parametrize("model", _structs(), ids=lambda model: model.__name__)
def test_field_types_are_msgspecs(model: type[msgspec.Struct]) -> None:
    """The annotations read as written are the types msgspec evaluates, field for field."""
    assert loader.field_types(model) == {
        info.name: info.type for info in msgspec.structs.fields(model)
    }


def test_a_file_read_once_is_not_read_again(tmp_path: Path) -> None:
    shutil.copy(FLOWS / "si-certificate.yaml", tmp_path)
    shutil.copy(FLOWS / "queue-ticket.yaml", tmp_path)
    read: FileResults = {}
    main = load_flow(tmp_path / "si-certificate.yaml", read)
    (tmp_path / "si-certificate.yaml").unlink()  # gone: only what was read can answer now
    flowset = load_flows([tmp_path / "si-certificate.yaml", tmp_path / "queue-ticket.yaml"], read)
    assert flowset.flow("si-certificate") is main.flow
    assert set(flowset.flows) == {"si-certificate", "queue-ticket"}
    assert not flowset.errors


def test_every_step_kind_has_its_executor() -> None:
    """Each kind of the schema names the module of its executor, which says it is that kind."""
    kinds = {str(model.__struct_config__.tag) for model in typing.get_args(schema.Step)}
    assert kinds == set(MODULES)
    for kind in kinds:
        assert callable(executor(kind))
        module = __import__(MODULES[kind], fromlist=["KIND"])
        assert module.KIND == kind
