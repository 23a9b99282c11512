"""The status page: every device's health and fault in words, paper, the outbox's backlog,
back offices, disk space, the flow bundle and flow versions, and uptime."""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.config import BackendConfig
from kiosk.maintenance.os_errors import os_error_words
from kiosk.maintenance.page_bundle import current_bundle
from kiosk.maintenance.status import StatusReport, gather
from kiosk.maintenance.visit import BACK, Action, Visit

REFRESH, POWER = "refresh", "power"


def back_offices(visit: Visit) -> Mapping[str, BackendConfig]:
    """The back offices this kiosk sends to (the demo one when simulating)."""
    services = visit.services
    if services.demo is not None and not visit.config.backends:
        return {"demo": services.demo.backend()}
    return visit.config.backends


def device_label(visit: Visit, name: str, kind: str) -> str:
    """A device as maintainers read it: its kind in words, and its name if it has its own."""
    label = visit.tr(f"kind.{kind}") if kind else name
    return label if name == kind else f"{label} ({name})"


def rows(visit: Visit, report: StatusReport) -> list[tuple[str, str]]:
    """The report as (label, value) rows in the language on screen."""
    out: list[tuple[str, str]] = []
    for device in report.devices:
        label = device_label(visit, device.name, device.kind)
        value = visit.tr(f"state.{device.health.state.value}")
        if device.health.code:
            value = f"{value}: {visit.fault(device.health.code)}"
        out.append((label, value))
    out.append((visit.tr("status.paper"), visit.tr(f"paper.{report.paper}")))
    backlog = visit.tr("status.pending", count=report.pending)
    if report.oldest_pending_age is not None:
        backlog += visit.tr("status.oldest", age=visit.duration(report.oldest_pending_age))
    out.append((visit.tr("status.outbox"), backlog))
    out.append((visit.tr("status.dead"), str(report.dead)))
    for office in report.back_offices:
        shown = visit.tr("status.reachable" if office.reachable else "status.unreachable")
        if office.detail:
            shown = f"{shown} ({os_error_words(office.detail, visit.lang)})"
        out.append((visit.tr("status.back_office", name=office.name), shown))
    out.append((visit.tr("status.disk"), f"{report.free_bytes // 2**20} MiB"))
    out.append((visit.tr("bundle.current"), current_bundle(visit)))
    out.append((visit.tr("status.flows"), f"{report.flows} [{report.flows_digest}]"))
    out.append((visit.tr("status.uptime"), visit.duration(report.uptime)))
    return out


async def look(visit: Visit) -> StatusReport:
    """Gather the report in a worker thread (silent devices take a second each)."""
    services = visit.services
    flows = {flow.id: flow.version for flow in services.flows.flows.values()}
    offices = back_offices(visit)
    now = visit.clock.now()
    return await visit.working(
        visit.tr("status.looking"),
        lambda: gather(
            services.hub,
            services.outbox,
            offices,
            services.data_dir,
            flows,
            now=now,
            started_at=visit.started_at,
        ),
    )


async def power_cycle(visit: Visit) -> str:
    """Pick a device; close and open it again (the drivers' power cycle); what became of it."""
    hub = visit.services.hub
    labels = {name: device_label(visit, name, hub.configured_kind(name)) for name in hub.names()}
    actions = [Action(name, label) for name, label in list(labels.items())[:8]]
    chosen = await visit.ask(
        lambda: visit.page(
            "status.power", visit.tr("power.which"), (), actions, text=visit.tr("power.text")
        )
    )
    if chosen == BACK:
        return ""
    name = str(chosen)
    label = labels[name]
    health = await visit.working(visit.tr("power.cycling", device=label), lambda: hub.reopen(name))
    visit.audit.record(
        "status",
        "power_cycle",
        "ok" if health.usable else "failed",
        device=name,
        kind=hub.configured_kind(name),
        code=health.code,
    )
    state = visit.tr(f"state.{health.state.value}")
    if health.code:
        state = f"{state}: {visit.fault(health.code)}"
    return visit.tr("power.done", device=label, state=state)


async def run(visit: Visit) -> None:
    """Show the status until the maintainer goes back; refresh looks again; a device can be
    power-cycled (closed and opened again)."""
    message = ""
    while True:
        report = await look(visit)
        shown = rows(visit, report)
        problems = sum(1 for d in report.devices if not d.health.usable)
        visit.audit.record(
            "status",
            "viewed",
            "ok",
            devices_down=problems,
            pending=report.pending,
            unreachable=[o.name for o in report.back_offices if not o.reachable],
        )
        text = message
        chosen = await visit.ask(
            lambda shown=shown, text=text: visit.page(  # type: ignore[misc]
                "status",
                visit.tr("page.status"),
                shown,
                [
                    Action(REFRESH, visit.tr("action.refresh")),
                    Action(POWER, visit.tr("power.action")),
                ],
                text=text,
            )
        )
        message = ""
        if chosen == BACK:
            return
        if chosen == POWER:
            message = await power_cycle(visit)
