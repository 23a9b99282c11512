"""The fleet by district and community: counts and a health state per community, laid out as
the grid the console draws in SVG (server-rendered, no script)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from kiosk.fleet import alerts
from kiosk.fleet.models import Kiosk
from kiosk.fleet.settings import FleetSettings

CELL_WIDTH, CELL_HEIGHT, GAP, LABEL_WIDTH, PER_ROW = 150, 64, 8, 130, 7
"""The grid's geometry in pixels: a cell per community, up to PER_ROW in a row, a district's
name to the left of its first row."""


@dataclass
class Place:
    """One community's kiosks in numbers."""

    district: str
    community: str
    total: int = 0
    online: int = 0
    with_alerts: int = 0
    """Kiosks online with an alert (paper out, door jammed, backlog growing)."""

    @property
    def offline(self) -> int:
        """Kiosks not heard from within the offline threshold."""
        return self.total - self.online

    @property
    def health(self) -> str:
        """bad (a kiosk offline), warn (an alert) or ok: the cell's colour."""
        return "bad" if self.offline else "warn" if self.with_alerts else "ok"


@dataclass
class Cell:
    """A community's square on the grid."""

    x: int
    y: int
    place: Place


@dataclass
class District:
    """A district's communities on the grid, and its totals."""

    name: str
    y: int
    cells: list[Cell] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Kiosks in the district."""
        return sum(c.place.total for c in self.cells)

    @property
    def online(self) -> int:
        """Kiosks online in the district."""
        return sum(c.place.online for c in self.cells)


@dataclass
class Grid:
    """The whole drawing: districts in rows, and its size."""

    districts: list[District]
    width: int
    height: int


def by_place(db: Session, settings: FleetSettings, now: float) -> dict[tuple[str, str], Place]:
    """Every community's numbers, keyed by (district, community), counted by the database."""
    when = alerts.conditions(settings, now)
    alerted = or_(*(when[kind] for kind in alerts.KINDS if kind != "offline"))
    rows = db.execute(
        select(
            Kiosk.district,
            Kiosk.community,
            func.count(),
            alerts.counted(when["online"]),
            alerts.counted(and_(when["online"], alerted)),
        ).group_by(Kiosk.district, Kiosk.community)
    )
    places: dict[tuple[str, str], Place] = {}
    for district, community, total, online, with_alerts in rows:
        key = (district or "-", community or "-")
        place = places.setdefault(key, Place(*key))
        place.total += int(total)
        place.online += int(online)
        place.with_alerts += int(with_alerts)
    return places


def grid(places: dict[tuple[str, str], Place]) -> Grid:
    """Lay the communities out: a row (or more) per district, sorted by name."""
    districts: list[District] = []
    y = 0
    for district_name in sorted({d for d, _ in places}):
        district = District(district_name, y)
        communities = sorted(
            (p for (d, _), p in places.items() if d == district_name), key=lambda p: p.community
        )
        for n, place in enumerate(communities):
            row, column = divmod(n, PER_ROW)
            x = LABEL_WIDTH + column * (CELL_WIDTH + GAP)
            district.cells.append(Cell(x, y + row * (CELL_HEIGHT + GAP), place))
        rows = (len(communities) + PER_ROW - 1) // PER_ROW
        y += rows * (CELL_HEIGHT + GAP) + GAP
        districts.append(district)
    columns = min(PER_ROW, max((len(d.cells) for d in districts), default=1))
    return Grid(districts, LABEL_WIDTH + columns * (CELL_WIDTH + GAP), max(y, CELL_HEIGHT))
