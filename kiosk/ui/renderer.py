"""`KivyRenderer`: the engine's `Renderer` protocol on the touch screen.

Answers by touch, per prompt kind: info, error and result → `Answer(True)`; choose → the
option's `value`; input → the typed string (validated against the input rules first);
confirm and consent → `Answer(True)` or `Answer(False)`; device_wait and busy wait for the
engine (the resident can still go back, cancel or ask for help). The service bar gives
`Event.BACK`, `Event.CANCEL` and `Event.HELP`. Call it from the Kivy thread (the asyncio loop
Kivy runs in with `app.async_run(async_lib="asyncio")`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from kiosk.flow.prompt import Answer, Event, Prompt
from kiosk.ui.shell import KioskShell

log = logging.getLogger(__name__)


class KivyRenderer:
    """Presents prompts on a `KioskShell`; `ask` resolves when the resident taps an answer."""

    name = "touch"

    def __init__(self, shell: KioskShell) -> None:
        self.shell = shell

    async def ask(self, prompt: Prompt) -> Answer | Event:
        """Show the prompt's screen and return the resident's answer or event."""
        future: asyncio.Future[Answer | Event] = asyncio.get_running_loop().create_future()

        def respond(result: Answer | Event) -> None:
            if not future.done():
                future.set_result(result)

        self.shell.show_prompt(prompt, respond)
        try:
            return await future
        finally:
            # another renderer may have answered first (the task is cancelled): stop listening
            self.shell.release(respond)

    async def show(self, prompt: Prompt) -> None:
        """Show a prompt that does not wait: no answer buttons appear."""
        self.shell.show_prompt(dataclasses.replace(prompt, waits=False))

    def refresh(self, prompt: Prompt) -> None:
        """Re-show the pending prompt re-issued in another language; typed input is kept."""
        self.shell.show_prompt(prompt)
