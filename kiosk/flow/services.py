"""What the engine needs from the rest of the kiosk, as protocols implemented elsewhere."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any, Protocol, runtime_checkable

import msgspec

from kiosk.flow.errors import KeyedError
from peripherals.printer.receipt import Receipt


class Clock(Protocol):
    """Time as the engine sees it; tests inject a manual clock."""

    def now(self) -> float:
        """Seconds since an arbitrary epoch."""
        ...

    def sleep(self, seconds: float) -> Awaitable[None]:
        """Return an awaitable that completes after `seconds` of this clock's time."""
        ...


class BackendError(KeyedError):
    """A back office could not be reached or refused the request."""


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


class Submission(msgspec.Struct, frozen=True):
    """The outcome of handing a submission to the outbox."""

    reference: str
    status: str
    """`delivered` when the back office acknowledged at once, `queued` otherwise."""
    reply: Any = None
    remote_reference: str | None = None
    """The back office's own reference, when it answered at once with one."""


class Outbox(Protocol):
    """Durable submissions to back offices, delivered exactly once per idempotency key."""

    async def submit(
        self,
        backend: str,
        path: str,
        payload: Any,
        idempotency_key: str,
        reference_field: str | None = None,
    ) -> Submission:
        """Store the submission durably, try to deliver it now, and say what happened
        (`reference_field`: where the back office's own reference is in its reply)."""
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


@runtime_checkable
class DurableJournal(Journal, Protocol):
    """A journal that writes in the background: `flush` returns once what was recorded before
    it is on disk (for entries that must be, such as a lock's coil about to fire)."""

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every entry recorded so far is committed; False if that took too long."""
        ...


class Receipts(Protocol):
    """Receipt templates, rendered in the flow layer into finished, masked documents."""

    def render(self, receipt_id: str, variables: Mapping[str, Any], language: str) -> Receipt:
        """The receipt filled in with the flow's variables, masked; raises `ReceiptError`."""
        ...


class Texts(Protocol):
    """The kiosk's own translated texts (`locales/`): prompts' fallbacks, labels, error messages."""

    def get(self, key: str, lang: str, **params: object) -> str:
        """The text of `key` in `lang` (falling back to the default language, then the key)."""
        ...

    def has(self, key: str) -> bool:
        """Whether any language defines `key`."""
        ...


class FlowLibrary(Protocol):
    """Where the engine finds the flows it runs and those `call` steps call."""

    def flow(self, flow_id: str) -> Any:
        """Return the loaded `Flow` with this id, or raise KeyError."""
        ...
