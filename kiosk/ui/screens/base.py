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
    """Everything a screen needs; `state` survives re-rendering (language, elder, contrast)."""

    prompt: Prompt
    look: Look
    lang: str
    respond: Callable[[Answer | Event], None]
    state: dict[str, Any] = field(default_factory=dict)

    def tr(self, key: str, **params: object) -> str:
        """Translate a UI text key into the screen language."""
        return t(key, self.lang, **params)


class PromptScreen(BoxLayout):  # type: ignore[misc]
    """Title, prompt text, the kind's own content, then an action row at the bottom."""

    def __init__(self, ctx: ScreenContext, **kwargs: Any) -> None:
        scale = ctx.look.scale
        super().__init__(
            orientation="vertical",
            padding=dp(scale.padding),
            spacing=dp(scale.spacing),
            **kwargs,
        )
        self.ctx = ctx
        prompt = ctx.prompt
        if prompt.title:
            self.add_widget(KioskLabel(ctx.look, prompt.title, size="title"))
        if prompt.text:
            self.add_widget(KioskLabel(ctx.look, prompt.text, size="action"))
        self.build()

    def build(self) -> None:
        """Add the kind's own widgets (override)."""

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
