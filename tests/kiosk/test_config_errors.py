"""msgspec's validation errors in our words: the key found again, the value echoed or not."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
import pytest

from kiosk.config_errors import explain


class Inner(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: Annotated[str, msgspec.Meta(min_length=1)]
    code: Annotated[str, msgspec.Meta(min_length=3)] = "abc"
    colour: Literal["red", "green", "blue"] = "red"
    serial: Annotated[str, msgspec.Meta(pattern=r"^\d+$")] = "1"
    url: Annotated[
        str, msgspec.Meta(pattern=r"^https://", extra={"mismatch": "expected a URL"})
    ] = "https://x"
    token: str = ""


class Outer(msgspec.Struct, forbid_unknown_fields=True):
    count: Annotated[int, msgspec.Meta(gt=0, lt=10)] = 1
    ratio: Annotated[float, msgspec.Meta(gt=0, lt=1)] | None = None
    inner: Inner = Inner(name="x")
    groups: dict[str, dict[str, Inner]] = {}
    rows: list[Inner] = []
    names: dict[Annotated[str, msgspec.Meta(pattern=r"^[a-z]+$")], int] = {}
    plain: dict[Annotated[str, msgspec.Meta(max_length=3)], int] = {}


def said(raw: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert(raw, Outer, strict=False)
    loc, text = explain(caught.value, raw, Outer)
    return ".".join(loc), text


@pytest.mark.parametrize(
    ("raw", "key", "text"),
    [
        ({"count": "many"}, "count", 'expected an integer, got "many"'),
        # msgspec states integer bounds inclusively (gt=0 as >= 1)
        ({"count": 0}, "count", "must be at least 1, got 0"),
        ({"count": 10}, "count", "must be at most 9, got 10"),
        ({"ratio": 0.0}, "ratio", "must be more than 0, got 0.0"),
        ({"ratio": 1.5}, "ratio", "must be less than 1, got 1.5"),
        ({"ratio": "half"}, "ratio", 'expected a number, got "half"'),
        ({"inner": 3}, "inner", "expected a table, got 3"),
        ({"inner": {"name": ""}}, "inner.name", 'must not be empty, got ""'),
        (
            {"inner": {"name": "x", "code": "ab"}},
            "inner.code",
            'must be at least 3 characters long, got "ab"',
        ),
        (
            {"inner": {"name": "x", "colour": "pink"}},
            "inner.colour",
            "expected 'red', 'green' or 'blue', got \"pink\"",
        ),
        (
            {"inner": {"name": "x", "serial": "a1"}},
            "inner.serial",
            'does not match ^\\d+$, got "a1"',
        ),
        ({"inner": {"name": "x", "url": "ftp://"}}, "inner.url", 'expected a URL, got "ftp://"'),
        ({"inner": {"name": "x", "token": 99}}, "inner.token", "expected a string"),
        ({"inner": {"nme": "x"}}, "inner.nme", "unknown key (did you mean name?)"),
        ({"inner": {}}, "inner.name", "required key is missing"),
        ({"rows": "none"}, "rows", 'expected a list, got "none"'),
        ({"rows": [{"name": "a"}, {"name": "b", "x": 1}]}, "rows.1.x", "unknown key"),
        (
            {"groups": {"a": {"one": {"name": "a"}}, "b": {"one": {"name": "b"}, "two": {}}}},
            "groups.b.two.name",
            "required key is missing",
        ),
        ({"names": {"ok": 1, "Bad": 2}}, "names", "name 'Bad' does not match ^[a-z]+$"),
        ({"plain": {"long": 1}}, "plain", "name 'long' must be at most 3 characters long"),
        ({"cuont": 1}, "cuont", "unknown key (did you mean count?)"),
    ],
)
def test_each_kind_of_error_in_our_words(raw: dict[str, Any], key: str, text: str) -> None:
    assert said(raw) == (key, text)


def test_a_message_of_our_own_is_kept() -> None:
    class Checked(msgspec.Struct):
        low: int = 0
        high: int = 1

        def __post_init__(self) -> None:
            if self.low >= self.high:
                raise ValueError("Low must be below high")

    raw = {"low": 5}
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert(raw, Checked)
    assert explain(caught.value, raw, Checked) == ((), "low must be below high")
