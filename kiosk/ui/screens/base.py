"""What every prompt screen is built from, and the layout they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout

from kiosk.flow.prompt import Answer, Event, Prompt
from kiosk.i18n import t
from kiosk.ui.theme import Look
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.label import KioskLabel


@dataclass
class ScreenContext:
    """Everything a screen needs; `state` survives re-rendering (language, elder, contrast).

    `state` also holds what the tactile keypad did: `value` (typed text, shared with the
    on-screen keypad) and `focus` (index of the focused option). `keypad` says the resident has
    used the tactile keypad this session, so the screen shows where ENTER goes even before
    focus was moved.
    """

    prompt: Prompt
    look: Look
    lang: str
    respond: Callable[[Answer | Event], None]
    state: dict[str, Any] = field(default_factory=dict)
    keypad: bool = False

    def tr(self, key: str, **params: object) -> str:
        """Translate a UI text key into the screen language."""
        return t(key, self.lang, **params)


class PromptScreen(BoxLayout):  # type: ignore[misc]
    """Title, prompt text, the kind's own content, then an action row at the bottom.

    `focusables` are the controls the keypad focus moves over, in the order of the prompt's
    options (None where an option has no control on screen); `default_focus` is the one ENTER
    activates before focus is moved (None: ENTER needs a focus first).
    """

    default_focus: int | None = None

    def __init__(self, ctx: ScreenContext, **kwargs: Any) -> None:
        scale = ctx.look.scale
        super().__init__(
            orientation="vertical",
            padding=dp(scale.padding),
            spacing=dp(scale.spacing),
            **kwargs,
        )
        self.ctx = ctx
        self.focusables: list[KioskButton | None] = []
        prompt = ctx.prompt
        if prompt.title:
            self.add_widget(KioskLabel(ctx.look, prompt.title, size="title"))
        if prompt.text:
            self.add_widget(KioskLabel(ctx.look, prompt.text, size="action"))
        self.build()
        self.show_focus()

    def build(self) -> None:
        """Add the kind's own widgets (override)."""

    def focus_index(self) -> int | None:
        """Index into `focusables` of the control the keypad's ENTER activates, if shown."""
        focus = self.ctx.state.get("focus")
        if focus is None and self.ctx.keypad:
            focus = self.default_focus
        return focus if isinstance(focus, int) else None

    def show_focus(self) -> None:
        """Draw the focus ring on the focused control only."""
        focus = self.focus_index()
        for index, button in enumerate(self.focusables):
            if button is not None:
                button.focused = index == focus

    def keys_changed(self) -> None:
        """The tactile keypad changed `ctx.state` (typed text, focus) or was first used."""
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
        """Main actions side by side at the bottom of the screen (shown only if the step waits)."""
        row = BoxLayout(
            orientation="horizontal",
            spacing=dp(self.ctx.look.scale.spacing * 2),
            size_hint_y=None,
            height=dp(self.ctx.look.scale.action_height),
        )
        for button in buttons:
            row.add_widget(button)
        return row

    def answer(self, value: Any) -> None:
        """Answer the prompt by touch."""
        self.ctx.respond(Answer(value, source="touch"))
