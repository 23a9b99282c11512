"""Where each part of a YAML document is: every key, value and item at its line and column."""

from __future__ import annotations

from kiosk.flow.locations import Document, SourceLocation, read_document

TEXT = """\
id: places
steps:
  - id: ask
    options: [{value: 1}, {value: "two"}]
  -   id: done
      text: {zh_CN: 好, en: OK}
"""


def _places(document: Document) -> dict[object, tuple[int, int, int, int]]:
    return {
        loc: (key.line, key.column, document.values[loc].line, document.values[loc].column)
        for loc, key in document.keys.items()
    }


def test_every_key_value_and_item_is_where_it_is_written() -> None:
    document = read_document(TEXT, "places.yaml", keep=False)
    assert _places(document) == {
        (): (1, 1, 1, 1),
        ("id",): (1, 1, 1, 5),
        ("steps",): (2, 1, 3, 3),
        ("steps", 0): (3, 5, 3, 5),
        ("steps", 0, "id"): (3, 5, 3, 9),
        ("steps", 0, "options"): (4, 5, 4, 14),
        ("steps", 0, "options", 0): (4, 15, 4, 15),
        ("steps", 0, "options", 0, "value"): (4, 16, 4, 23),
        ("steps", 0, "options", 1): (4, 27, 4, 27),
        ("steps", 0, "options", 1, "value"): (4, 28, 4, 35),
        ("steps", 1): (5, 7, 5, 7),
        ("steps", 1, "id"): (5, 7, 5, 11),
        ("steps", 1, "text"): (6, 7, 6, 13),
        ("steps", 1, "text", "zh_CN"): (6, 14, 6, 21),
        ("steps", 1, "text", "en"): (6, 24, 6, 28),
    }
    assert document.values[("steps", 1, "text", "en")] == SourceLocation("places.yaml", 6, 28)


def test_an_alias_is_one_place_and_what_follows_it_keeps_its_own() -> None:
    text = "first: &shared {a: 1, b: [2, 3]}\nagain: *shared\nlast: 4\n"
    document = read_document(text, "alias.yaml", keep=False)
    assert document.data["again"] is document.data["first"]
    assert _places(document) == {
        (): (1, 1, 1, 1),
        ("first",): (1, 1, 1, 8),
        ("first", "a"): (1, 17, 1, 20),
        ("first", "b"): (1, 23, 1, 26),
        ("first", "b", 0): (1, 27, 1, 27),
        ("first", "b", 1): (1, 30, 1, 30),
        ("again",): (2, 1, 2, 8),
        ("last",): (3, 1, 3, 7),
    }


def test_a_document_of_one_value_or_none() -> None:
    scalar = read_document("just text\n", "one.yaml", keep=False)
    assert scalar.data == "just text"
    assert _places(scalar) == {(): (1, 1, 1, 1)}
    empty = read_document("# nothing\n", "empty.yaml", keep=False)
    assert empty.data is None and not empty.keys and () not in empty.values
