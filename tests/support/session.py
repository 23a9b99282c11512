"""A renderer for tests: it keeps every state and acknowledgement the session core gives it."""

from __future__ import annotations

import asyncio

from kiosk.flow.prompt import Prompt
from kiosk.session.state import Change, Feedback, PromptView, SessionState


class Recorder:
    """Attached to a `SessionCore` beside (or instead of) the real renderers."""

    def __init__(self) -> None:
        self.states: list[tuple[SessionState, Change]] = []
        self.feedback_given: list[Feedback] = []
        self.news = asyncio.Event()
        """Set at every change or acknowledgement (clear it before waiting again)."""

    def changed(self, state: SessionState, what: Change) -> None:
        self.states.append((state, what))
        self.news.set()

    def feedback(self, feedback: Feedback) -> None:
        self.feedback_given.append(feedback)
        self.news.set()

    async def settle(self, prompt: Prompt) -> None:
        return None

    async def released(self) -> None:
        return None

    def close(self) -> None:
        return None

    @property
    def state(self) -> SessionState:
        """The state last drawn."""
        return self.states[-1][0]

    @property
    def view(self) -> PromptView:
        """The prompt view last drawn (fails the test when no prompt is shown)."""
        view = self.state.view
        assert isinstance(view, PromptView), f"no prompt shown: {view!r}"
        return view
