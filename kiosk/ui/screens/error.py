"""The error screen: what went wrong in plain words and what to do next."""

from __future__ import annotations

from kiosk.i18n import catalog
from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.widgets.label import KioskLabel


def error_texts(error: str | None, fallback: str, lang: str) -> tuple[str, str]:
    """(reason, next step) for an error key: `locales` first, then the prompt's own text."""
    texts = catalog()
    reason, advice = fallback, texts.get("ui.error.next_default", lang)
    if error:
        for key in (error, f"errors.{error}", f"ui.error.{error}"):
            if texts.has(key):
                reason = texts.get(key, lang)
                break
        if texts.has(f"ui.error_next.{error}"):
            advice = texts.get(f"ui.error_next.{error}", lang)
    return reason or texts.get("ui.error.unknown", lang), advice


class ErrorScreen(PromptScreen):
    """The translated reason, the next step, and "continue" (answers `True`)."""

    default_focus = 0

    def build(self) -> None:
        """Add reason, advice and the continue button."""
        look, prompt = self.ctx.look, self.ctx.prompt
        reason, advice = error_texts(prompt.error, prompt.error_text, self.ctx.lang)
        self.add_widget(KioskLabel(look, f"[b]{reason}[/b]", size="action", role="text"))
        self.add_widget(KioskLabel(look, advice, role="muted"))
        self.add_widget(self.filler())
        if prompt.waits:
            button = self.action("common.continue", lambda: self.answer(True))
            self.add_widget(self.action_row(button))
            self.focusables = [button]  # ENTER (or any digit) continues
