"""The service menu: category tabs, and the open category's services as large icon tiles,
the most used first (any service is two taps away: its tab, then its tile)."""

from __future__ import annotations

from functools import partial

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.flow.prompt import PromptOption
from kiosk.session.state import PromptView
from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.label import KioskLabel


class MenuScreen(PromptScreen):
    """Tapping a service answers the menu prompt with its id.

    Each service shows its keypad number (the prompt's: category order, then list order) so
    digits can pick it; the tactile keypad's focus is drawn on its service, whose category tab
    opens to show it.
    """

    def header(self) -> None:
        """The menu's title, large."""
        self.add_widget(KioskLabel(self.ctx.look, f"[b]{self.ctx.prompt.text}[/b]", size="title"))

    def build(self) -> None:
        """Add the category tabs and the open category's services."""
        gap = dp(self.ctx.look.scale.spacing * 1.5)
        self.body = BoxLayout(orientation="vertical", spacing=gap)
        self.add_widget(self.body)
        self._fill()

    def _fill(self) -> None:
        look, prompt, memory = self.ctx.look, self.ctx.prompt, self.ctx.memory
        scale = look.scale
        self.body.clear_widgets()
        groups = [g for g in prompt.groups if any(o.group == g.id for o in prompt.options)]
        focused = self._focused()
        if focused is not None:
            memory.category = focused.group
        if groups and memory.category not in {g.id for g in groups}:
            memory.category = groups[0].id
        tabs = GridLayout(
            cols=min(max(len(groups), 1), 3 if look.elder else 6),
            spacing=dp(scale.spacing),
            size_hint_y=None,
        )
        tabs.bind(minimum_height=tabs.setter("height"))
        for group in groups:
            # a tab, not a button: the open one is filled and underlined, the others plain
            selected = group.id == memory.category
            tabs.add_widget(
                KioskButton(
                    look,
                    f"[b]{group.title}[/b]" if selected else group.title,
                    partial(self._select, group.id),
                    role="primary" if selected else "bar",
                    kiosk_id=f"category.{group.id}",
                    font_size=scale.action,
                    fit=True,
                    size_hint_y=None,
                    height=dp(scale.target),
                )
            )
        if len(groups) > 1:
            self.body.add_widget(tabs)
        portrait = self.height > self.width > 0
        cols = 2 if look.elder or portrait else 3
        grid = GridLayout(cols=cols, spacing=dp(scale.spacing * 1.5), size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        self.focusables = []
        for option in prompt.options:
            if option.group != memory.category:
                self.focusables.append(None)
                continue
            button = KioskButton(
                look,
                f"[b]{option.key}[/b]  {option.label}",
                partial(self.answer, option.value),
                role="secondary",
                kiosk_id=f"service.{option.value}",
                icon=option.icon or "service",
                icon_size=scale.sign * 0.6,
                icon_above=True,
                size_hint_y=None,
                height=dp(scale.sign * 0.6 + scale.action * 2 + scale.small * 1.5 + 40),
            )
            self.focusables.append(button)  # keypad focus index = option index
            grid.add_widget(button)
        shown = sum(1 for f in self.focusables if f is not None)
        for _ in range(-shown % cols):
            grid.add_widget(Widget())  # a short last row keeps the tiles' width
        self.body.add_widget(grid)
        self.body.add_widget(BoxLayout())

    def _focused(self) -> PromptOption | None:
        focus = self.ctx.draft.focus
        options = self.ctx.prompt.options
        return options[focus] if focus is not None and 0 <= focus < len(options) else None

    def draft_changed(self, view: PromptView, *, keypad: bool) -> None:
        """Keypad focus moved: open its service's category if another one is open."""
        self.ctx.view, self.ctx.keypad = view, keypad
        focused = self._focused()
        if focused is not None and focused.group != self.ctx.memory.category:
            self._fill()
        self.show_focus()

    def _select(self, group: str) -> None:
        self.ctx.memory.category = group
        # a tapped tab wins over the keypad's focus, which would reopen its own category
        self.ctx.inputs.focus(None)
        self._fill()
        self.show_focus()
