"""What every prompt screen is built from, and the layout they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout

from kiosk.flow.prompt import Prompt
from kiosk.i18n import t
from kiosk.session.renderers import SessionInputs
from kiosk.session.state import Draft, PromptView
from kiosk.ui.frame_hold import FRAME_HOLD
from kiosk.ui.theme import Look
from kiosk.ui.widgets.button import KioskButton, content_height
from kiosk.ui.widgets.header import Header
from kiosk.ui.widgets.label import KioskLabel
from kiosk.ui.widgets.service_bar import bar_height

LONG_TEXT = 60
"""Characters beyond which a prompt's text is read, not glanced at: body size, options in a row."""


@dataclass
class ScreenMemory:
    """What only the touch screen keeps of the question on screen; survives re-rendering
    (language, elder mode, contrast) and is forgotten with the question."""

    pinyin: str = ""
    """Letters of the pinyin being composed, not yet a character."""
    page: int = 0
    """Page of pinyin candidates shown."""
    options_page: int = 0
    """Page of a choice's options shown, in elder mode when they do not all fit one screen."""
    category: str | None = None
    """The menu's category opened (its tab; in elder mode its page, None: the categories)."""
    message: str = ""
    """A text key the screen itself shows (pinyin left unfinished)."""
    keyboard: bool = False
    """A keyboard was asked for: the pinyin keyboard instead of the common phrases (in elder
    mode), a code's keyboard instead of scanning it ("Type it")."""
    handwriting: bool = False
    """Text is written by hand on the pad rather than spelled in pinyin."""


@dataclass
class ScreenContext:
    """Everything a screen needs: the prompt and its answer in progress (`view`), the look,
    where taps go (`inputs`), and touch's own `memory` of the question.

    `keypad` says the resident has used the tactile keypad this session, so the screen shows
    where ENTER goes even before focus was moved. `rerender` builds the screen again after
    the screen changed its `memory` in a way that changes its layout.
    """

    view: PromptView
    look: Look
    lang: str
    inputs: SessionInputs
    memory: ScreenMemory
    keypad: bool = False
    rerender: Callable[[], None] = lambda: None
    """Build the screen again from the prompt and `memory` (after the screen changed its mind)."""
    terminal: str = ""
    """The terminal's name in the screen language, for the header."""

    @property
    def prompt(self) -> Prompt:
        """The prompt on screen."""
        return self.view.prompt

    @property
    def draft(self) -> Draft:
        """The answer in progress (typed text, focus, a refused answer's problem)."""
        return self.view.draft

    def tr(self, key: str, **params: object) -> str:
        """Translate a UI text key into the screen language."""
        return t(key, self.lang, **params)


