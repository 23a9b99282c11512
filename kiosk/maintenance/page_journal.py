"""The journal page: a day of the journal, a page of entries at a time, and its export (hash
chained, scrubbed) to a file or a USB stick's mount point."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from kiosk.maintenance.export import write_export
from kiosk.maintenance.journal_words import entry_words, step_words
from kiosk.maintenance.visit import BACK, Action, Visit
from kiosk.storage.journal import JournalEntry

PER_PAGE = 8
DAYS = 7
EARLIER, LATER, EXPORT = "earlier", "later", "export"


def day_range(now: float, days_ago: int) -> tuple[float, float, str]:
    """The start and end (timestamps) of a local day `days_ago` before `now`, and its date."""
    day = dt.datetime.fromtimestamp(now).date() - dt.timedelta(days=days_ago)
    start = dt.datetime.combine(day, dt.time())
    end = start + dt.timedelta(days=1)
    return start.timestamp(), end.timestamp(), day.isoformat()


def entry_rows(visit: Visit, entries: list[JournalEntry]) -> list[tuple[str, str]]:
    """Each entry as a row: its time, then its event, where and how it went in words in the
    language on screen, over a few of its details (scrubbed)."""
    lang = visit.lang
    known = list(visit.services.flows.flows.values())
    flows = {f.id: f.title.get(lang) for f in known}
    steps = step_words(known, lang)
    return [entry_words(entry, lang, flows, steps).row() for entry in entries]


def export_folder(visit: Visit) -> Path:
    """Where exports go: `[maintenance] export_dir`, else `data_dir/exports`."""
    return visit.config.maintenance.export_dir or visit.services.data_dir / "exports"


async def _export(visit: Visit, entries: list[JournalEntry], label: str) -> str:
    folder = export_folder(visit)
    try:
        done = await visit.working(
            visit.tr("journal.exporting"),
            lambda: write_export(
                folder,
                entries,
                terminal=visit.config.terminal.id,
                label=label,
                exported_at=visit.clock.now(),
            ),
        )
    except OSError as exc:
        visit.audit.record("journal", "export", "failed", day=label, error=exc.strerror or "")
        return visit.tr("journal.export_failed", folder=str(folder))
    visit.audit.record(
        "journal", "export", "ok", day=label, file=done.path.name, count=done.count, head=done.head
    )
    return visit.tr("journal.exported", file=str(done.path), count=done.count, head=done.head[:16])


def _now() -> float:
    """Now as the journal stamps its entries (the wall clock, whatever the session's clock)."""
    return time.time()


async def _day(visit: Visit, days_ago: int) -> None:
    start, end, label = day_range(_now(), days_ago)
    entries = visit.services.journal.between(start, end)
    first = max(len(entries) - PER_PAGE, 0)  # the latest page first
    message = ""
    visit.audit.record("journal", "browse", "ok", day=label, entries=len(entries))
    while True:
        shown = entries[first : first + PER_PAGE]
        actions = []
        if first > 0:
            actions.append(Action(EARLIER, visit.tr("journal.earlier")))
        if first + PER_PAGE < len(entries):
            actions.append(Action(LATER, visit.tr("journal.later")))
        actions.append(Action(EXPORT, visit.tr("journal.export")))
        text = message or visit.tr("journal.count", day=label, count=len(entries))
        chosen = await visit.ask(
            # rows built with the page: a language picked on it says them again in that language
            lambda shown=shown, actions=actions, text=text: visit.page(  # type: ignore[misc]
                "journal.day",
                visit.tr("page.journal"),
                entry_rows(visit, shown),
                actions,
                text=text,
            )
        )
        message = ""
        if chosen == BACK:
            return
        if chosen == EARLIER:
            first = max(first - PER_PAGE, 0)
        elif chosen == LATER:
            first = min(first + PER_PAGE, max(len(entries) - 1, 0))
        elif chosen == EXPORT:
            message = await _export(visit, entries, label)


async def run(visit: Visit) -> None:
    """Pick a day of the last week; browse and export it."""
    while True:
        now = _now()
        today = f" ({visit.tr('journal.today')})"
        actions = [Action(str(n), day_range(now, n)[2] + ("" if n else today)) for n in range(DAYS)]
        chosen = await visit.ask(
            lambda actions=actions: visit.page(  # type: ignore[misc]
                "journal", visit.tr("page.journal"), (), actions, text=visit.tr("journal.pick_day")
            )
        )
        if chosen == BACK:
            return
        await _day(visit, int(chosen))
