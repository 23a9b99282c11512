"""The service menu: every service as a large icon tile on one page, each naming its category
(one tap away), or, when they do not all fit, category tabs and the open category's tiles (two
taps away: its tab, then its tile); the most used first."""

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
        """Add every service, or the category tabs and the open category's services."""
        gap = dp(self.ctx.look.scale.spacing * 1.5)
        self.one_page, self.cols, self.compact = self._layout(gap)
        self.body = BoxLayout(orientation="vertical", spacing=gap)
        self.add_widget(self.body)
        if self.one_page:  # as tall as its tiles, the room left below them
            self.body.size_hint_y = None
            self.body.bind(minimum_height=self.body.setter("height"))
            self.add_widget(self.filler())
        self._fill()

    def _tile_height(self, compact: bool) -> float:
        """A tile: its icon, two lines of title and (unless `compact`) its category's name."""
        scale = self.ctx.look.scale
        lines = scale.action * 2.6  # two lines of title at the buttons' line height
        if compact:
            return float(dp(scale.sign * 0.45 + lines + 24))
        return float(dp(scale.sign * 0.6 + lines + scale.small * 1.5 + 40))

    def _layout(self, gap: float) -> tuple[bool, int, bool]:
        """(every service on one page, columns, compact tiles): the first that fits of two
        columns on a portrait panel or in elder mode, else three; elder mode on a landscape
        panel may take three columns of compact tiles; else tabs."""
        from kivy.core.window import Window  # not at import: the app sizes the window first

        portrait = Window.height > Window.width * 1.2
        cols = 2 if self.ctx.look.elder or portrait else 3
        tries = [(cols, False)]
        if self.ctx.look.elder and not portrait:
            tries.append((3, True))
        groups = {o.group for o in self.ctx.prompt.options}
        if len(groups) >= 2:  # one category: its tiles, as before, without a tab
            room = self.room_left()
            for columns, compact in tries:
                rows = -(-len(self.ctx.prompt.options) // columns)
                if rows * self._tile_height(compact) + rows * gap <= room:
                    return True, columns, compact
        return False, cols, False

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
        if len(groups) > 1 and not self.one_page:
            self.body.add_widget(tabs)
        cols = self.cols
        grid = GridLayout(cols=cols, spacing=dp(scale.spacing * 1.5), size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        self.focusables = []
        titles = {g.id: g.title for g in groups}
        for option in prompt.options:
            if option.group != memory.category and not self.one_page:
                self.focusables.append(None)
                continue
            text = f"[b]{option.key}[/b]  {option.label}"
            if self.one_page and not self.compact and option.group in titles:  # its tab's name
                text += f"\n[size={int(dp(scale.small))}]{titles[option.group]}[/size]"
            button = KioskButton(
                look,
                text,
                partial(self.answer, option.value),
                role="secondary",
                kiosk_id=f"service.{option.value}",
                icon=option.icon or "service",
                icon_size=scale.sign * (0.45 if self.compact else 0.6),
                icon_above=True,
                size_hint_y=None,
                height=self._tile_height(self.compact),
            )
            self.focusables.append(button)  # keypad focus index = option index
            grid.add_widget(button)
        shown = sum(1 for f in self.focusables if f is not None)
        for _ in range(-shown % cols):
            grid.add_widget(Widget())  # a short last row keeps the tiles' width
        self.body.add_widget(grid)
        if not self.one_page:
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
