"""Alerts over the registry: offline too long, paper out, a door jammed, outbox backlog growing."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.fleet.models import Kiosk
from kiosk.fleet.settings import FleetSettings

KINDS = ("offline", "paper_out", "door_jammed", "backlog_growing")


@dataclass(frozen=True)
class Alert:
    """One problem of one kiosk."""

    kind: str
    terminal: str
    district: str
    community: str
    since: float | None
    detail: str

    def as_json(self) -> dict[str, Any]:
        """The alert in the JSON feed."""
        return asdict(self)


def online(kiosk: Kiosk, settings: FleetSettings, now: float) -> bool:
    """Whether the kiosk reported within the offline threshold."""
    return kiosk.last_seen is not None and now - kiosk.last_seen <= settings.offline_after


def alerts_of(kiosk: Kiosk, settings: FleetSettings, now: float) -> list[Alert]:
    """Every alert one kiosk raises now."""
    found: list[Alert] = []

    def add(kind: str, detail: str) -> None:
        found.append(
            Alert(kind, kiosk.terminal, kiosk.district, kiosk.community, kiosk.last_seen, detail)
        )

    if not online(kiosk, settings, now):
        silent = "never" if kiosk.last_seen is None else f"{int(now - kiosk.last_seen)} s"
        add("offline", silent)
    if kiosk.paper == "out":
        add("paper_out", "printer.paper_out")
    if any("jam" in code for code in kiosk.faults or []):
        add("door_jammed", ",".join(c for c in kiosk.faults if "jam" in c))
    if kiosk.backlog_growing >= settings.backlog_alert:
        add("backlog_growing", str(kiosk.outbox_backlog))
    return found


def all_alerts(db: Session, settings: FleetSettings, now: float) -> list[Alert]:
    """Every alert of the fleet, grouped by kind."""
    found = [a for k in db.scalars(select(Kiosk)) for a in alerts_of(k, settings, now)]
    return sorted(found, key=lambda a: (KINDS.index(a.kind), a.district, a.terminal))


@dataclass(frozen=True)
class Overview:
    """The fleet in numbers, for the console and `/metrics`."""

    total: int
    online: int
    offline: int
    faults: int
    paper_low: int
    paper_out: int
    backlog: int
    alerts: dict[str, int]
    bundles: dict[str, int]


def overview(db: Session, settings: FleetSettings, now: float) -> Overview:
    """Counts over the whole fleet."""
    kiosks = list(db.scalars(select(Kiosk)))
    up = sum(online(k, settings, now) for k in kiosks)
    kinds = Counter(a.kind for k in kiosks for a in alerts_of(k, settings, now))
    bundles = Counter(str(k.bundle) if k.bundle is not None else "shipped" for k in kiosks)
    return Overview(
        total=len(kiosks),
        online=up,
        offline=len(kiosks) - up,
        faults=sum(bool(k.faults) for k in kiosks),
        paper_low=sum(k.paper == "low" for k in kiosks),
        paper_out=sum(k.paper == "out" for k in kiosks),
        backlog=sum(k.outbox_backlog for k in kiosks),
        alerts={kind: kinds.get(kind, 0) for kind in KINDS},
        bundles=dict(sorted(bundles.items())),
    )


def prometheus(view: Overview) -> str:
    """The overview in Prometheus' text exposition format."""
    lines = [
        "# HELP kiosk_fleet_kiosks Kiosks registered, by state.",
        "# TYPE kiosk_fleet_kiosks gauge",
        f'kiosk_fleet_kiosks{{state="online"}} {view.online}',
        f'kiosk_fleet_kiosks{{state="offline"}} {view.offline}',
        "# HELP kiosk_fleet_kiosks_with_faults Kiosks reporting a device fault.",
        "# TYPE kiosk_fleet_kiosks_with_faults gauge",
        f"kiosk_fleet_kiosks_with_faults {view.faults}",
        "# HELP kiosk_fleet_paper Kiosks by printer paper state.",
        "# TYPE kiosk_fleet_paper gauge",
        f'kiosk_fleet_paper{{state="low"}} {view.paper_low}',
        f'kiosk_fleet_paper{{state="out"}} {view.paper_out}',
        "# HELP kiosk_fleet_outbox_backlog Submissions waiting in kiosks' outboxes.",
        "# TYPE kiosk_fleet_outbox_backlog gauge",
        f"kiosk_fleet_outbox_backlog {view.backlog}",
        "# HELP kiosk_fleet_alerts Open alerts, by kind.",
        "# TYPE kiosk_fleet_alerts gauge",
    ]
    lines += [f'kiosk_fleet_alerts{{kind="{k}"}} {n}' for k, n in view.alerts.items()]
    lines += [
        "# HELP kiosk_fleet_bundle Kiosks by bundle in use.",
        "# TYPE kiosk_fleet_bundle gauge",
    ]
    lines += [f'kiosk_fleet_bundle{{bundle="{b}"}} {n}' for b, n in view.bundles.items()]
    return "\n".join(lines) + "\n"
