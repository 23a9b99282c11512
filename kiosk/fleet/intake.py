"""`POST /api/v1/heartbeats` as a bare ASGI handler in front of FastAPI.

Heartbeats are nearly all of the server's traffic, so their path skips FastAPI and Starlette
altogether (their middleware, routing, dependency injection and pydantic): msgspec decodes and
checks the body, `ingest.Recorder` writes it with hand-written SQL without ever holding the event
loop while the database waits (the loop keeps serving the console while the database is slow or
locked), and the reply is encoded by msgspec. Every other path goes on to the FastAPI
application.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import msgspec
from starlette.types import ASGIApp, Receive, Scope, Send

from kiosk.fleet.heartbeat_body import BadBody, NotThisKiosk, decode

if TYPE_CHECKING:
    from kiosk.fleet.app import Fleet

log = logging.getLogger(__name__)

PATH = "/api/v1/heartbeats"
MAX_BODY = 64 * 1024
"""Bytes: the largest heartbeat (200 flows, 32 devices) is about half of this."""

_JSON = msgspec.json.Encoder()


class HeartbeatIntake:
    """The outermost ASGI application: answers heartbeats itself; everything else (and the
    lifespan) goes to `app`."""

    def __init__(self, app: ASGIApp, fleet: Fleet) -> None:
        self.app = app
        self.fleet = fleet

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a heartbeat, or pass the request on."""
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _answer(send, 405, "POST a heartbeat here", [(b"allow", b"POST")])
            return
        authorization = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"content-length" and (not value.isdigit() or int(value) > MAX_BODY):
                await _answer(send, 413, "a heartbeat is smaller than that")
                return
        if not authorization.startswith(b"Bearer "):
            challenge = [(b"www-authenticate", b"Bearer")]
            await _answer(send, 401, "a kiosk token is needed", challenge)
            return
        data = await _body(receive)
        if data is None:
            await _answer(send, 413, "a heartbeat is smaller than that")
            return
        try:
            body = decode(data)
        except BadBody as exc:
            await _answer(send, 422, str(exc))
            return
        token = authorization[7:].strip().decode("latin-1")
        try:
            reply = await self.fleet.recorder.record_soon(token, body, self.fleet.now())
        except NotThisKiosk:
            log.warning("heartbeat refused: token is not %s's", body.terminal)
            await _answer(send, 403, "this token is not that kiosk's")
            return
        await _send(send, 200, _JSON.encode(reply))


async def _body(receive: Receive) -> bytes | None:
    """The request body, or None when it is larger than `MAX_BODY`."""
    message = await receive()
    data = message.get("body", b"")
    if not message.get("more_body"):
        return bytes(data) if len(data) <= MAX_BODY else None
    chunks = [data]
    size = len(data)
    while message.get("more_body"):
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _answer(
    send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await _send(send, status, _JSON.encode({"detail": detail}), headers)


async def _send(
    send: Send, status: int, content: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(content)).encode()),
            *(headers or []),
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": content})
