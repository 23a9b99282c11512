"""Heartbeat ingestion: a kiosk, known by its own token, reports only as itself."""

from __future__ import annotations

import logging
from typing import Annotated, Any, cast

from pydantic import BaseModel, Field
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from kiosk.fleet.models import FlowCount, Heartbeat, Kiosk
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


_KIOSKS = cast(Table, Kiosk.__table__)
_FIND = select(
    _KIOSKS.c.id,
    _KIOSKS.c.terminal,
    _KIOSKS.c.sequence,
    _KIOSKS.c.outbox_backlog,
    _KIOSKS.c.backlog_growing,
).where(_KIOSKS.c.token_hash == bindparam("token_hash"))
_UPDATED = (
    "sequence",
    "mode",
    "kiosk_group",
    "kiosk_version",
    "bundle",
    "update_state",
    "last_seen",
    "paper",
    "faults",
    "devices",
    "outbox_backlog",
    "backlog_growing",
)
_UPDATE = (
    update(_KIOSKS)
    .where(_KIOSKS.c.id == bindparam("kiosk"))
    .values({name: bindparam(f"new_{name}") for name in _UPDATED})
)
_INSERT = insert(cast(Table, Heartbeat.__table__))
_INSERT_FLOWS = insert(cast(Table, FlowCount.__table__))
# built once: building statements per request cost more than running them


def ingest(db: Session, token: str, body: HeartbeatBody, now: float) -> dict[str, Any]:
    """Record a heartbeat from the kiosk holding `token`; `NotThisKiosk` if it is not the one
    the body names. Prepared statements, not the ORM: this is the server's hot path."""
    row = db.execute(_FIND, {"token_hash": token_hash(token)}).first()
    if row is None or row.terminal != body.terminal:
        raise NotThisKiosk(body.terminal)
    if body.sequence and body.sequence <= row.sequence:
        return {"terminal": row.terminal, "sequence": row.sequence}  # a retry, counted before
    growing = 0 < body.outbox_backlog and row.outbox_backlog < body.outbox_backlog
    values = {
        "sequence": body.sequence,
        "mode": body.mode,
        "kiosk_group": body.group,
        "kiosk_version": body.kiosk_version,
        "bundle": body.bundle,
        "update_state": body.update_state,
        "last_seen": now,
        "paper": body.paper,
        "faults": list(body.faults),
        "devices": {name: d.model_dump() for name, d in body.devices.items()},
        "outbox_backlog": body.outbox_backlog,
        "backlog_growing": row.backlog_growing + 1 if growing else 0,
    }
    db.execute(_UPDATE, {"kiosk": row.id, **{f"new_{k}": v for k, v in values.items()}})
    db.execute(
        _INSERT,
        {
            "kiosk_id": row.id,
            "received_at": now,
            "bundle": body.bundle,
            "sessions": sum(f.sessions for f in body.flows.values()),
            "failures": sum(f.failures for f in body.flows.values()),
            "rollbacks": body.rollbacks,
            "paper": body.paper,
            "faults": list(body.faults),
            "outbox_backlog": body.outbox_backlog,
        },
    )
    counted = [
        {
            "kiosk_id": row.id,
            "received_at": now,
            "bundle": body.bundle,
            "flow": flow,
            "sessions": c.sessions,
            "failures": c.failures,
        }
        for flow, c in body.flows.items()
        if c.sessions or c.failures
    ]
    if counted:
        db.execute(_INSERT_FLOWS, counted)
    return {"terminal": row.terminal, "sequence": body.sequence}
