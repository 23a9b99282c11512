"""`TouchRenderer`: the touch screen as one of the session's renderers.

The session tells it every change of its state and it draws it on the `KioskShell`; taps go
back to the session through the shell's `inputs`. Call it on the Kivy thread (the asyncio loop
Kivy runs in with `app.async_run(async_lib="asyncio")`).
"""

from __future__ import annotations

import logging

from kiosk.flow.prompt import Prompt
from kiosk.session.renderers import SessionInputs
from kiosk.session.state import Change, Feedback, SessionState
from kiosk.ui.shell import KioskShell

log = logging.getLogger(__name__)


class TouchRenderer:
    """Draws the session's state on a `KioskShell`, whose taps go to `inputs`."""

    name = "touch"

    def __init__(self, shell: KioskShell, inputs: SessionInputs) -> None:
        self.shell = shell
        shell.connect(inputs)

    def changed(self, state: SessionState, what: Change) -> None:
        """Draw what changed."""
        self.shell.draw(state, what)

    def feedback(self, feedback: Feedback) -> None:
        """Nothing to add: keys and refusals show through the answer in progress."""

    async def settle(self, prompt: Prompt) -> None:
        """A screen is presented as soon as it is drawn."""

    async def released(self) -> None:
        """A tap comes in only while a question waits: nothing to let go of."""

    def close(self) -> None:
        """Stop the shell's clocks."""
        self.shell.close()
