"""Alerts over the registry: offline too long, paper out, a door jammed, outbox backlog growing."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, cast, func, not_, or_, select
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


def conditions(settings: FleetSettings, now: float) -> dict[str, ColumnElement[bool]]:
    """`online` and each alert kind as SQL over the kiosks table: what `online` and
    `alerts_of` decide for one kiosk, for counting in the database instead of in Python (fault
    codes are letters, digits and `._-`, so their JSON text holds a quote only when a code is
    there, and "jam" only when a code has it)."""
    faults = cast(Kiosk.faults, String)
    online = and_(Kiosk.last_seen.is_not(None), Kiosk.last_seen >= now - settings.offline_after)
    return {
        "online": online,
        "faulty": faults.like('%"%'),
        "offline": not_(online),
        "paper_out": Kiosk.paper == "out",
        "door_jammed": faults.like("%jam%"),
        "backlog_growing": Kiosk.backlog_growing >= settings.backlog_alert,
    }


def counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet `condition` (0 over none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def all_alerts(db: Session, settings: FleetSettings, now: float) -> list[Alert]:
    """Every alert of the fleet, grouped by kind (only kiosks with one are loaded)."""
    when = conditions(settings, now)
    with_alerts = select(Kiosk).where(or_(*(when[kind] for kind in KINDS)))
    found = [a for k in db.scalars(with_alerts) for a in alerts_of(k, settings, now)]
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
    """Counts over the whole fleet, counted by the database in one pass."""
    when = conditions(settings, now)
    row = db.execute(
        select(
            func.count(),
            counted(when["online"]),
            counted(when["faulty"]),
            counted(Kiosk.paper == "low"),
            counted(Kiosk.paper == "out"),
            func.coalesce(func.sum(Kiosk.outbox_backlog), 0),
            *(counted(when[kind]) for kind in KINDS),
        )
    ).one()
    total, up, faults, paper_low, paper_out, backlog, *kinds = (int(n) for n in row)
    bundles = db.execute(select(Kiosk.bundle, func.count()).group_by(Kiosk.bundle)).all()
    return Overview(
        total=total,
        online=up,
        offline=total - up,
        faults=faults,
        paper_low=paper_low,
        paper_out=paper_out,
        backlog=backlog,
        alerts=dict(zip(KINDS, kinds, strict=True)),
        bundles=dict(sorted((str(b) if b is not None else "shipped", int(n)) for b, n in bundles)),
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
