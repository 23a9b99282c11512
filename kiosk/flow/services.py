"""What the engine needs from the rest of the kiosk, as protocols implemented elsewhere."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Protocol


class Clock(Protocol):
    """Time as the engine sees it; tests inject a manual clock."""

    def now(self) -> float:
        """Seconds since an arbitrary epoch."""
        ...

    def sleep(self, seconds: float) -> Awaitable[None]:
        """Return an awaitable that completes after `seconds` of this clock's time."""
        ...


class BackendError(Exception):
    """A back office could not be reached or refused the request; `key` is a stable error key."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail


class Backends(Protocol):
    """Named back offices reached over HTTP."""

    async def request(
        self,
        backend: str,
        method: str,
        path: str,
        json_body: Any = None,
        query: dict[str, str] | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON reply, or raise `BackendError`."""
        ...


@dataclass(frozen=True)
class Submission:
    """The outcome of handing a submission to the outbox."""

    reference: str
    status: str
    """`delivered` when the back office acknowledged at once, `queued` otherwise."""
    reply: Any = None


class Outbox(Protocol):
    """Durable submissions to back offices, delivered exactly once per idempotency key."""

    async def submit(
        self, backend: str, path: str, payload: Any, idempotency_key: str
    ) -> Submission:
        """Store the submission durably, try to deliver it now, and say what happened."""
        ...


class Journal(Protocol):
    """Append-only record of sessions and step outcomes; callers pass no raw personal data."""

    def record(
        self,
        session: str,
        flow: str,
        step: str,
        event: str,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append one entry (masked by the journal as a last line of defence)."""
        ...


class DeviceError(Exception):
    """A device step failed; `key` is the peripheral's stable error code."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail


class Devices(Protocol):
    """The engine's door to peripherals (implemented over the peripheral hub)."""

    def available(self, kind: str) -> bool:
        """Whether a device of this kind is configured and healthy."""
        ...

    async def perform(self, kind: str, action: str, params: dict[str, Any]) -> Any:
        """Run one device action (e.g. `id_card`/`read`, `printer`/`print`).

        Returns plain data (dicts, strings); raises `DeviceError` with a stable key.
        """
        ...


class FlowLibrary(Protocol):
    """Where the engine finds flows for `call` steps and receipts for `print` steps."""

    def flow(self, flow_id: str) -> Any:
        """Return the loaded `Flow` with this id, or raise KeyError."""
        ...
