"""One maintenance visit: what every page needs, and how a page asks through the session core.

Pages are `page` prompts (rows to read, numbered actions) asked with `kiosk.flow.asking.ask`,
like any question of a resident: touch or the tactile keypad answers, the session's
inactivity deadline ends the visit, the bar's language and large-text buttons work. Cancel (the
bar, or the keypad's CANCEL) leaves the menu; back returns to the page before.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from kiosk.app import KioskServices
from kiosk.flow import asking
from kiosk.flow.inputs import InputRules, InputType
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind, PromptOption, PromptRow
from kiosk.flow.services import Clock
from kiosk.flow.session import Session
from kiosk.i18n import t
from kiosk.maintenance.audit import FLOW, Audit
from kiosk.session.core import SessionCore

if TYPE_CHECKING:
    from kiosk.updates.agent import UpdateAgent

log = logging.getLogger(__name__)

T = TypeVar("T")

BACK = "back"
"""The value of every page's "back" action (and of the bar's back button)."""
MAX_ACTIONS = 9
"""A page offers at most nine actions: keys 1 to 9 pick them."""


class Leave(Exception):
    """The visit ends: cancelled, timed out, or the kiosk restarts."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass(frozen=True)
class Action:
    """One action a page offers: its value and the text key of its label (or a label)."""

    value: str
    label: str


class Visit:
    """What the pages of one visit share: the kiosk, the session core, the clock, the audit."""

    def __init__(
        self,
        services: KioskServices,
        core: SessionCore,
        session: Session,
        clock: Clock,
        audit: Audit,
        *,
        mode: str,
        started_at: float,
        on_restart: Callable[[], None] | None = None,
        updates: UpdateAgent | None = None,
    ) -> None:
        self.services = services
        self.updates = updates
        self.config = services.config
        self.core = core
        self.session = session
        self.clock = clock
        self.audit = audit
        self.mode = mode
        self.started_at = started_at
        self.on_restart = on_restart
        self.timeout = services.config.maintenance.inactivity

    @property
    def lang(self) -> str:
        """The language on screen."""
        return self.session.language

    def tr(self, key: str, **params: object) -> str:
        """The text `service.<key>` in the language on screen."""
        return t(f"service.{key}", self.lang, **params)

    def tr_or(self, key: str, fallback: str) -> str:
        """The text `service.<key>` if there is one, else `fallback` (a device's own word)."""
        from kiosk.i18n import catalog

        return self.tr(key) if catalog().has(f"service.{key}") else fallback

    # -- building prompts ------------------------------------------------------------------

    def page(
        self,
        step: str,
        title: str,
        rows: Sequence[tuple[str, str]] = (),
        actions: Sequence[Action] = (),
        *,
        text: str = "",
        image: str = "",
        back: bool = True,
    ) -> Prompt:
        """A `page` prompt: rows (label, value as shown), actions numbered 1.., a back action."""
        listed = list(actions)
        if back:
            listed.append(Action(BACK, self.tr("action.back")))
        if len(listed) > MAX_ACTIONS:
            raise ValueError(f"page {step} offers {len(listed)} actions; at most {MAX_ACTIONS}")
        options = tuple(
            PromptOption(a.value, a.label, a.label, number)
            for number, a in enumerate(listed, start=1)
        )
        shown = tuple(PromptRow(label, value, value) for label, value in rows)
        say = " ".join(part for part in (title, text) if part)
        return Prompt(
            flow=FLOW,
            step=step,
            kind=PromptKind.PAGE,
            title=title,
            text=text,
            say=say,
            options=options,
            rows=shown,
            timeout=self.timeout,
            can_go_back=back,
            language=self.lang,
            image=image,
        )

    def number_input(
        self, step: str, title: str, text: str, *, digits: int, error: str | None = None
    ) -> Prompt:
        """A prompt typing a whole number (at most `digits` digits) on the keypad."""
        return Prompt(
            flow=FLOW,
            step=step,
            kind=PromptKind.INPUT,
            title=title,
            text=text,
            say=f"{title} {text}",
            input=InputRules(InputType.DIGITS, min_length=1, max_length=digits),
            timeout=self.timeout,
            can_go_back=True,
            error=error,
            language=self.lang,
        )

    def busy(self, text: str) -> Prompt:
        """A prompt saying the kiosk is working on it."""
        return Prompt(
            flow=FLOW, step="busy", kind=PromptKind.BUSY, text=text, say=text, language=self.lang
        )

    # -- asking ----------------------------------------------------------------------------

    async def ask(
        self,
        build: Callable[[], Prompt],
        work: Awaitable[Any] | None = None,
        *,
        rebuild: asyncio.Event | None = None,
    ) -> Any:
        """The value answered, `BACK`, or `asking.Done` when `work` finished first; raises
        `Leave` on cancel or inactivity. Help asks the page again; setting `rebuild` builds the
        page again (what was typed is kept)."""
        while True:
            reply = await asking.ask(
                self.core, build, self.session, self.clock, work=work, rebuild=rebuild
            )
            if isinstance(reply, asking.Done):
                return reply
            if isinstance(reply, Answer):
                return reply.value
            if reply is Event.BACK:
                return BACK
            if reply is Event.CANCEL:
                raise Leave("cancelled")
            if reply is Event.TIMEOUT:
                raise Leave("timeout")
            work = None  # help: the page again (any work was cancelled with the question)

    async def working(self, text: str, call: Callable[[], T]) -> T:
        """Show `text` as busy while `call` runs in a worker thread; its result."""
        await self.core.show(self.busy(text))
        return await asyncio.to_thread(call)

    # -- words -----------------------------------------------------------------------------

    def when(self, timestamp: float) -> str:
        """A clock time as maintainers read it (local time)."""
        return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")

    def duration(self, seconds: float) -> str:
        """A duration in days, hours, minutes (seconds under a minute)."""
        seconds = max(int(seconds), 0)
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        if days:
            return self.tr("duration.days", days=days, hours=hours)
        if hours:
            return self.tr("duration.hours", hours=hours, minutes=minutes)
        if minutes:
            return self.tr("duration.minutes", minutes=minutes)
        return self.tr("duration.seconds", seconds=secs)

    def fault(self, code: str) -> str:
        """A device fault code in words, with the code itself for the manual."""
        from kiosk.i18n import catalog

        texts = catalog()
        key = f"faults.{code}"
        if texts.has(key):
            return f"{t(key, self.lang)} ({code})"
        family = code.split(".", 1)[0]
        if texts.has(f"faults.{family}.other"):
            return f"{t(f'faults.{family}.other', self.lang)} ({code})"
        return f"{t('faults.other', self.lang)} ({code})"
