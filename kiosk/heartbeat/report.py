"""What a heartbeat says: versions, device health, paper, outbox backlog and per-flow counts.

Only codes, counts and versions: never a session's data, so nothing personal can leave this way
(tests/test_privacy.py scans heartbeat bodies too).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk.privacy.masking import scrub

log = logging.getLogger(__name__)

SCHEMA = 1
"""The heartbeat body's format version."""

PAPER_CODES = {"printer.paper_out": "out", "printer.paper_low": "low"}


class JournalLine(Protocol):
    """The journal fields a heartbeat counts."""

    id: int
    flow: str
    event: str
    detail: dict[str, Any]


class HealthLike(Protocol):
    """A device's health as the hub reports it."""

    @property
    def state(self) -> str: ...

    @property
    def code(self) -> str: ...


@dataclass
class FlowCounts:
    """Sessions started and failed for one flow since the last heartbeat."""

    sessions: int = 0
    failures: int = 0


@dataclass
class Tally:
    """Per-flow counts and bundle rollbacks over a run of journal entries."""

    flows: dict[str, FlowCounts] = field(default_factory=dict)
    rollbacks: int = 0
    last_id: int = 0


def tally(entries: Iterable[JournalLine], after: int = 0) -> Tally:
    """Count sessions (`started`), failures (`ended` with status failed or aborted) and
    rollbacks in journal entries newer than `after`."""
    result = Tally(last_id=after)
    for entry in entries:
        if entry.id <= after:
            continue
        result.last_id = max(result.last_id, entry.id)
        if entry.event == "bundle_rolled_back":
            result.rollbacks += 1
            continue
        if not entry.flow:
            continue
        counts = result.flows.setdefault(entry.flow, FlowCounts())
        if entry.event == "started":
            counts.sessions += 1
        elif entry.event == "ended" and entry.detail.get("status") in ("failed", "aborted"):
            counts.failures += 1
    return result


def device_report(health: Mapping[str, HealthLike]) -> tuple[dict[str, dict[str, str]], str]:
    """Each device's state and fault code, and the paper state (ok, low, out or unknown)."""
    devices: dict[str, dict[str, str]] = {}
    paper = "unknown"
    for name, h in sorted(health.items()):
        devices[name] = {"state": str(h.state), "code": h.code}
        if name == "printer" or h.code.startswith("printer."):
            paper = PAPER_CODES.get(h.code, "ok" if str(h.state) == "online" else paper)
    return devices, paper


def build_body(
    *,
    terminal: str,
    mode: str,
    group: str,
    kiosk_version: str,
    bundle: int | None,
    update_state: str,
    health: Mapping[str, HealthLike],
    outbox_backlog: int,
    counts: Tally,
    sent_at: float,
    sequence: int,
) -> dict[str, Any]:
    """The JSON body of one heartbeat."""
    devices, paper = device_report(health)
    faults = sorted({d["code"] for d in devices.values() if d["code"] and d["state"] != "online"})
    return {
        "schema": SCHEMA,
        "terminal": terminal,
        "sequence": sequence,
        "sent_at": round(sent_at, 3),
        "mode": mode,
        "group": group,
        "kiosk_version": kiosk_version,
        "bundle": bundle,
        "update_state": update_state,
        "devices": devices,
        "faults": faults,
        "paper": paper,
        "outbox_backlog": outbox_backlog,
        "rollbacks": counts.rollbacks,
        # flow ids come from bundles, but scrub them anyway: nothing personal leaves
        "flows": {
            scrub(flow): {"sessions": c.sessions, "failures": c.failures}
            for flow, c in sorted(counts.flows.items())
        },
    }
