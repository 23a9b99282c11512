"""The inactivity warning: up `lead` seconds before a session's deadline, down on any activity.

The deadline is the session's (`Session.deadline`: the waiting prompt's timeout after the last
activity). The watch sleeps on the session's clock until the warning is due, so a manual clock
in tests raises it exactly when advanced far enough; any activity, or a new prompt with its own
timeout, wakes it to look again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from kiosk.flow.services import Clock
from kiosk.flow.session import Session
from kiosk.flow.tasks import first_of

log = logging.getLogger(__name__)

MIN_WARNING_LEAD = 20.0
"""The inactivity warning comes at least this many seconds before the deadline."""


def check_lead(lead: float) -> float:
    """`lead` if the warning would come early enough, else `ValueError`."""
    if lead < MIN_WARNING_LEAD:
        raise ValueError(f"warn at least {MIN_WARNING_LEAD:.0f} s before the deadline")
    return lead


class InactivityWatch:
    """Calls `warn(seconds_left)` when the warning should go up and `warn(None)` when down."""

    def __init__(
        self,
        session: Session,
        clock: Clock,
        lead: float,
        warn: Callable[[float | None], None],
    ) -> None:
        self.session = session
        self.clock = clock
        self.lead = check_lead(lead)
        self.warn = warn
        self.warning = False
        self._moved = asyncio.Event()
        self._unsubscribe = session.subscribe(self._changed)
        self._task = asyncio.ensure_future(self._watch())

    def stop(self) -> None:
        """Stop watching (the session is over)."""
        self._unsubscribe()
        self._task.cancel()

    def _changed(self, what: str) -> None:
        if what not in ("activity", "deadline"):
            return
        self._moved.set()
        left = self.session.remaining()
        if self.warning and (left is None or left > self.lead):
            self.warning = False
            self.warn(None)

    async def _watch(self) -> None:
        session = self.session
        while not session.ended:
            self._moved.clear()
            deadline = session.deadline
            now = self.clock.now()
            if deadline is None or deadline <= now or session.held:
                await self._moved.wait()
                continue
            warn_at = deadline - self.lead
            if now >= warn_at and not self.warning:
                log.info("inactivity warning shown")
                self.warning = True
                self.warn(deadline - now)
            wake = warn_at if now < warn_at else deadline
            await first_of(self.clock.sleep(wake - now), self._moved.wait())
