"""The outbox page: pending and dead submissions (never their payloads; paths and errors
scrubbed), and requeueing or discarding a dead one with a reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from kiosk.maintenance.visit import BACK, Action, Visit
from kiosk.privacy.masking import scrub
from kiosk.storage.outbox import OutboxEntry

REQUEUE, DISCARD = "requeue", "discard"
DISCARD_REASONS = ("test", "duplicate", "invalid", "resident_withdrew")
REQUEUE_REASONS = ("config_fixed", "back_office_fixed", "data_fixed")
"""Why a refused submission is sent again or discarded (picked: free text could hold a name)."""


def error_words(visit: Visit, error: str) -> str:
    """A submission's last error: its key in words with the key (`无法连接 (backend.unreachable)`),
    else the error scrubbed and shortened between words."""
    key = error.split(":", 1)[0].strip()
    if key and visit.tr_or(f"outbox.error.{key}", ""):
        return f"{visit.tr(f'outbox.error.{key}')} ({key})"
    text = scrub(error)
    if len(text) <= 60:
        return text
    cut = text[:60].rsplit(" ", 1)[0]
    return f"{cut}…"


def entry_row(visit: Visit, entry: OutboxEntry) -> tuple[str, str]:
    """One submission as a row: reference → where, status, attempts, age, last error."""
    error = error_words(visit, entry.last_error or "") if entry.last_error else ""
    age = visit.duration(visit.clock.now() - entry.created_at)
    text = visit.tr(
        "outbox.entry",
        backend=entry.backend,
        path=scrub(entry.path),
        status=visit.tr(f"outbox.status.{entry.status}"),
        attempts=entry.attempts,
        age=age,
    )
    return entry.reference, f"{text}{'; ' + error if error else ''}"


async def _pick_dead(visit: Visit, step: str) -> OutboxEntry | None:
    dead = visit.services.outbox.entries("dead", limit=8)
    dead = [entry for entry in dead if entry.has_payload]
    if not dead:
        return None
    actions = [Action(e.reference, f"{e.reference} {e.backend}") for e in dead]
    chosen = await visit.ask(lambda: visit.page(step, visit.tr("outbox.which"), (), actions))
    return next((e for e in dead if e.reference == chosen), None)


async def _reason(visit: Visit, step: str, title: str, reasons: tuple[str, ...]) -> str | None:
    actions = [Action(r, visit.tr(f"outbox.reason.{r}")) for r in reasons]
    chosen = await visit.ask(lambda: visit.page(step, title, (), actions))
    return None if chosen == BACK else str(chosen)


async def _requeue(visit: Visit) -> str:
    entry = await _pick_dead(visit, "outbox.requeue")
    if entry is None:
        return visit.tr("outbox.nothing_dead")
    reason = await _reason(
        visit, "outbox.requeue.reason", visit.tr("outbox.why_again"), REQUEUE_REASONS
    )
    if reason is None:
        return ""
    done = visit.services.outbox.requeue(entry.reference)
    visit.audit.record(
        "outbox",
        "requeue",
        "ok" if done else "unchanged",
        reference=entry.reference,
        reason=reason,
    )
    return visit.tr("outbox.requeued", reference=entry.reference)


async def _discard(visit: Visit) -> str:
    entry = await _pick_dead(visit, "outbox.discard")
    if entry is None:
        return visit.tr("outbox.nothing_dead")
    reason = await _reason(visit, "outbox.discard.reason", visit.tr("outbox.why"), DISCARD_REASONS)
    if reason is None:
        return ""
    done = visit.services.outbox.discard(entry.reference)
    visit.audit.record(
        "outbox",
        "discard",
        "ok" if done else "unchanged",
        reference=entry.reference,
        reason=reason,
    )
    return visit.tr("outbox.discarded", reference=entry.reference)


_ACTIONS: dict[str, Callable[[Visit], Awaitable[str]]] = {REQUEUE: _requeue, DISCARD: _discard}


async def run(visit: Visit) -> None:
    """Pending and dead submissions; requeue or discard a dead one."""
    message = ""
    while True:
        outbox = visit.services.outbox
        counts = outbox.counts()
        listed = outbox.entries("pending", limit=5) + outbox.entries("dead", limit=5)
        rows = [
            (visit.tr("outbox.pending"), str(counts["pending"])),
            (visit.tr("outbox.dead"), str(counts["dead"])),
            *(entry_row(visit, e) for e in listed),
        ]
        actions = [
            Action(REQUEUE, visit.tr("outbox.requeue")),
            Action(DISCARD, visit.tr("outbox.discard")),
        ]
        shown = message
        chosen = await visit.ask(
            lambda rows=rows, shown=shown, actions=actions: visit.page(  # type: ignore[misc]
                "outbox", visit.tr("page.outbox"), rows, actions, text=shown
            )
        )
        if chosen == BACK:
            return
        message = await _ACTIONS[str(chosen)](visit)
