"""Chinese line breaking: between any two characters, but a compartment id or a number stays
with the words after it, and punctuation keeps to its side."""

from __future__ import annotations

from peripherals.line_breaks import broken


def by_characters(drawn: str) -> float:
    return float(len(drawn))


def test_a_compartment_id_keeps_the_words_after_it() -> None:
    lines = broken("A-03 号格口的门已打开，在A柜，第一列。", 8, by_characters).split("\n")
    assert lines[0] == "A-03 号格口" and "A-03" not in lines[1:]  # never alone on its line
    assert all(len(line) <= 8 for line in lines)
    assert not any(line[0] in "，。" for line in lines)  # 避头: no line starts with a mark


def test_a_number_keeps_its_unit_and_lines_are_filled() -> None:
    text = "已存入 A-03 号格口，免费保管 24 小时，已通知收件人。"
    for width in range(6, 30):
        lines = broken(text, width, by_characters).split("\n")
        assert not any(line.endswith(("24", "A-03")) for line in lines), (width, lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    # Kivy alone would put "A-03" by itself, then "号格口，免费保管" on the next line
    assert broken(text, 12, by_characters).split("\n")[0] == "已存入 A-03 号格"


def test_no_space_between_an_id_and_its_word_is_no_place_to_break_either() -> None:
    lines = broken("请到A-03号格口取件", 5, by_characters).split("\n")
    assert "A-03号" in "".join(lines) and not any(line.endswith("3") for line in lines)


def test_markup_is_kept_and_measured_as_nothing() -> None:
    text = "[b]已存入[/b] A-03 号格口&bl;1&br;"
    assert broken(text, 10, by_characters) == "[b]已存入[/b] A-03 号\n格口&bl;1&br;"


def test_english_words_break_only_at_spaces() -> None:
    assert broken("Stored in compartment A-03", 12, by_characters) == (
        "Stored in\ncompartment\nA-03"
    )


def test_a_receipt_line_never_starts_with_a_closing_mark_nor_splits_a_number_from_its_unit() -> (
    None
):
    """The printer breaks receipt lines by the screen's rules: at every width, no line starts
    with `，` or `。`, none ends with `（`, `24 小时` stays together, and nothing is lost."""
    from peripherals.line_breaks import CLOSING, OPENING
    from peripherals.printer.render import display_width, fit_lines

    text = "您的诉求已受理（受理编号：261206-048213）。请在 24 小时内凭本凭条，到社区服务站查询。"
    for cells in range(12, 48):
        lines = fit_lines(text, cells)
        assert all(display_width(line) <= cells for line in lines), cells
        assert not any(line[:1] in CLOSING for line in lines), (cells, lines)
        assert not any(line[-1:] in OPENING for line in lines), (cells, lines)
        assert not any(line.endswith("24") for line in lines), (cells, lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_brackets_on_a_receipt_are_text_not_markup() -> None:
    from peripherals.printer.render import fit_lines

    assert fit_lines("[b]A-03[/b] 号格口", 40) == ["[b]A-03[/b] 号格口"]
    assert fit_lines("[b]A-03[/b] 号格口", 8) == ["[b]A-03[", "/b]", "号格口"]
