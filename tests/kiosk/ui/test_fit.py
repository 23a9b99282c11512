"""What a resident would not see whole: labels cut off, widgets outside the window."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ui_harness import frames


@pytest.fixture
def root(window: Any) -> Iterator[Any]:
    """An empty float layout over the whole window, removed after the test."""
    from kivy.uix.floatlayout import FloatLayout

    layout = FloatLayout()
    window.add_widget(layout)
    yield layout
    window.remove_widget(layout)


def test_a_control_reaching_past_the_window_edge_is_named(root: Any, window: Any) -> None:
    from kiosk.ui.theme import look
    from kiosk.ui.widgets.button import KioskButton
    from kiosk.ui.widgets.fit import outside_window

    inside = KioskButton(look(), "确认", kiosk_id="inside", size_hint=(None, None), size=(200, 80))
    past = KioskButton(look(), "下一页", kiosk_id="past", size_hint=(None, None), size=(200, 80))
    inside.pos = (100, 100)
    past.pos = (window.width - 120, 100)  # 80 px of it beyond the right edge
    root.add_widget(inside)
    root.add_widget(past)
    frames()
    found = list(outside_window(root, window.width, window.height))
    assert found == ["outside the window: past"]


def test_a_label_pushed_above_its_column_is_cut_off(root: Any, window: Any) -> None:
    from kivy.uix.boxlayout import BoxLayout

    from kiosk.ui.theme import look
    from kiosk.ui.widgets.fit import clipped_labels
    from kiosk.ui.widgets.label import KioskLabel

    column = BoxLayout(orientation="vertical", size_hint=(None, None), size=(600, 200))
    column.pos = (100, 300)
    column.add_widget(KioskLabel(look(), "请输入您的意见"))
    column.add_widget(BoxLayout(size_hint_y=None, height=400))  # too tall for the column
    root.add_widget(column)
    frames()
    assert list(clipped_labels(root, window.height)) == ["pushed out of its area: 请输入您的意见"]
