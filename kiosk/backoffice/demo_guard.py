"""What the demo back office does before and after its routes (an ASGI wrapper): the bearer token,
the body limit, the switches of tests and staff (down, failing, held), and idempotency keys.

A request is refused before its body is read when the token is wrong (401) or its announced body
is over `MAX_BODY` (413); a body that grows past it while read is refused too. Every POST honours
`Idempotency-Key`: the first reply is kept in the `Ledger` *before* it is sent, so a retry after
any crash gets it again, and the submission is recorded once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Literal

import msgspec

from kiosk.backoffice.demo_ledger import Ledger, Received
from kiosk.privacy.masking import scrub

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
"""Bytes of the largest request body taken; a larger one is refused unread."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class Switches(msgspec.Struct):
    """The state tests and staff change from other threads, and what they wait for."""

    token: str
    ledger: Ledger
    down: Literal["refuse", "503"] | None = None
    fail_next: int = 0
    reply_delay: float = 0.0
    """Seconds between keeping a POST's reply and sending it (a slow network, for demos and
    for tests that kill the back office in between)."""
    released: threading.Event = msgspec.field(default_factory=threading.Event)
    seen: int = 0
    seen_keys: Counter[str] = msgspec.field(default_factory=Counter)
    changed: threading.Condition = msgspec.field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.released.set()


class TooLarge(Exception):
    """The body grew past `MAX_BODY`."""


class Guard:
    """Wraps the routes' app with the token, limits, switches and idempotency of `switches`."""

    def __init__(self, app: App, switches: Switches) -> None:
        self._app = app
        self._switches = switches
        self._locks: dict[int, asyncio.Lock] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        send = _closing(send)
        headers = {k.decode("latin-1").lower(): v for k, v in scope["headers"]}
        refusal = self._refusal(headers)
        if refusal is not None:
            await _reply(send, *refusal)  # the body, if any, is never read
            return
        try:
            body = await _read(receive)
        except TooLarge:
            await _reply(send, 413, "body_too_large")
            return
        if body is None:
            return  # the client went away mid-body
        raw_key = headers.get("idempotency-key")
        key = raw_key.decode("latin-1") if raw_key else None
        self._count(key)
        if not self._switches.released.is_set():
            # held by a test: wait in a worker thread, not on the event loop
            await asyncio.get_running_loop().run_in_executor(None, self._switches.released.wait)
        with self._switches.changed:
            down = self._switches.down is not None
            failing = self._switches.fail_next > 0
            if failing and not down:
                self._switches.fail_next -= 1
        if down or failing:
            await _reply(send, 503, "down" if down else "failing_on_purpose")
            return
        method, path = scope["method"], scope["path"]
        log.debug("demo back office: %s %s", method, scrub(path))
        if method != "POST" or path.startswith("/_demo/"):
            await self._app(scope, _replay(body, receive), send)
            return
        await self._once(scope, receive, send, body, key)

    def _refusal(self, headers: dict[str, bytes]) -> tuple[int, str] | None:
        given = headers.get("authorization", b"")
        if not hmac.compare_digest(given, f"Bearer {self._switches.token}".encode()):
            return 401, "unauthorized"
        length = headers.get("content-length", b"0")
        if not length.isdigit():
            return 400, "bad_content_length"
        if int(length) > MAX_BODY:
            return 413, "body_too_large"
        return None

    def _count(self, key: str | None) -> None:
        with self._switches.changed:
            self._switches.seen += 1
            if key is not None:
                self._switches.seen_keys[key] += 1
            self._switches.changed.notify_all()

    async def _once(
        self, scope: Scope, receive: Receive, send: Send, body: bytes, key: str | None
    ) -> None:
        """Run a POST once per idempotency key, keeping its reply before sending it."""
        method, path = scope["method"], scope["path"]
        digest = hashlib.sha256(f"{method} {path}\n".encode() + body).hexdigest()
        async with self._lock():
            ledger = self._switches.ledger
            known = ledger.reply_for(key) if key is not None else None
            if known is not None:
                seen_digest, status, previous = known
                if seen_digest != digest:
                    await _reply(send, 422, "idempotency_key_reused")
                else:
                    await _send_json(send, status, previous)
                return
            captured = _Captured()
            await self._app(scope, _replay(body, receive), captured.send)
            reply = captured.json()
            if captured.status < 500 and reply is not None:
                taken = None
                if 200 <= captured.status < 300:
                    taken = Received(method, path, key, json.loads(body))
                ledger.record(key, digest, captured.status, reply, taken)
            if self._switches.reply_delay > 0:
                await asyncio.sleep(self._switches.reply_delay)
            await captured.forward(send)

    def _lock(self) -> asyncio.Lock:
        """One lock per event loop (a restart runs a new loop)."""
        loop = id(asyncio.get_running_loop())
        if loop not in self._locks:
            self._locks = {loop: asyncio.Lock()}
        return self._locks[loop]


class _Captured:
    """A reply held back until it is kept in the ledger."""

    def __init__(self) -> None:
        self.status = 500
        self.messages: list[Message] = []
        self.body = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
        self.messages.append(message)

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    async def forward(self, send: Send) -> None:
        for message in self.messages:
            await send(message)


def _closing(send: Send) -> Send:
    """Every reply ends its connection: nothing idles between requests (a kiosk's sockets and
    the server's are the same after every exchange, as a soak test counts them)."""

    async def closing(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [h for h in message.get("headers", []) if h[0].lower() != b"connection"]
            message = {**message, "headers": [*headers, (b"connection", b"close")]}
        await send(message)

    return closing


async def _read(receive: Receive) -> bytes | None:
    """The whole request body, or None if the client left; `TooLarge` past `MAX_BODY`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` giving the body already read, then whatever the client does next."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _reply(send: Send, status: int, code: str) -> None:
    await _send_json(send, status, {"error": code})


async def _send_json(send: Send, status: int, body: Any) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
