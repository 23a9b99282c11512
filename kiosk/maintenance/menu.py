"""`ServiceMenu`: one maintainers' visit, from the PIN or card to leaving (or inactivity).

The session loop runs it between residents' sessions only. The home page offers the pages the
maintainer's role allows (the locker page only on a locker); every action is journalled
(`Audit`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from kiosk.app import KioskServices
from kiosk.flow.services import Clock
from kiosk.flow.session import Session
from kiosk.maintenance import (
    page_bundle,
    page_journal,
    page_locker,
    page_outbox,
    page_selftest,
    page_settings,
    page_status,
)
from kiosk.maintenance.audit import Audit
from kiosk.maintenance.login import log_in
from kiosk.maintenance.roles import Maintainer, Page
from kiosk.maintenance.visit import BACK, Action, Leave, Visit
from kiosk.session.core import SessionCore

if TYPE_CHECKING:
    from kiosk.updates.agent import UpdateAgent

log = logging.getLogger(__name__)

EXIT = "exit"

PAGES: dict[Page, Callable[[Visit], Awaitable[None]]] = {
    Page.STATUS: page_status.run,
    Page.SELFTEST: page_selftest.run,
    Page.LOCKER: page_locker.run,
    Page.OUTBOX: page_outbox.run,
    Page.JOURNAL: page_journal.run,
    Page.SETTINGS: page_settings.run,
    Page.BUNDLE: page_bundle.run,
    Page.RESTART: page_settings.restart,
}
"""What each page of the home menu runs."""


class ServiceMenu:
    """The maintainers' service menu on a kiosk's services, asked through `core`."""

    def __init__(
        self,
        services: KioskServices,
        core: SessionCore,
        clock: Clock,
        *,
        mode: str,
        started_at: float,
        on_restart: Callable[[], None] | None = None,
        updates: UpdateAgent | None = None,
    ) -> None:
        self.services = services
        self.updates = updates
        self.core = core
        self.clock = clock
        self.mode = mode
        self.started_at = started_at
        self.on_restart = on_restart
        self.last: Visit | None = None

    async def run(self, session: Session, how: str) -> str:
        """One visit; returns why it ended (`left`, `cancelled`, `timeout`, `restart`)."""
        audit = Audit(self.services.journal, f"service-{session.id[:12]}")
        visit = self.last = Visit(
            self.services,
            self.core,
            session,
            self.clock,
            audit,
            mode=self.mode,
            started_at=self.started_at,
            on_restart=self.on_restart,
            updates=self.updates,
        )
        audit.record("entry", "opened", "ok", how=how)
        why = "left"
        try:
            audit.maintainer = await log_in(visit)
            audit.record("login", "login", "ok", method=audit.maintainer.who.split(":", 1)[0])
            await self._home(visit, audit.maintainer)
        except Leave as leave:
            why = leave.why
        audit.record("home", "closed", "ok", why=why)
        return why

    def pages(self, maintainer: Maintainer) -> list[Page]:
        """The pages this maintainer may open on this kiosk, in order."""
        locker = self.mode == "locker" and self.services.locker is not None
        return [p for p in Page if maintainer.may(p) and (p is not Page.LOCKER or locker)]

    async def _home(self, visit: Visit, maintainer: Maintainer) -> None:
        pages = self.pages(maintainer)

        def home() -> object:
            config = visit.config
            rows = [
                (visit.tr("home.role"), visit.tr(f"role.{maintainer.role.value}")),
                (visit.tr("home.who"), maintainer.who),
                (visit.tr("home.terminal"), config.terminal.id),
                (visit.tr("home.mode"), visit.tr(f"mode.{self.mode}")),
                (visit.tr("home.time"), visit.when(self.clock.now())),
            ]
            actions = [Action(p.value, visit.tr(f"page.{p.value}")) for p in pages]
            actions.append(Action(EXIT, visit.tr("action.exit")))
            return visit.page("home", visit.tr("home.title"), rows, actions, back=False)

        while True:
            chosen = await visit.ask(home)  # type: ignore[arg-type]
            if chosen in (EXIT, BACK):
                raise Leave("left")
            page = Page(chosen)
            if page not in pages:  # cannot be offered, but never trust a value
                visit.audit.record(page.value, "open", "refused")
                continue
            visit.audit.record(page.value, "open", "ok")
            await PAGES[page](visit)
