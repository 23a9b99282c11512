"""The language table's helpers: sentences joined as each language writes them."""

from __future__ import annotations


def test_sentences_join_with_a_space_only_after_latin_text() -> None:
    from kiosk.languages import join_sentences

    zh = join_sentences(["A-03 号格口的门已打开。", "", "B-05 号格口的门已打开。", "请关好柜门。"])
    assert zh == "A-03 号格口的门已打开。B-05 号格口的门已打开。请关好柜门。"
    assert join_sentences(["Door A-03 is open.", "Close it."]) == "Door A-03 is open. Close it."
