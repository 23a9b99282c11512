"""The fleet server's ASGI application: the kiosks' API, alerts, metrics and the console."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy.orm import Session

from kiosk.fleet import alerts, console, ingest, rollouts
from kiosk.fleet.database import engine_for, migrate, sessions_for
from kiosk.fleet.intake import HeartbeatIntake
from kiosk.fleet.publisher import RepositoryPublisher
from kiosk.fleet.rollouts import Publisher, RecordingPublisher
from kiosk.fleet.settings import FleetSettings

log = logging.getLogger(__name__)


class Fleet:
    """What the routes share: settings, the database and where rollouts publish."""

    def __init__(self, settings: FleetSettings, publisher: Publisher | None = None) -> None:
        self.settings = settings
        self.engine = engine_for(settings.database_url)
        migrate(self.engine)
        self._sessions = sessions_for(self.engine)
        self.recorder = ingest.Recorder(self.engine, window=settings.heartbeat_window)
        if publisher is None:
            publisher = (
                RepositoryPublisher(settings.repository, settings.keys)
                if settings.repository is not None
                else RecordingPublisher()
            )
        self.publisher = publisher

    def now(self) -> float:
        """The server's time (injected in tests)."""
        return self.settings.clock()

    def tick(self) -> None:
        """One check of every running rollout."""
        with self.db() as db:
            rollouts.tick(db, self.publisher, self.now())

    @contextmanager
    def db(self) -> Iterator[Session]:
        """A session committed at the end of the block, rolled back on error."""
        with self._sessions.begin() as session:
            yield session


async def _ticking(fleet: Fleet) -> None:
    """Check running rollouts every `tick_interval` seconds: halt or advance them on schedule
    (every instance does; the rollout rows are locked, so each change happens once)."""
    while True:
        await asyncio.sleep(fleet.settings.tick_interval)
        try:
            await asyncio.to_thread(fleet.tick)
        except Exception:
            log.exception("rollout check failed")


def create_app(settings: FleetSettings, publisher: Publisher | None = None) -> HeartbeatIntake:
    """The application for one server process (any number may share the database): heartbeats
    answered before anything else, the rest by FastAPI (`.app`); its state is `.fleet`."""
    fleet = Fleet(settings, publisher)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_ticking(fleet))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await fleet.recorder.aclose()

    app = FastAPI(
        title="Kiosk fleet",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        # no OpenTelemetry (operators get /metrics): its per-request check is skipped
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )

    @app.get("/api/v1/alerts")
    def alert_feed() -> JSONResponse:
        with fleet.db() as db:
            found = alerts.all_alerts(db, settings, fleet.now())
        return JSONResponse({"alerts": [a.as_json() for a in found]})

    @app.get("/metrics")
    def metrics() -> PlainTextResponse:
        with fleet.db() as db:
            view = alerts.overview(db, settings, fleet.now())
        return PlainTextResponse(alerts.prometheus(view), media_type="text/plain; version=0.0.4")

    @app.get("/healthz")
    def healthz(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok\n")

    console.mount(app, fleet)
    return HeartbeatIntake(app, fleet)  # POST /api/v1/heartbeats, the hot path
