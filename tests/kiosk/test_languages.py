"""The language table's helpers: sentences joined as each language writes them."""

from __future__ import annotations


def test_sentences_join_with_a_space_only_after_latin_text() -> None:
    from kiosk.languages import join_sentences

    zh = join_sentences(["A-03 号格口的门已打开。", "", "B-05 号格口的门已打开。", "请关好柜门。"])
    assert zh == "A-03 号格口的门已打开。B-05 号格口的门已打开。请关好柜门。"
    assert join_sentences(["Door A-03 is open.", "Close it."]) == "Door A-03 is open. Close it."


def test_an_english_count_says_its_noun_in_the_numbers_form() -> None:
    from kiosk.languages import counted

    said = counted("1 parcel(s) collected, 2 parcel(s) refused, 0 box(es), 3 box(es)", "en")
    assert said == "1 parcel collected, 2 parcels refused, 0 boxes, 3 boxes"
    assert counted("Locked (s)", "en") == "Locked (s)"  # a unit, not a count
    assert counted("已取出 2 件快递 parcel(s)", "zh_CN") == "已取出 2 件快递 parcel(s)"