class PromptScreen(BoxLayout):  # type: ignore[misc]
    """The header band, then a centred column: prompt text, the kind's own content, and the
    action row at the bottom (the primary action always at its right end).

    `focusables` are the controls the keypad focus moves over, in the order of the prompt's
    options (None where an option has no control on screen); `default_focus` is the one ENTER
    activates before focus is moved (None: ENTER needs a focus first).
    """

    default_focus: int | None = None

    def __init__(self, ctx: ScreenContext, **kwargs: Any) -> None:
        scale = ctx.look.scale
        super().__init__(orientation="vertical", **kwargs)
        self.ctx = ctx
        self.focusables: list[KioskButton | None] = []
        self._column: BoxLayout | None = None
        prompt = ctx.prompt
        self.band = Header(
            ctx.look,
            ctx.lang,
            terminal=ctx.terminal,
            title=f"{prompt.title} · {prompt.round}" if prompt.round else prompt.title,
            progress=prompt.progress,
        )
        super().add_widget(self.band)
        column = BoxLayout(
            orientation="vertical",
            padding=(0, dp(scale.padding), 0, dp(scale.padding)),
            spacing=dp(scale.spacing * 1.5),
            size_hint_x=None,
            pos_hint={"center_x": 0.5},
        )
        self.bind(width=lambda *_: self._fit_column(column))
        self._fit_column(column)
        super().add_widget(column)
        self._column = column
        from kivy.core.window import Window  # not at import: the app sizes the window first

        if Window.height > Window.width * 1.2:
            # a portrait panel: the content in the middle of the tall column, not at its top
            column.add_widget(BoxLayout(size_hint_y=0.6))
        self.header()
        self.build()
        self.show_focus()

    def _fit_column(self, column: BoxLayout) -> None:
        scale = self.ctx.look.scale
        column.width = max(min(self.width - 2 * dp(scale.padding), dp(scale.content_width)), 1)

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        """Add to the centred content column (the header band sits above it)."""
        if self._column is None:
            super().add_widget(widget, *args, **kwargs)
        else:
            self._column.add_widget(widget, *args, **kwargs)

    def header(self) -> None:
        """The prompt's text at the top of the column (the title is in the header band)."""
        prompt = self.ctx.prompt
        if prompt.text:
            # a page of a long text (a notice's) in large type, elder mode's body size in every
            # look; another long text at body size; a question at action size
            if prompt.reading:
                size = "body" if self.ctx.look.elder else "title"
            else:
                size = "body" if len(prompt.text) > LONG_TEXT else "action"
            self.add_widget(KioskLabel(self.ctx.look, prompt.text, size=size))

    def build(self) -> None:
        """Add the kind's own widgets (override)."""

    def column_width(self) -> float:
        """The content column's width (px) on this window, known before layout."""
        from kivy.core.window import Window

        scale = self.ctx.look.scale
        return float(max(min(Window.width - 2 * dp(scale.padding), dp(scale.content_width)), 1))

    def room_left(self) -> float:
        """Height (px) the content column has left for more widgets, reckoned before layout:
        the window less the header band, the service bar, the column's padding and what it
        holds so far (a text as tall as it wraps), one spacing after each widget held."""
        from kivy.core.window import Window

        scale = self.ctx.look.scale
        column = self._column
        room = Window.height - self.band.height - dp(bar_height(scale)) - 2 * dp(scale.padding)
        if column is None:
            return float(room)
        width = self.column_width()
        for child in column.children:
            room -= column.spacing
            if isinstance(child, KioskLabel):
                room -= content_height(child, width) if child.text else 0
            elif child.size_hint_y is None:
                room -= child.height
        return float(room)

    def focus_index(self) -> int | None:
        """Index into `focusables` of the control the keypad's ENTER activates, if shown."""
        focus = self.ctx.draft.focus
        if focus is None and self.ctx.keypad:
            focus = self.default_focus
        return focus

    def show_focus(self) -> None:
        """Draw the focus ring on the focused control only."""
        focus = self.focus_index()
        for index, button in enumerate(self.focusables):
            if button is not None:
                button.focused = index == focus

    def draft_changed(self, view: PromptView, *, keypad: bool) -> None:
        """The answer in progress changed (typed text, focus, problem), or the keypad was used."""
        self.ctx.view, self.ctx.keypad = view, keypad
        self.show_focus()

    def focus_by_value(self, buttons: dict[str, KioskButton]) -> None:
        """Focus order from the prompt's options (`value` → control); yes before no if none."""
        options = self.ctx.prompt.options
        values = [o.value for o in options] if options else list(buttons)
        self.focusables = [buttons.get(v) for v in values]

    def filler(self) -> BoxLayout:
        """An empty stretchy space that pushes the action row to the bottom."""
        return BoxLayout()

    def action(
        self, key: str, on_tap: Callable[[], Any], *, role: str = "primary", kiosk_id: str = ""
    ) -> KioskButton:
        """A main action button (≥ 30 dp text in elder mode)."""
        return KioskButton(
            self.ctx.look,
            self.ctx.tr(key),
            on_tap,
            role=role,
            kiosk_id=kiosk_id or f"action.{key.rsplit('.', 1)[-1]}",
            size_hint_y=None,
            height=dp(self.ctx.look.scale.action_height),
        )

    def action_row(self, *buttons: KioskButton) -> BoxLayout:
        """Main actions at the bottom of the column, the last (primary) one at the right end,
        always the same width and place (shown only if the step waits)."""
        scale = self.ctx.look.scale
        row = BoxLayout(
            orientation="horizontal",
            spacing=dp(scale.spacing * 2),
            size_hint_y=None,
            height=dp(scale.action_height),
        )
        if len(buttons) == 1:
            row.add_widget(BoxLayout())  # a lone primary action keeps the primary's place
        for button in buttons:
            row.add_widget(button)
        return row

    def answer(self, value: Any) -> None:
        """Answer the prompt by touch (ignored once it no longer waits)."""
        if self.ctx.view.waiting:
            FRAME_HOLD.begin()  # the next screen follows: no frame of this one meanwhile
            self.ctx.inputs.answer(value, "touch")
