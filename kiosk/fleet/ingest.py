"""Heartbeat ingestion: a kiosk, known by its own token, reports only as itself."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.fleet.models import Heartbeat, Kiosk
from kiosk.fleet.tokens import new_token, token_hash

log = logging.getLogger(__name__)

_Code = Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9._-]*$")]


class FlowCounts(BaseModel):
    """Sessions and failures of one flow since the last heartbeat."""

    sessions: int = Field(ge=0, le=100000)
    failures: int = Field(ge=0, le=100000)


class DeviceState(BaseModel):
    """One device's state and fault code."""

    state: _Code
    code: _Code = ""


class HeartbeatBody(BaseModel):
    """What a kiosk reports (kiosk/heartbeat/report.py builds it); unknown fields refused."""

    model_config = {"extra": "forbid"}

    schema_: int = Field(alias="schema", ge=1, le=1)
    terminal: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
    sequence: int = Field(ge=0)
    sent_at: float
    mode: _Code
    group: _Code
    kiosk_version: _Code
    bundle: int | None = None
    update_state: _Code = ""
    devices: dict[_Code, DeviceState] = Field(default_factory=dict, max_length=32)
    faults: list[_Code] = Field(default_factory=list, max_length=32)
    paper: _Code = "unknown"
    outbox_backlog: int = Field(ge=0)
    rollbacks: int = Field(ge=0, default=0)
    flows: dict[_Code, FlowCounts] = Field(default_factory=dict, max_length=200)


class NotThisKiosk(Exception):
    """The token is unknown, or belongs to another terminal than the body names."""


def provision(
    db: Session, terminal: str, *, district: str = "", community: str = "", group: str = "all"
) -> str:
    """Register a kiosk (or give it a new token); returns the token, shown this once."""
    token = new_token()
    kiosk = db.scalar(select(Kiosk).where(Kiosk.terminal == terminal))
    if kiosk is None:
        kiosk = Kiosk(
            terminal=terminal, token_hash=token_hash(token), faults=[], devices={}, sequence=0
        )
        db.add(kiosk)
    kiosk.token_hash = token_hash(token)
    kiosk.district, kiosk.community, kiosk.group = district, community, group
    db.flush()
    return token


def ingest(db: Session, token: str, body: HeartbeatBody, now: float) -> Kiosk:
    """Record a heartbeat from the kiosk holding `token`; `NotThisKiosk` if it is not the one
    the body names."""
    kiosk = db.scalar(select(Kiosk).where(Kiosk.token_hash == token_hash(token)))
    if kiosk is None or kiosk.terminal != body.terminal:
        raise NotThisKiosk(body.terminal)
    sessions = sum(f.sessions for f in body.flows.values())
    failures = sum(f.failures for f in body.flows.values())
    if body.sequence and body.sequence <= kiosk.sequence:
        return kiosk  # a retried delivery of one already counted
    growing = body.outbox_backlog > kiosk.outbox_backlog and body.outbox_backlog > 0
    kiosk.backlog_growing = kiosk.backlog_growing + 1 if growing else 0
    if body.outbox_backlog == 0:
        kiosk.backlog_growing = 0
    kiosk.sequence = body.sequence
    kiosk.mode = body.mode
    kiosk.group = body.group or kiosk.group
    kiosk.kiosk_version = body.kiosk_version
    kiosk.bundle = body.bundle
    kiosk.update_state = body.update_state
    kiosk.last_seen = now
    kiosk.paper = body.paper
    kiosk.faults = list(body.faults)
    kiosk.devices = {name: d.model_dump() for name, d in body.devices.items()}
    kiosk.outbox_backlog = body.outbox_backlog
    db.add(
        Heartbeat(
            kiosk_id=kiosk.id,
            received_at=now,
            bundle=body.bundle,
            sessions=sessions,
            failures=failures,
            rollbacks=body.rollbacks,
            paper=body.paper,
            faults=list(body.faults),
            outbox_backlog=body.outbox_backlog,
        )
    )
    return kiosk


def summary(kiosk: Kiosk) -> dict[str, Any]:
    """What the server answers a heartbeat with."""
    return {"terminal": kiosk.terminal, "sequence": kiosk.sequence}
