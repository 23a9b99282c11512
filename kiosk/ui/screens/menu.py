"""The service menu: every service as a large icon tile on one page, each naming its category
(one tap away), or, when they do not all fit, category tabs and the open category's tiles (two
taps away: its tab, then its tile; in elder mode a tile per category, then its services' tiles,
no tabs); the most used first."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.flow.prompt import OptionGroup, PromptOption
from kiosk.session.state import PromptView
from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.widgets.button import MARKER, KioskButton
from kiosk.ui.widgets.label import KioskLabel
from kiosk.ui.widgets.option_rows import option_text


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
        """Add every service; or, where they do not all fit, the category tabs and the open
        category's services; in elder mode (one decision per screen) a tile per category
        first, then the chosen category's services."""
        gap = dp(self.ctx.look.scale.spacing * 1.5)
        options = self.ctx.prompt.options
        fits = self._fits(len(options), gap) if len({o.group for o in options}) >= 2 else None
        self.one_page = fits is not None
        self.cols, self.compact = fits or (self._columns(), False)
        # elder mode: no tabs; the categories as tiles, then the one chosen (two taps)
        self.pages = self.ctx.look.elder and not self.one_page and bool(self.ctx.prompt.groups)
        self.gap = gap
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
        lines = scale.action * 3.0  # two lines of title at the CJK face's line height (1.45 em)
        if compact:
            return float(dp(scale.sign * 0.45 + lines + 24))
        return float(dp(scale.sign * 0.6 + lines + scale.small * 1.5 + 40))

    def _columns(self) -> int:
        """Two columns on a portrait panel or in elder mode, else three."""
        from kivy.core.window import Window  # not at import: the app sizes the window first

        portrait = Window.height > Window.width * 1.2
        return 2 if self.ctx.look.elder or portrait else 3

    def _fits(self, count: int, gap: float) -> tuple[int, bool] | None:
        """(columns, compact tiles) of the first layout in which `count` tiles fit under the
        title: the usual columns; elder mode on a landscape panel may take three columns of
        compact tiles. None: they do not fit."""
        from kivy.core.window import Window

        portrait = Window.height > Window.width * 1.2
        tries = [(self._columns(), False)]
        if self.ctx.look.elder and not portrait:
            tries.append((3, True))
        room = self.room_left()
        for columns, compact in tries:
            rows = -(-count // columns)
            if rows * self._tile_height(compact) + rows * gap <= room:
                return columns, compact
        return None

    def _fill(self) -> None:
        look, prompt, memory = self.ctx.look, self.ctx.prompt, self.ctx.memory
        scale = look.scale
        self.body.clear_widgets()
        groups = [g for g in prompt.groups if any(o.group == g.id for o in prompt.options)]
        focused = self._focused()
        if focused is not None:
            memory.category = focused.group
            if self.pages and sum(o.group == focused.group for o in prompt.options) == 1:
                memory.category = None  # its tile is on the categories' page
        if self.pages:
            if memory.category not in {g.id for g in groups}:
                memory.category = None
            if memory.category is None:
                self._categories(groups)
                return
        elif groups and memory.category not in {g.id for g in groups}:
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
        if len(groups) > 1 and not self.one_page and not self.pages:
            self.body.add_widget(tabs)
        cols, compact = self.cols, self.compact
        if self.pages:  # the chosen category's services, and the way back to the categories
            count = sum(1 for o in prompt.options if o.group == memory.category) + 1
            cols, compact = self._fits(count, self.gap) or (self.cols, False)
        grid = GridLayout(cols=cols, spacing=dp(scale.spacing * 1.5), size_hint_y=None)
        # a tile's room for text beside a focused tile's ▶ marker, on both sides
        text_width = (self.column_width() - (cols - 1) * grid.spacing[0]) / cols - 2 * dp(
            8 + MARKER + 8
        )
        grid.bind(minimum_height=grid.setter("height"))
        self.focusables = []
        titles = {g.id: g.title for g in groups}
        for option in prompt.options:
            if option.group != memory.category and not self.one_page:
                self.focusables.append(None)
                continue
            text = option_text(option.key, option.label, dp(scale.action), text_width)
            if self.one_page and not compact and option.group in titles:  # its tab's name
                text += f"\n[size={int(dp(scale.small))}]{titles[option.group]}[/size]"
            button = self._tile(
                text, partial(self.answer, option.value), f"service.{option.value}",
                option.icon or "service", compact,
            )  # fmt: skip
            self.focusables.append(button)  # keypad focus index = option index
            grid.add_widget(button)
        shown = sum(1 for f in self.focusables if f is not None)
        if self.pages:
            back = self._tile(
                self.ctx.tr("ui.catalogue.all_categories"), partial(self._select, None),
                "category.all", "back", compact,
            )  # fmt: skip
            grid.add_widget(back)
            shown += 1
        for _ in range(-shown % cols):
            grid.add_widget(Widget())  # a short last row keeps the tiles' width
        self.body.add_widget(grid)
        if not self.one_page:
            self.body.add_widget(BoxLayout())

    def _tile(
        self, text: str, on_tap: Callable[[], None], kiosk_id: str, icon: str, compact: bool
    ) -> KioskButton:
        """A large tile: its icon above its text."""
        scale = self.ctx.look.scale
        return KioskButton(
            self.ctx.look,
            text,
            on_tap,
            role="secondary",
            kiosk_id=kiosk_id,
            icon=icon,
            icon_size=scale.sign * (0.45 if compact else 0.6),
            icon_above=True,
            wraps_cjk=True,  # a long title wraps beside its number, never above it
            size_hint_y=None,
            height=self._tile_height(compact),
        )

    def _categories(self, groups: list[OptionGroup]) -> None:
        """Elder mode, when the services do not fit one page: a tile per category (its first
        service's icon, how many services it holds), whose services are the second tap; a
        category of one service shows that service's own tile (one tap)."""
        options = self.ctx.prompt.options
        self.focusables = [None] * len(options)
        cols, compact = self._fits(len(groups), self.gap) or (self.cols, False)
        grid = GridLayout(cols=cols, spacing=self.gap, size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        small = int(dp(self.ctx.look.scale.small))
        width = (self.column_width() - (cols - 1) * self.gap) / cols - 2 * dp(8 + MARKER + 8)
        for group in groups:
            services = [o for o in options if o.group == group.id]
            note = self.ctx.tr("ui.catalogue.services", count=len(services))
            if len(services) == 1:  # the service itself, its category named below it
                only = services[0]
                text = option_text(only.key, only.label, dp(self.ctx.look.scale.action), width)
                tile = self._tile(
                    f"{text}\n[size={small}]{group.title}[/size]",
                    partial(self.answer, only.value), f"service.{only.value}",
                    only.icon or "service", compact,
                )  # fmt: skip
                self.focusables[options.index(only)] = tile
            else:
                tile = self._tile(
                    f"[b]{group.title}[/b]\n[size={small}]{note}[/size]",
                    partial(self._select, group.id), f"category.{group.id}",
                    services[0].icon or "service", compact,
                )  # fmt: skip
            grid.add_widget(tile)
        for _ in range(-len(groups) % cols):
            grid.add_widget(Widget())
        self.body.add_widget(grid)
        self.body.add_widget(BoxLayout())

    def _focused(self) -> PromptOption | None:
        focus = self.ctx.draft.focus
        options = self.ctx.prompt.options
        return options[focus] if focus is not None and 0 <= focus < len(options) else None

    def draft_changed(self, view: PromptView, *, keypad: bool) -> None:
        """Keypad focus moved: open its service's category if another one is open."""
        self.ctx.view, self.ctx.keypad = view, keypad
        focus = view.draft.focus
        if focus is not None and 0 <= focus < len(self.focusables) and not self.focusables[focus]:
            self._fill()  # its category's page (in elder mode, or the categories' page)
        self.show_focus()

    def _select(self, group: str | None) -> None:
        self.ctx.memory.category = group
        # a tapped tab wins over the keypad's focus, which would reopen its own category
        self.ctx.inputs.focus(None)
        self._fill()
        self.show_focus()
