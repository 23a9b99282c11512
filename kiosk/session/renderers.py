"""What the session needs of a renderer, and what a renderer may ask of the session.

Renderers (the touch screen in `kiosk/ui`, the voice in `kiosk/voice`) are equal: the session
core tells each of them the new state and what changed, acknowledges what the resident did
(`Feedback`), and waits for each to finish presenting a prompt that does not wait (the voice
speaks a result to its end). They send what the resident does back through `SessionInputs`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

# Types only: the touch screen imports this module on its way to the kiosk's first frame.
if TYPE_CHECKING:
    from kiosk.flow.prompt import Event, Prompt
    from kiosk.session.state import Change, Feedback, SessionState
    from peripherals.keypad.keys import Key
    from peripherals.recognizer.base import Recognition


class SessionRenderer(Protocol):
    """Draws or says the session's state."""

    def changed(self, state: SessionState, what: Change) -> None:
        """The state changed (`what`): draw or say it."""
        ...

    def feedback(self, feedback: Feedback) -> None:
        """Acknowledge what the resident just did (echo a key, say an answer was refused)."""
        ...

    async def settle(self, prompt: Prompt) -> None:
        """Return once `prompt`, shown without waiting, has been fully presented."""
        ...

    async def released(self) -> None:
        """Return once nothing of the last prompt asked can still come in (speech heard late)."""
        ...

    def close(self) -> None:
        """Stop presenting (the kiosk is shutting down)."""
        ...


class SessionInputs(Protocol):
    """What the resident does, as renderers and devices report it to the session."""

    def start(self, reason: str) -> None:
        """Start a session from the attract screen (`touch`, `keypad`, `card`, ...)."""
        ...

    def maintenance(self, how: str) -> None:
        """A maintainer asks for the service menu (`long_press` in the screen's corner)."""
        ...

    def answer(self, value: Any, source: str = "touch") -> None:
        """Answer the prompt on screen (typed input is checked against its rules first)."""
        ...

    def edit(self, typed: str) -> None:
        """The text typed so far changed on screen (the on-screen keypad)."""
        ...

    def focus(self, index: int | None) -> None:
        """Move the keypad's focus to the prompt's option `index` (None: nowhere)."""
        ...

    def event(self, event: Event) -> None:
        """Back, cancel or help instead of an answer."""
        ...

    def key(self, key: Key) -> None:
        """A tactile key was pressed."""
        ...

    def heard(self, prompt: Prompt, heard: Recognition) -> None:
        """Speech was recognised while `prompt` was asked."""
        ...

    def set_language(self, language: str) -> None:
        """Switch the session's language; the prompt on screen is asked again in it."""
        ...

    def toggle_elder(self) -> None:
        """Elder mode on or off."""
        ...

    def toggle_contrast(self) -> None:
        """High contrast on or off."""
        ...

    def call_staff(self) -> None:
        """人工服务: staff are called to the kiosk."""
        ...

    def close_notice(self) -> None:
        """The notice card was dismissed."""
        ...

    def more_time(self) -> None:
        """The resident asked for more time after the inactivity warning."""
        ...

    def speaking(self, on: bool) -> None:
        """A question is being read out (`on`) or has been: the inactivity clock waits."""
        ...

    def activity(self) -> None:
        """The resident touched the screen: still there."""
        ...

    def remaining(self) -> float | None:
        """Seconds before the waiting prompt times out, if one waits."""
        ...
