"""The heartbeat as a task on the kiosk's loop: wait on the kiosk's clock, send on a thread."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from kiosk.flow.services import Clock
from kiosk.heartbeat.sender import HeartbeatSender, Identity
from kiosk.updates.status import UpdateStatus

log = logging.getLogger(__name__)


def sender_for(services: Any, clock: Clock, status_file: Path | None) -> HeartbeatSender | None:
    """The heartbeat of a kiosk's services, or None when no fleet server is configured."""
    from kiosk.bundle.manifest import kiosk_version

    config = services.config
    settings = config.heartbeat
    if settings.backend not in config.backends:
        return None

    def update() -> tuple[int | None, str]:
        if status_file is None:
            return None, "not_configured"
        status = UpdateStatus.load(status_file)
        return status.bundle, str(status.state)

    return HeartbeatSender(
        Identity(config.terminal.id, config.terminal.mode, config.updates.group, kiosk_version()),
        outbox=services.outbox,
        journal=services.journal,
        health=services.hub.health,
        update=update,
        state_file=Path(config.data_dir) / "heartbeat.json",
        clock=clock,
        backend=settings.backend,
        interval=settings.interval,
        jitter=settings.jitter,
    )


async def run_heartbeats(sender: HeartbeatSender, clock: Clock) -> None:
    """Send heartbeats when due until cancelled (the sending itself on a thread)."""
    while True:
        await clock.sleep(max(sender.next_at - clock.now(), 0.0))
        try:
            await asyncio.to_thread(sender.tick)
        except Exception:
            log.exception("heartbeat failed")  # the next one is scheduled: keep going
