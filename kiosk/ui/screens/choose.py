"""The choose screen: one large button per option, with its keypad number."""

from __future__ import annotations

from functools import partial

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.session.state import PromptView
from kiosk.ui.screens.base import LONG_TEXT, PromptScreen
from kiosk.ui.widgets.button import MARKER, MIN_FIT_DP, KioskButton
from kiosk.ui.widgets.option_rows import option_text, size_rows

LONG_LABEL = 12
"""Characters of the longest label that still fits half the screen's width on one line."""


class ChooseScreen(PromptScreen):
    """Options as big buttons "1  label"; a tap answers the option's value.

    The keypad's HASH/STAR focus is drawn on the option it rests on; ENTER picks it.
    """

    def build(self) -> None:
        """Lay the options out in one column (elder mode, few options, or long labels such as
        records) or two; in elder mode, a page of them at a time when one column would run off
        the screen."""
        look = self.ctx.look
        options = self.ctx.prompt.options
        long_labels = any(len(option.label) > LONG_LABEL for option in options)
        if len(self.ctx.prompt.text) > LONG_TEXT and len(options) <= 3 and not long_labels:
            cols = len(options)  # a page to read: its few choices side by side below it
        else:
            cols = 1 if look.elder or len(options) <= 3 or long_labels else 2
        grid, buttons = self._grid(cols)
        self.pages: list[list[int]] = [list(range(len(buttons)))]
        gap = dp(look.scale.spacing * 1.5)
        room = self.room_left() - gap  # the column's gap below the options
        if look.elder and cols == 1 and grid.height > room:
            # too many long labels for one screen: fewer options a page, never smaller text
            self._paginate(grid, buttons, room - dp(look.scale.action_height) - gap, gap)
        else:
            self.focusables.extend(buttons)  # keypad focus index = option index
            self.add_widget(grid)
        self.add_widget(self.filler())
        if len(self.pages) > 1:
            self.add_widget(self._page_row())

    def _paginate(
        self, grid: GridLayout, buttons: list[KioskButton], room: float, gap: float
    ) -> None:
        """Split the options into pages that fit `room`; show the remembered page."""
        self.pages = [[]]
        used = 0.0
        for index, button in enumerate(buttons):
            if self.pages[-1] and used + button.height > room:
                self.pages.append([])
                used = 0.0
            self.pages[-1].append(index)
            used += button.height + gap
        memory = self.ctx.memory
        memory.options_page = min(max(memory.options_page, 0), len(self.pages) - 1)
        shown = set(self.pages[memory.options_page])
        grid.clear_widgets()
        for index, button in enumerate(buttons):
            self.focusables.append(button if index in shown else None)
            if index in shown:
                grid.add_widget(button)
        grid.height = sum(b.height for b in grid.children) + (len(grid.children) - 1) * gap
        self.add_widget(grid)

    def _page_row(self) -> BoxLayout:
        """Previous and next page of options (each kept in place, disabled at either end)."""
        page, last = self.ctx.memory.options_page, len(self.pages) - 1
        earlier = self.action(
            "ui.keypad.previous", lambda: self._turn(-1), role="secondary",
            kiosk_id="options.previous",
        )  # fmt: skip
        later = self.action(
            "ui.keypad.next", lambda: self._turn(1), role="secondary", kiosk_id="options.next"
        )
        earlier.disabled, later.disabled = page == 0, page == last
        return self.action_row(earlier, later)

    def _turn(self, step: int) -> None:
        self.ctx.memory.options_page += step
        self.ctx.rerender()

    def draft_changed(self, view: PromptView, *, keypad: bool) -> None:
        """Keypad focus moved to an option on another page: show that page."""
        focus = view.draft.focus
        if focus is not None and 0 <= focus < len(self.focusables) and not self.focusables[focus]:
            page = next(n for n, indices in enumerate(self.pages) if focus in indices)
            self.ctx.view, self.ctx.keypad = view, keypad
            self.ctx.memory.options_page = page
            self.ctx.rerender()
            return
        super().draft_changed(view, keypad=keypad)

    def _grid(self, cols: int) -> tuple[GridLayout, list[KioskButton]]:
        """The options' buttons in `cols` columns, each row as tall as its longest label."""
        look = self.ctx.look
        gap = dp(look.scale.spacing * 1.5)
        grid = GridLayout(cols=cols, spacing=gap, size_hint_y=None)
        height = dp(look.scale.action_height)
        # room for the text beside a focused button's ▶ marker, on both sides
        text_width = (self.column_width() - (cols - 1) * gap) / cols - 2 * dp(8 + MARKER + 8)
        buttons = []
        font = dp(look.scale.action)
        for option in self.ctx.prompt.options:
            button = KioskButton(
                look,
                option_text(option.key, option.label, font, text_width),
                partial(self.answer, option.value),
                role="primary",
                kiosk_id=f"option.{option.value}",
                size_hint_y=None,
                height=height,
                # an English word wider than the button: smaller, not split (in elder mode not
                # below the body size); Chinese wraps between characters, its row grows instead
                fit=True,
                fit_floor=look.scale.body if look.elder else MIN_FIT_DP,
                wraps_cjk=True,
            )
            buttons.append(button)
            grid.add_widget(button)
        # a label too long for one line makes its row taller rather than its text smaller
        grid.height = size_rows(buttons, cols, text_width, height, gap)
        return grid, buttons
