"""In-memory fakes of the engine's services and helpers shared by the engine tests (no tests)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

from kiosk.clock import ManualClock
from kiosk.flow.engine import Engine
from kiosk.flow.outcome import Outcome
from kiosk.flow.receipts import ReceiptLibrary
from kiosk.flow.schema import Flow, convert
from kiosk.flow.scripted import ScriptedDevices, ScriptedRenderer
from kiosk.flow.services import BackendError, Submission
from kiosk.flow.session import Session
from kiosk.i18n import catalog
from peripherals.id_card.id_number import check_character

RECEIPTS = Path(__file__).resolve().parent / "receipts"
"""Receipt templates the engine tests print (`demo`)."""


def invented_id(seed: int = 1) -> str:
    """An invented resident ID number with a valid GB 11643 check character."""
    rng = random.Random(seed)
    body = f"{rng.choice(['110105', '310115', '440305'])}19{rng.randint(50, 99)}"
    body += f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + check_character(body)


def wrong_check(id_number: str) -> str:
    """The same ID number with a wrong check character."""
    last = "0" if id_number[-1] != "0" else "1"
    return id_number[:-1] + last


class FakeBackends:
    """Answers requests from a table; records them; can be down."""

    def __init__(self, replies: dict[str, Any] | None = None) -> None:
        self.replies = replies or {}
        self.down = False
        self.requests: list[tuple[str, str, str, Any]] = []

    async def request(
        self, backend: str, method: str, path: str, json_body: Any = None, query: Any = None
    ) -> Any:
        self.requests.append((backend, method, path, json_body))
        if self.down:
            raise BackendError("backend.unreachable", "down on purpose")
        return self.replies.get(path, {"ok": True})


class FakeOutbox:
    """Delivers at once, or queues when `down`."""

    def __init__(self) -> None:
        self.down = False
        self.submitted: list[tuple[str, str, Any, str]] = []

    async def submit(
        self,
        backend: str,
        path: str,
        payload: Any,
        idempotency_key: str,
        reference_field: str | None = None,
    ) -> Any:
        self.submitted.append((backend, path, payload, idempotency_key))
        status = "queued" if self.down else "delivered"
        return Submission(reference=f"R{len(self.submitted):04d}", status=status)


class ListJournal:
    """Keeps journal entries in a list."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str, str, dict[str, Any] | None]] = []

    def record(
        self, session: str, flow: str, step: str, event: str, detail: dict[str, Any] | None = None
    ) -> None:
        self.entries.append((session, flow, step, event, detail))

    def events(self, step: str | None = None) -> list[str]:
        return [e[3] for e in self.entries if step is None or e[2] == step]

    def dump(self) -> str:
        return repr(self.entries)


class Library:
    """A FlowLibrary over flows given as YAML text or dicts."""

    def __init__(self, *flows: str | dict[str, Any]) -> None:
        self.flows: dict[str, Flow] = {}
        for source in flows:
            data = yaml.safe_load(source) if isinstance(source, str) else source
            flow = convert(data, Flow)
            self.flows[flow.id] = flow

    def flow(self, flow_id: str) -> Flow:
        return self.flows[flow_id]


class Harness:
    """An engine over fakes, a manual clock and a scripted renderer."""

    def __init__(
        self,
        *flows: str | dict[str, Any],
        devices: dict[str, Any] | None = None,
        backends: FakeBackends | None = None,
    ):
        self.library = Library(*flows)
        self.clock = ManualClock(start=1000.0)
        self.backends = backends or FakeBackends()
        self.outbox = FakeOutbox()
        self.journal = ListJournal()
        self.devices = ScriptedDevices(devices or {})
        self.engine = Engine(
            self.library,
            backends=self.backends,
            outbox=self.outbox,
            journal=self.journal,
            devices=self.devices,
            receipts=ReceiptLibrary(RECEIPTS),
            texts=catalog(),
            clock=self.clock,
            default_timeout=30,
        )

    def session(self, language: str = "zh_CN") -> Session:
        return Session(self.clock, language=language)

    async def run(
        self, answers: dict[str, Any], flow_id: str | None = None, language: str = "zh_CN"
    ) -> tuple[Outcome, ScriptedRenderer, Session]:
        session = self.session(language)
        renderer = ScriptedRenderer(answers, clock=self.clock, session=session)
        flow_id = flow_id or next(iter(self.library.flows))
        outcome = await self.engine.run(flow_id, session, renderer)
        return outcome, renderer, session
