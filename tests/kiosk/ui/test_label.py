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
