"""The header: a long service title is set smaller to stay whole, never cut short."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ui_harness import frames


@pytest.fixture
def root(window: Any) -> Iterator[Any]:
    """An empty box layout over the whole window, removed after the test."""
    from kivy.uix.boxlayout import BoxLayout

    layout = BoxLayout(orientation="vertical")
    window.add_widget(layout)
    yield layout
    window.remove_widget(layout)


@pytest.mark.parametrize("elder", [False, True])
def test_a_long_title_is_set_smaller_not_cut_short(root: Any, elder: bool) -> None:
    from kiosk.ui.theme import look
    from kiosk.ui.widgets.fit import clipped_labels
    from kiosk.ui.widgets.header import Header

    title = "Retrieve overdue and refused parcels"
    header = Header(look(elder=elder), "en", terminal="tour-0001", title=title,
                    progress=(2, 5))  # fmt: skip
    root.add_widget(header)
    root.size_hint_x = None  # narrow enough that the title's full size cannot fit
    root.width = 1080 if elder else 800
    frames()
    try:
        assert list(clipped_labels(header, root.height + 10_000)) == []
        assert header.title.font_size < header._title_size  # it did have to shrink
    finally:
        header.stop_ticking()
