"""Several renderers at once (screen, voice, keypad): whichever answers first wins."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from kiosk.flow.prompt import Answer, Event, Prompt, Renderer


class FirstAnswer:
    """A renderer that presents each prompt on every renderer and takes the first answer.

    The others' pending `ask()` calls are cancelled, so the touch screen stops waiting once the
    resident has answered by voice, and speech stops once they have tapped.
    """

    def __init__(self, renderers: Sequence[Renderer]) -> None:
        if not renderers:
            raise ValueError("FirstAnswer needs at least one renderer")
        self.renderers = list(renderers)

    async def ask(self, prompt: Prompt) -> Answer | Event:
        """Ask every renderer; return the first answer and cancel the rest."""
        tasks = [asyncio.ensure_future(r.ask(prompt)) for r in self.renderers]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            first = next(t for t in tasks if t in done)
            return first.result()
        finally:
            for task in tasks:
                if not task.done():
                    task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def show(self, prompt: Prompt) -> None:
        """Show on every renderer together."""
        await asyncio.gather(*(r.show(prompt) for r in self.renderers))
