"""A page of the maintainers' service menu: rows of what is so, a picture, numbered actions."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from kivy.core.window import Window
from kivy.metrics import dp
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.scrollview import ScrollView

from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.label import KioskLabel


def _top_aligned(
    label: KioskLabel, value: KioskLabel, value_share: float
) -> tuple[AnchorLayout, AnchorLayout]:
    """A row's label and value in cells as tall as the taller of them, each at the top of its
    cell (a grid puts a shorter widget at the bottom: a label beside a value of five lines
    would stand by its last line); the label's column is 0.38 to the value's `value_share`."""
    cells = (
        AnchorLayout(anchor_x="left", anchor_y="top", size_hint=(0.38, None)),
        AnchorLayout(anchor_x="left", anchor_y="top", size_hint=(value_share, None)),
    )
    for cell, text in zip(cells, (label, value), strict=True):
        cell.add_widget(text)

    def fit(*_: object) -> None:
        tallest = max(label.height, value.height)
        for cell in cells:
            cell.height = tallest

    label.bind(height=fit)
    value.bind(height=fit)
    fit()
    return cells


class PageScreen(PromptScreen):
    """Rows as label and value (values shown masked, as the prompt gives them), the prompt's
    picture beside them if any, and each action as a button with its keypad number."""

    def build(self) -> None:
        """Add the rows, the picture and the actions."""
        look, prompt = self.ctx.look, self.ctx.prompt
        scale = look.scale
        body = GridLayout(cols=2 if prompt.image else 1, spacing=dp(scale.spacing))
        rows = GridLayout(cols=2, spacing=(dp(scale.spacing * 2), dp(scale.spacing / 2)))
        rows.size_hint_y = None
        rows.bind(minimum_height=rows.setter("height"))
        # beside a picture the rows are narrow and their values short (counts, compartments):
        # the labels get more of the width, so they do not wrap
        value_share = 0.62 if prompt.image else 1.0
        for row in prompt.rows:
            label = KioskLabel(look, row.label, size="small", role="muted")
            value = KioskLabel(look, f"[b]{row.shown}[/b]", size="small")
            for cell in _top_aligned(label, value, value_share):
                rows.add_widget(cell)
        # rows that do not fit (large text) scroll rather than run under the actions
        column = ScrollView(do_scroll_x=False, bar_width=dp(10), scroll_type=["bars", "content"])
        column.kiosk_id = "page.rows"
        column.add_widget(rows)
        body.add_widget(column)
        if prompt.image and Path(prompt.image).is_file():
            picture = Image(source=prompt.image, fit_mode="contain")
            picture.kiosk_id = "page.image"
            width, height = picture.texture_size
            if width > 1.2 * height:  # a wide picture (the locker's cabinets) gets most room,
                # unless large text needs half the width for its words
                text_share = 0.42 if scale.name == "standard" else 0.5
                column.size_hint_x, picture.size_hint_x = text_share, 1 - text_share
            body.add_widget(picture)
        self.add_widget(body)
        options = prompt.options
        if not options:
            return
        cols = 1 if len(options) == 1 else 2  # two columns leave the rows room in large text
        if len(options) > 6 and prompt.image and Window.width > Window.height:
            cols = 3  # a row of buttons fewer: the picture beside the rows stays readable
        grid = GridLayout(cols=cols, spacing=dp(scale.spacing), size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        for option in options:
            button = KioskButton(
                look,
                f"[b]{option.key}[/b]   {option.label}",
                partial(self.answer, option.value),
                role="secondary" if option.value in ("back", "exit") else "primary",
                kiosk_id=f"page.{option.value}",
                size_hint_y=None,
                height=dp(scale.target + 8),
                font_size=scale.body,
                fit=True,
            )
            self.focusables.append(button)  # keypad focus index = option index
            grid.add_widget(button)
        self.add_widget(grid)
