"""A small HTTP/1.1 server for the demo back office's ASGI app, on asyncio in a thread of the
caller's: one request a connection (every reply closes it), bodies by `Content-Length`.

It serves a socket the caller has bound and stops at once from any thread. Connections are
capped (more are closed at once) and one silent while the server waits for it (a half-open
connection, a body that never comes) is closed after `idle_timeout`. It imports nothing beyond
the standard library, so a demo back office starts in milliseconds (uvicorn: `demo_server`).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from kiosk.backoffice.demo_guard import App, Message
from kiosk.privacy.masking import scrub

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 32
"""Connections served at once; more are closed at once (bounded memory)."""
MAX_HEAD = 64 * 1024
"""Bytes of a request line and headers; a longer head is refused (431)."""
CHUNK = 64 * 1024
"""Bytes of the body handed to the app at a time."""
STOP_GRACE = 2.0
"""Seconds stopping waits for requests in progress before cancelling them."""


class _BadRequest(Exception):
    """A request that is not HTTP/1.x as this server takes it."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Serving:
    """One run of the server on a bound, listening socket, in the calling thread."""

    def __init__(
        self,
        app: App,
        idle_timeout: float,
        ready: threading.Event | None = None,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self._app = app
        self._idle = idle_timeout
        self._cap = max_connections
        self.ready = ready or threading.Event()
        """Set once connections are accepted."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._exiting = False
        self._connections: set[asyncio.Task[None]] = set()

    def run(self, sock: socket.socket) -> None:
        """Serve until `exit()` (blocks; the socket is closed when it returns)."""
        try:
            asyncio.run(self._serve(sock))
        finally:
            sock.close()

    def exit(self) -> None:
        """Ask the server to stop (from any thread)."""
        self._exiting = True
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(stop.set)
            except RuntimeError:
                pass  # the loop has just closed

    async def _serve(self, sock: socket.socket) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._accepted, sock=sock, limit=MAX_HEAD)
        self.ready.set()
        if not self._exiting:
            await self._stop.wait()
        server.close()
        if self._connections:
            await asyncio.wait(set(self._connections), timeout=STOP_GRACE)
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.wait(set(self._connections), timeout=STOP_GRACE)

    async def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        if len(self._connections) >= self._cap or self._exiting:
            writer.close()  # no room: closed at once, nothing read
            return
        self._connections.add(task)
        try:
            await self._exchange(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass  # the client left, or stayed silent too long
        except _BadRequest as exc:
            await _refuse(writer, exc.status)
        except Exception:
            log.exception("demo back office: a request failed")
        finally:
            self._connections.discard(task)
            writer.close()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self._idle)
        except asyncio.LimitOverrunError:
            raise _BadRequest(431) from None
        scope, length = _scope(head, writer)
        sent = _Reply(writer)
        remaining: int | None = length

        async def receive() -> Message:
            nonlocal remaining
            if remaining is None:  # the body was read: wait for the client to leave
                await reader.read()
                return {"type": "http.disconnect"}
            size = min(remaining, CHUNK)
            chunk = await asyncio.wait_for(reader.read(size), self._idle) if size else b""
            if size and not chunk:
                return {"type": "http.disconnect"}
            remaining -= len(chunk)
            more = remaining > 0
            if not more:
                remaining = None
            return {"type": "http.request", "body": chunk, "more_body": more}

        try:
            await self._app(scope, receive, sent.send)
        except Exception:
            log.exception("demo back office: %s %s failed", scope["method"], scrub(scope["path"]))
        await sent.done()  # a 500 when the app sent nothing


def _scope(head: bytes, writer: asyncio.StreamWriter) -> tuple[dict[str, Any], int]:
    """The ASGI scope of a request head, and its body's length."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest(400)
    method, target, version = parts
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise _BadRequest(400)
        headers.append((name.strip().lower().encode("latin-1"), value.strip().encode("latin-1")))
    found = dict(headers)
    if b"transfer-encoding" in found:
        raise _BadRequest(411)  # a body must say its length
    length = found.get(b"content-length", b"0")
    if not length.isdigit():
        length = b"0"  # refused by the guard (bad_content_length) before any body is read
    raw_path, _, query = target.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": version[5:],
        "method": method.upper(),
        "scheme": "http",
        "path": unquote(raw_path),
        "raw_path": raw_path.encode("latin-1"),
        "query_string": query.encode("latin-1"),
        "root_path": "",
        "headers": headers,
        "server": writer.get_extra_info("sockname"),
        "client": writer.get_extra_info("peername"),
    }, int(length)


class _Reply:
    """What the app sends, written to the connection."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._started = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            status = int(message["status"])
            reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
            lines = [f"HTTP/1.1 {status} {reason}".encode()]
            lines += [name + b": " + value for name, value in message.get("headers", [])]
            self._writer.write(b"\r\n".join(lines) + b"\r\n\r\n")
            self._started = True
        elif message["type"] == "http.response.body":
            self._writer.write(message.get("body", b""))
        await self._writer.drain()

    async def done(self) -> None:
        if not self._started:
            await _refuse(self._writer, 500)


async def _refuse(writer: asyncio.StreamWriter, status: int) -> None:
    body = b'{"error":"bad_request"}' if status < 500 else b'{"error":"server_error"}'
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    try:
        writer.write(head.encode() + body)
        await writer.drain()
    except ConnectionError:
        pass
