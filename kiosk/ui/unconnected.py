"""The inputs of a screen drawn before the session exists (the kiosk's first frame)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

# Types only: this is drawn in the kiosk's first frame, before anything else is imported.
if TYPE_CHECKING:
    from kiosk.flow.prompt import Event, Prompt
    from peripherals.keypad.keys import Key
    from peripherals.recognizer.base import Recognition

log = logging.getLogger(__name__)


class Unconnected:
    """`SessionInputs` that ignore everything but a start tap, which is kept for later."""

    def __init__(self) -> None:
        self.started = False

    def start(self, reason: str) -> None:
        """Keep the start: the session starts once the kiosk is ready."""
        log.info("start (%s) while the kiosk was starting: kept", reason)
        self.started = True

    def maintenance(self, how: str) -> None:
        """The service menu opens only once the kiosk is ready."""

    def answer(self, value: Any, source: str = "touch") -> None:
        """Nothing is asked yet."""

    def edit(self, typed: str) -> None:
        """Nothing is asked yet."""

    def focus(self, index: int | None) -> None:
        """Nothing is asked yet."""

    def event(self, event: Event) -> None:
        """Nothing is asked yet."""

    def key(self, key: Key) -> None:
        """Keys wait for the session."""

    def heard(self, prompt: Prompt, heard: Recognition) -> None:
        """Nothing is asked yet."""

    def set_language(self, language: str) -> None:
        """Languages switch once the session exists."""

    def toggle_elder(self) -> None:
        """Looks switch once the session exists."""

    def toggle_contrast(self) -> None:
        """Looks switch once the session exists."""

    def call_staff(self) -> None:
        """Staff are called once the session exists."""

    def close_notice(self) -> None:
        """No notice yet."""

    def more_time(self) -> None:
        """No deadline yet."""

    def speaking(self, on: bool) -> None:
        """No deadline yet."""

    def activity(self) -> None:
        """No deadline yet."""

    def remaining(self) -> float | None:
        """Nothing waits."""
        return None
