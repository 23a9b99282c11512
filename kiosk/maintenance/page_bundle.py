"""The flow bundle page (administrators): the bundle in use, the one before it and the update
status; roll back to the previous bundle (the `current` link switched atomically, the bundle
given up refused from now on), with a reason, audited."""

from __future__ import annotations

from kiosk.maintenance.os_errors import os_error_words
from kiosk.maintenance.visit import BACK, Action, Visit

ROLLBACK = "rollback"
REASONS = ("flows_failing", "residents_complain", "wrong_content", "test")
"""Why an administrator rolls a bundle back."""


def _version(visit: Visit, version: int | None) -> str:
    return visit.tr("bundle.shipped") if version is None else str(version)


def current_bundle(visit: Visit) -> str:
    """The flow bundle in use: its version, or the flows shipped with the software."""
    updates = visit.updates
    return _version(visit, None if updates is None else updates.store.current())


def bundle_rows(visit: Visit) -> list[tuple[str, str]]:
    """The bundle in use, the previous one, and what the last update check found."""
    updates = visit.updates
    rows = [(visit.tr("bundle.flows"), str(len(visit.services.flows.flows)))]
    if updates is None:
        return [(visit.tr("bundle.current"), visit.tr("bundle.shipped")), *rows]
    store, status = updates.store, updates.status
    state = visit.tr(f"bundle.state.{status.state.value}")
    previous = store.previous()
    return [
        (visit.tr("bundle.current"), _version(visit, store.current())),
        (visit.tr("bundle.previous"), "—" if previous is None else str(previous)),
        (visit.tr("bundle.status"), state),
        *rows,
    ]


def _can_roll_back(visit: Visit) -> bool:
    updates = visit.updates
    if updates is None:
        return False
    back = updates.store.previous()
    return back is not None and updates.store.complete(back)


async def _roll_back(visit: Visit) -> str:
    updates = visit.updates
    assert updates is not None
    bad, back = updates.store.current(), updates.store.previous()
    actions = [Action(r, visit.tr(f"bundle.reason.{r}")) for r in REASONS]
    title = visit.tr("bundle.why", bad=_version(visit, bad), back=_version(visit, back))
    reason = await visit.ask(lambda: visit.page("bundle.reason", title, (), actions))
    if reason == BACK:
        return ""
    await visit.core.show(visit.busy(visit.tr("bundle.rolling_back")))
    try:
        now = updates.roll_back(visit.services, visit.services.journal, f"maintainer: {reason}")
    except OSError as exc:
        visit.audit.record("bundle", "rollback", "failed", bundle=bad, reason=reason,
                           error=type(exc).__name__)  # fmt: skip
        why = os_error_words(exc.strerror or type(exc).__name__, visit.lang)
        return visit.tr("bundle.failed", why=why)
    visit.audit.record("bundle", "rollback", "ok", bundle=bad, to=now, reason=reason)
    return visit.tr("bundle.rolled_back", bad=_version(visit, bad), now=_version(visit, now))


async def run(visit: Visit) -> None:
    """Show the bundles; roll back when there is a complete previous one."""
    message = ""
    while True:
        rows = bundle_rows(visit)
        can = _can_roll_back(visit)
        actions = [Action(ROLLBACK, visit.tr("bundle.rollback"))] if can else []
        if not message:
            message = visit.tr(
                "bundle.text" if can else "bundle.none" if visit.updates else "bundle.no_updates"
            )
        text = message
        chosen = await visit.ask(
            lambda rows=rows, actions=actions, text=text: visit.page(  # type: ignore[misc]
                "bundle", visit.tr("page.bundle"), rows, actions, text=text
            )
        )
        message = ""
        if chosen == BACK:
            return
        if chosen == ROLLBACK and _can_roll_back(visit):
            message = await _roll_back(visit)
