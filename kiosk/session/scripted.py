"""`ScriptedResident`: a resident who uses the kiosk from answers files, through the session.

It is a renderer like the touch screen and the voice: told each state, it answers the prompt
waiting on screen through the session's inputs (`SessionInputs`), exactly where taps and keys
go. It starts a session from the attract screen, picks a service from the menu, answers every
flow prompt from that service's answers file (`kiosk.flow.scripted`), and takes the result
away. Soak tests and `benchmarks/soak.py` run whole kiosks with it, session after session.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.flow.scripted import Script, ScriptedRenderer, ScriptError
from kiosk.flow.steps.answers import pick, yes_no
from kiosk.flow.tasks import cancel_and_wait
from kiosk.session.renderers import SessionInputs
from kiosk.session.state import AttractView, Change, Feedback, PromptView, SessionState
from peripherals.keypad.keys import Key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Visit:
    """One service to use, with the answers file that says what the resident does."""

    service: str
    script: Script


class ScriptedResident:
    """Uses the kiosk for `visits`, in turn, `sessions` times in all; then stops starting.

    `on_visit(visit)` is called as each session starts (a simulation presents the visit's
    cards and codes from it). Errors of the script (no answer for a prompt) end the session
    by cancelling, and are kept in `errors`.
    """

    name = "scripted"

    def __init__(
        self,
        inputs: SessionInputs,
        visits: Sequence[Visit],
        sessions: int,
        *,
        on_visit: Callable[[Visit], None] | None = None,
        by_keys: bool = False,
        listen: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        if not visits:
            raise ValueError("a scripted resident needs at least one visit")
        self.inputs = inputs
        self.visits = list(visits)
        self.sessions = sessions
        self.on_visit = on_visit
        self.by_keys = by_keys
        """Answer with the tactile keypad (free text, which it cannot type, as dictated)."""
        self.listen = listen
        """Awaited before each answer: a resident who cannot see hears the prompt out first."""
        self.decisions = 0
        """Prompts decided in the current session (the menu's choice included; a result or
        error taken away is no decision)."""
        self.started = 0
        self.errors: list[str] = []
        self.visit: Visit | None = None
        self._oracle: ScriptedRenderer | None = None
        self._acting: asyncio.Task[None] | None = None
        self.done = asyncio.Event()
        """Set once the last session has ended and the attract screen is back."""

    def changed(self, state: SessionState, what: Change) -> None:
        """Act on a new view: start, choose the service, answer, take the result."""
        if not what & (Change.VIEW | Change.WAITING):
            return
        self._stop_acting()
        view = state.view
        if isinstance(view, AttractView):
            self._at_attract()
        elif isinstance(view, PromptView) and view.waiting:
            self._acting = asyncio.ensure_future(self._answer(view.prompt))

    def feedback(self, feedback: Feedback) -> None:
        """A refused answer would be answered again from the script at the next prompt."""

    async def settle(self, prompt: Prompt) -> None:
        """Nothing to present."""

    async def released(self) -> None:
        """Nothing heard late."""

    def close(self) -> None:
        """Stop acting."""
        self._stop_acting()

    def _at_attract(self) -> None:
        if self.started >= self.sessions:
            self.done.set()
            return
        self.visit = self.visits[self.started % len(self.visits)]
        self.started += 1
        self._oracle = ScriptedRenderer(self.visit.script)
        self.decisions = 0
        if self.on_visit is not None:
            self.on_visit(self.visit)
        if self.by_keys:
            self.inputs.key(Key.VOICE)  # a blind resident starts with the voice key
        self.inputs.start("keypad" if self.by_keys else "script")

    async def _answer(self, prompt: Prompt) -> None:
        # Let the session finish presenting before acting, as a person would.
        await asyncio.sleep(0)
        if self.listen is not None:
            await self.listen()
        if prompt.kind is PromptKind.MENU:
            assert self.visit is not None
            self._give(prompt, self.visit.service)
            return
        if prompt.kind in (PromptKind.RESULT, PromptKind.ERROR):
            self._give(prompt, True)
            return
        oracle = self._oracle
        if oracle is None:
            return
        try:
            reply = await oracle.ask(prompt)
        except ScriptError as exc:
            self.errors.append(str(exc))
            log.warning("scripted resident gives up: %s", exc)
            self.inputs.event(Event.CANCEL)
            return
        if isinstance(reply, Answer):
            self._give(prompt, reply.value)
        else:
            self.inputs.event(reply)

    def _give(self, prompt: Prompt, value: Any) -> None:
        if prompt.kind not in (PromptKind.RESULT, PromptKind.ERROR):
            self.decisions += 1
        keys = keys_for(prompt, value) if self.by_keys else None
        if keys is None:
            self.inputs.answer(value, "script")
            return
        for key in keys:
            self.inputs.key(key)

    def _stop_acting(self) -> None:
        acting, self._acting = self._acting, None
        if acting is not None and not acting.done():
            acting.cancel()

    async def stopped(self) -> None:
        """Wait until the last answering task has ended."""
        acting, self._acting = self._acting, None
        if acting is not None:
            await cancel_and_wait([acting])


def keys_for(prompt: Prompt, value: Any) -> list[Key] | None:
    """The tactile keys that give `value` on `prompt` (None: free text, not typed by keys)."""
    if prompt.kind in (PromptKind.CHOOSE, PromptKind.MENU):
        option = pick(prompt.options, value)
        if option is None:
            raise ScriptError(f"{prompt.step}: no option {value!r}")
        return [Key(str(option.key))] if option.key < 10 else None
    if prompt.kind in (PromptKind.CONFIRM, PromptKind.CONSENT):
        return [Key.DIGIT_1 if yes_no(value) else Key.DIGIT_2]
    if prompt.kind is PromptKind.INPUT:
        rules = prompt.input
        phrase = next((o for o in prompt.options if o.value == value), None)
        if phrase is not None:  # one of a text input's common phrases, by its number
            return [Key(str(phrase.key)), Key.ENTER]
        if rules is None or not rules.typing.numeric:
            return None
        return [Key.STAR if ch in "Xx." else Key(ch) for ch in str(value)] + [Key.ENTER]
    return [Key.ENTER]
