"""Themed labels: Chinese punctuation never starts a line (避头点)."""

from __future__ import annotations

from typing import Any

from ui_harness import frames


def _lines(label: Any) -> list[str]:
    return ["".join(w.text for w in line.words) for line in label._label._cached_lines]


def test_a_full_stop_is_not_left_alone_at_the_start_of_a_line(window: Any) -> None:
    from kivy.core.text import Label as CoreLabel
    from kivy.uix.boxlayout import BoxLayout

    from kiosk.ui.theme import look
    from kiosk.ui.widgets.label import KioskLabel

    text = "您的信息仅用于本次办理，办理结束后即清除。不同意也可以请工作人员帮您办理。"
    label = KioskLabel(look(), text)
    probe = CoreLabel(font_size=label.font_size, font_name=label.font_name)
    # wide enough for all but the last "。": Kivy alone would put it on a line of its own
    width = probe.get_extents(text[:-1])[0] + 2
    box = BoxLayout(size_hint=(None, None), size=(width, 400), pos=(0, 0))
    box.add_widget(label)
    window.add_widget(box)
    try:
        for _ in range(6):
            frames()
        lines = _lines(label)
        assert len(lines) == 2 and lines[-1] == "理。", lines
        assert label.x == box.x and label.width == width  # the text stays where it was
    finally:
        window.remove_widget(box)


def test_elder_text_keeps_a_compartment_with_its_words_and_a_number_with_its_unit(
    window: Any,
) -> None:
    """The elder door screen put "A-03" alone above "号格口的门已打开" and broke "24" from
    "小时": Kivy wraps only at spaces."""
    from kivy.uix.boxlayout import BoxLayout

    from kiosk.ui.theme import look
    from kiosk.ui.widgets.label import KioskLabel

    elder = look(elder=True)
    texts = (
        "A-03 号格口的门已打开，在A柜，第一列，从下往上第三格。请放入快递并关好柜门。",
        "已存入 A-03 号格口，免费保管 24 小时，已通知收件人。继续投递下一件吗？",
    )
    labels = [KioskLabel(elder, text, size="title") for text in texts]
    box = BoxLayout(orientation="vertical", size_hint=(None, None), size=(640, 900), pos=(0, 0))
    for label in labels:
        box.add_widget(label)
    window.add_widget(box)
    try:
        for _ in range(6):
            frames()
        door, stored = (_lines(label) for label in labels)
        assert door[0].startswith("A-03 号格口的门"), door
        assert len(door) >= 3 and all(len(line) > 4 for line in door[:-1]), door
        assert not any(line.rstrip().endswith(("24", "A-03")) for line in stored), stored
        assert "24 小时" in "".join(stored) or any(line.startswith("小时") for line in stored)
        assert not any(line.startswith("小时") for line in stored), stored
    finally:
        window.remove_widget(box)


def test_an_option_keeps_its_compartment_id_with_the_words_after_it(window: Any) -> None:
    """An option's Chinese label wraps as a label does, and its row is as tall as it draws."""
    from kiosk.ui.theme import look
    from kiosk.ui.widgets.button import KioskButton, content_height

    text = "1   推荐 A-03 号格口（M，A柜，第一列，从下往上第三格）"
    button = KioskButton(look(elder=True), text, wraps_cjk=True, size_hint=(None, None))
    button.size = (420, 400)
    window.add_widget(button)
    try:
        for _ in range(6):
            frames()
        lines = _lines(button)
        assert len(lines) >= 2 and not any(line.rstrip().endswith("A-03") for line in lines)
        assert any("A-03 号" in line for line in lines), lines
        width = button.text_size[0]
        drawn = KioskButton(look(elder=True), "\n".join(lines))  # the lines as drawn
        assert content_height(button, width) == content_height(drawn, width)  # sized as drawn
    finally:
        window.remove_widget(button)
