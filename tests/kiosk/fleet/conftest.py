"""A fleet server on loopback (SQLite, or a real PostgreSQL), with a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.fleet.app import Fleet, create_app
from kiosk.fleet.ingest import provision
from kiosk.fleet.rollouts import Publisher
from kiosk.fleet.settings import FleetSettings
from tests.kiosk.updates.conftest import (  # noqa: F401  (fixtures for the rollout tests)
    kiosk,
    make_bundle,
    repo,
    served,
    shipped_files,
)
from tests.support.asgi import serving
from tests.support.postgres import postgres_bin, running_postgres

_SCREENSHOTS: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect the screenshots tests recorded (`record_property("screenshot", path)`)."""
    if report.when == "call":
        _SCREENSHOTS.extend(str(v) for k, v in report.user_properties if k == "screenshot")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """List the console's screenshots at the end of the run, to open and look at."""
    if _SCREENSHOTS:
        terminalreporter.write_sep("-", "fleet console screenshots")
        for path in _SCREENSHOTS:
            terminalreporter.write_line(path)


@dataclass
class ManualClock:
    """Server time that moves only when told."""

    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Server:
    """A running fleet server, its state and its clock."""

    url: str
    fleet: Fleet
    clock: ManualClock
    tokens: dict[str, str] = field(default_factory=dict)

    def provision(self, terminal: str, **where: str) -> str:
        """Register a kiosk; its token."""
        with self.fleet.db() as db:
            token = provision(db, terminal, **where)
        self.tokens[terminal] = token
        return token

    def heartbeat(self, terminal: str, token: str | None = None, **fields: Any) -> httpx.Response:
        """Send one heartbeat over HTTP as `terminal`."""
        body = heartbeat_body(terminal, **fields)
        return httpx.post(
            f"{self.url}/api/v1/heartbeats",
            json=body,
            headers={"Authorization": f"Bearer {token or self.tokens[terminal]}"},
        )


SEQUENCES: dict[str, int] = {}


def heartbeat_body(terminal: str, **fields: Any) -> dict[str, Any]:
    """A valid heartbeat body, with the next sequence number for `terminal`."""
    SEQUENCES[terminal] = SEQUENCES.get(terminal, 0) + 1
    body: dict[str, Any] = {
        "schema": 1,
        "terminal": terminal,
        "sequence": SEQUENCES[terminal],
        "sent_at": 0.0,
        "mode": "government",
        "group": "all",
        "kiosk_version": "0.1.0",
        "bundle": 1,
        "update_state": "current",
        "devices": {"printer": {"state": "online", "code": ""}},
        "faults": [],
        "paper": "ok",
        "outbox_backlog": 0,
        "rollbacks": 0,
        "flows": {},
    }
    body.update(fields)
    return body


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """One PostgreSQL server for the session (each test gets its own database)."""
    if postgres_bin() is None:
        pytest.fail("PostgreSQL is not installed: run scripts/setup.sh")
    with running_postgres() as url:
        yield url


_DATABASES = iter(range(1, 10_000))


def fresh_postgres_database(server_url: str) -> str:
    """A new, empty database on the server; its URL."""
    import psycopg

    name = f"fleet_{next(_DATABASES)}"
    address = server_url.removeprefix("postgresql+psycopg://")
    user_host, _, _db = address.rpartition("/")
    user, _, hostport = user_host.partition("@")
    host, _, port = hostport.partition(":")
    with psycopg.connect(
        f"host={host} port={port} user={user} dbname=postgres", autocommit=True
    ) as c:
        c.execute(f"CREATE DATABASE {name}")
    return f"postgresql+psycopg://{user_host}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The fleet database: SQLite in a file, or a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fleet.sqlite3'}"
    return fresh_postgres_database(request.getfixturevalue("postgres"))


def start_server(
    database_url: str, publisher: Publisher | None = None, **settings: Any
) -> tuple[Fleet, ManualClock, Any]:
    """The app of one fleet server process with a manual clock."""
    clock = ManualClock()
    # heartbeats are sent one by one here: none waits for company (test_heartbeat_groups does)
    settings.setdefault("heartbeat_window", 0.0)
    app = create_app(FleetSettings(database_url=database_url, clock=clock, **settings), publisher)
    return app.fleet, clock, app


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    """A fleet server on loopback over the parametrised database."""
    fleet, clock, app = start_server(database_url)
    with serving(app) as url:
        yield Server(url, fleet, clock)
    fleet.engine.dispose()
