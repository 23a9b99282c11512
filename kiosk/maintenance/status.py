"""What the status page reports: devices, paper, the outbox, back offices, disk, flows, uptime.

`gather` only looks (device health checks, one TCP connection attempt per back office); it
blocks for up to a second or two per silent device, so the menu runs it in a worker thread.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.config import BackendConfig
from kiosk.storage.outbox import SqliteOutbox
from peripherals.hub import Hub
from peripherals.status import Health

REACH_TIMEOUT = 2.0
"""Seconds a back office has to accept a connection."""


@dataclass(frozen=True)
class DeviceStatus:
    """One configured device: its name, kind and health."""

    name: str
    kind: str
    health: Health


@dataclass(frozen=True)
class BackOfficeStatus:
    """Whether a back office accepts a connection."""

    name: str
    reachable: bool
    detail: str = ""


@dataclass(frozen=True)
class StatusReport:
    """Everything the status page shows, gathered at one moment."""

    devices: list[DeviceStatus]
    paper: str
    """`ok`, `near_end`, `out`, or `none` (no printer)."""
    pending: int
    dead: int
    oldest_pending_age: float | None
    """Seconds since the oldest undelivered submission was stored."""
    back_offices: list[BackOfficeStatus]
    free_bytes: int
    flows: str
    """The loaded flows and versions, e.g. `2 flows (resident-feedback v1, ...)`."""
    flows_digest: str
    uptime: float


def paper_state(devices: list[DeviceStatus]) -> str:
    """The receipt paper as the printer reports it."""
    printers = [d for d in devices if d.kind == "printer"]
    if not printers:
        return "none"
    health = printers[0].health
    if health.code == "printer.paper_out":
        return "out"
    if health.extra.get("paper_low") or health.code == "printer.paper_low":
        return "near_end"
    return "ok"


def reach(name: str, backend: BackendConfig, timeout: float = REACH_TIMEOUT) -> BackOfficeStatus:
    """Try one TCP connection to a back office."""
    where = urlsplit(backend.base_url)
    port = where.port or (443 if where.scheme == "https" else 80)
    try:
        with socket.create_connection((where.hostname or "", port), timeout=timeout):
            pass
    except OSError as exc:
        return BackOfficeStatus(name, False, exc.strerror or type(exc).__name__)
    return BackOfficeStatus(name, True)


def flow_versions(flows: Mapping[str, int]) -> tuple[str, str]:
    """A line naming every loaded flow with its version, and a short digest of them all."""
    listed = ", ".join(f"{flow_id} v{version}" for flow_id, version in sorted(flows.items()))
    digest = hashlib.sha256(listed.encode()).hexdigest()[:12]
    return f"{len(flows)}: {listed}", digest


def gather(
    hub: Hub,
    outbox: SqliteOutbox,
    backends: Mapping[str, BackendConfig],
    data_dir: Path,
    flows: Mapping[str, int],
    *,
    now: float,
    started_at: float,
) -> StatusReport:
    """Look at everything once (blocking)."""
    devices = [
        DeviceStatus(name, _kind(hub, name), health) for name, health in hub.health().items()
    ]
    counts = outbox.counts()
    pending = outbox.entries("pending", limit=10_000)
    oldest = min((e.created_at for e in pending), default=None)
    try:
        free = shutil.disk_usage(data_dir).free
    except OSError:
        free = 0
    listed, digest = flow_versions(flows)
    return StatusReport(
        devices=devices,
        paper=paper_state(devices),
        pending=counts["pending"],
        dead=counts["dead"],
        oldest_pending_age=None if oldest is None else max(now - oldest, 0.0),
        back_offices=[reach(name, backend) for name, backend in sorted(backends.items())],
        free_bytes=free,
        flows=listed,
        flows_digest=digest,
        uptime=max(now - started_at, 0.0),
    )


def _kind(hub: Hub, name: str) -> str:
    device = hub.get(name)
    if device is not None:
        return device.kind
    return hub.configured_kind(name)
