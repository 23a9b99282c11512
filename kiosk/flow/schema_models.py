"""The flow structs (`kiosk.flow.schema`) as pydantic models: every problem of a wrong flow, and
the JSON Schema.

msgspec stops at the first problem and says it in its own words; these models, made from the
structs field by field (types, constraints, defaults, descriptions, the structs' own checks),
list every problem as the loader has always reported them. Building them costs about a tenth
of a second, paid only for data that does not fit and for `kiosk flows schema`.
"""

from __future__ import annotations

import functools
import re
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from kiosk.flow import schema
from kiosk.flow.languages import LANGUAGES

_CONSTRAINTS = ("gt", "ge", "lt", "le", "pattern", "min_length", "max_length", "description")


class Text(RootModel[dict[str, str]]):
    """A multilingual text: language code to a template string."""

    model_config = ConfigDict(
        json_schema_extra={"propertyNames": {"enum": list(LANGUAGES)}, "minProperties": 1}
    )

    @field_validator("root")
    @classmethod
    def _known_languages(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}; use one of {', '.join(LANGUAGES)}")
        if not value:
            raise ValueError("a text needs at least one language")
        return value


@functools.cache
def model(struct: type[msgspec.Struct]) -> type[BaseModel]:
    """The pydantic model of a struct of the flow schema (its nested structs too)."""
    if struct is schema.Text:
        return Text
    fields: dict[str, Any] = {}
    config = struct.__struct_config__
    if config.tag is not None:
        fields[str(config.tag_field)] = (Literal[config.tag], ...)
    for info in msgspec.structs.fields(struct):
        options: dict[str, Any] = {}
        if info.encode_name != info.name:
            options["alias"] = info.encode_name
        if info.default_factory is not msgspec.NODEFAULT:
            factory = info.default_factory
            is_struct = isinstance(factory, type) and issubclass(factory, msgspec.Struct)
            options["default_factory"] = model(factory) if is_struct else factory
        elif info.default is not msgspec.NODEFAULT:
            options["default"] = info.default
        fields[info.name] = (_annotation(info.type), Field(**options))
    validators: dict[str, Any] = {}
    check = getattr(struct, "__post_init__", None)
    if check is not None:

        def checked(self: BaseModel) -> BaseModel:
            check(self)  # the struct's own check reads fields only: the model has them too
            return self

        validators["_checks"] = model_validator(mode="after")(checked)
    return create_model(
        struct.__name__,
        __config__=ConfigDict(extra="forbid", frozen=True),
        __doc__=struct.__doc__,
        __module__=__name__,
        __validators__=validators,
        **fields,
    )


def _annotation(kind: Any) -> Any:
    """A struct field's type for pydantic: structs as their models, `Meta` as `Field`."""
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return model(kind)
    origin = get_origin(kind)
    if origin is Annotated:
        base, *extras = get_args(kind)
        fields = [
            Field(**{name: getattr(meta, name) for name in _CONSTRAINTS if getattr(meta, name)})
            for meta in extras
            if isinstance(meta, msgspec.Meta)
        ]
        return Annotated[(_annotation(base), *fields)]
    if origin is Union or origin is types.UnionType:
        members = get_args(kind)
        union = Union[tuple(_annotation(member) for member in members)]  # type: ignore[valid-type]  # noqa: UP007
        tagged = [m for m in members if isinstance(m, type) and issubclass(m, msgspec.Struct)]
        if len(tagged) > 1 and all(m.__struct_config__.tag is not None for m in tagged):
            return Annotated[union, Field(discriminator=str(tagged[0].__struct_config__.tag_field))]
        return union
    if origin is list:
        return list[_annotation(get_args(kind)[0])]  # type: ignore[misc]
    if origin is dict:
        key, value = get_args(kind)
        return dict[_annotation(key), _annotation(value)]  # type: ignore[misc]
    return kind


_PATH = re.compile(r"\.([^.\[\]`]+)|\[(\d+)\]")


def problems(struct: type[msgspec.Struct], data: Any, first: str) -> list[dict[str, Any]]:
    """Every problem of `data` read as `struct`, as pydantic lists them; `first` is msgspec's
    message, reported as is should pydantic find nothing wrong (a value read differently)."""
    try:
        model(struct).model_validate(data)
    except ValidationError as exc:
        return [dict(error) for error in exc.errors(include_url=False)]
    what, _, where = first.partition(" - at `$")
    loc = tuple(name or int(index) for name, index in _PATH.findall(where.rstrip("`")))
    return [{"loc": loc, "msg": what, "type": "value_error", "input": None}]
