"""Stand-ins for the kiosk's services in update tests, the crash harness and the benchmark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.flow.loader import FlowSet, load_flows


class FakeHost:
    """Stands in for `KioskServices`: loads the flows it is told to serve."""

    def __init__(self) -> None:
        self.flows_dir: Path | None = None

    def use_flows(self, flows_dir: Path) -> FlowSet:
        self.flows_dir = flows_dir
        return load_flows([flows_dir])


class ListJournal:
    """A journal kept in a list."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def record(
        self, session: str, flow: str, step: str, event: str, detail: dict[str, Any] | None = None
    ) -> None:
        self.events.append((event, detail or {}))

    def names(self) -> list[str]:
        return [name for name, _ in self.events]
