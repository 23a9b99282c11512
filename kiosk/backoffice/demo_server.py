"""uvicorn for the demo back office's FastAPI app (`kiosk backoffice`): run in a thread of the
caller's, stopped from any thread.

It serves a socket the caller has bound (a port in use is an `OSError` there, and `port=0` is
known at once). Signals are left to the program that runs it. Connections are capped (more are
closed at once) and one silent while the server waits for it (a half-open connection, a body
that never comes) is closed after `idle_timeout`.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

MAX_CONNECTIONS = 32
"""Connections served at once; more are closed at once (bounded memory)."""
STOP_GRACE = 2.0
"""Seconds stopping waits for requests in progress before cancelling them."""


def _protocol(max_connections: int, idle_timeout: float) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol with a connection cap and an idle timeout."""

    class Capped(H11Protocol):
        _idle: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                transport.close()  # no room: closed at once, nothing read
                return
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._idle is not None:
                self._idle.cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self._idle is not None:
                self._idle.cancel()
            self._idle = self.loop.call_later(idle_timeout, self._silent)

        def _silent(self) -> None:
            cycle = self.cycle
            waiting_for_client = cycle is None or cycle.response_complete or cycle.more_body
            if waiting_for_client and not self.transport.is_closing():
                self.transport.close()
            elif not self.transport.is_closing():
                self._arm()  # the app is still answering (held by a test)

    return Capped


class _Server(uvicorn.Server):
    """uvicorn's server woken at once to stop, and quick to shut down."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self.ready = ready
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.ready.set()

    async def main_loop(self) -> None:
        assert self._wake is not None
        await self.on_tick(0)  # default headers
        if not self.should_exit:
            await self._wake.wait()

    def exit(self) -> None:
        """Ask the server to stop (from any thread)."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:
                pass  # the loop has just closed

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        state = self.server_state
        for connection in list(state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_GRACE
        while (state.connections or state.tasks) and loop.time() < deadline:
            await asyncio.sleep(0.005)
        for task in list(state.tasks):
            task.cancel()
        for connection in list(state.connections):
            connection.transport.close()
        await self.lifespan.shutdown()


class Serving:
    """One run of uvicorn serving `app` on a bound, listening socket, in the calling thread."""

    def __init__(
        self,
        app: Any,
        idle_timeout: float,
        ready: threading.Event | None = None,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        config = uvicorn.Config(
            app,
            lifespan="off",
            log_config=None,
            access_log=False,
            http=_protocol(max_connections, idle_timeout),
            ws="none",
            loop="asyncio",
            interface="asgi3",
            timeout_keep_alive=idle_timeout,  # type: ignore[arg-type]
            server_header=False,
            date_header=False,
        )
        self.ready = ready or threading.Event()
        """Set once connections are accepted."""
        self._server = _Server(config, self.ready)

    def run(self, sock: socket.socket) -> None:
        """Serve until `exit()` (blocks; the socket is closed when it returns)."""
        self._server.run(sockets=[sock])

    def exit(self) -> None:
        """Ask the server to stop (from any thread)."""
        self._server.exit()
