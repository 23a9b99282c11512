"""One HTTP exchange with a back office, bounded in time and size, whatever the other end does.

`requests` bounds each socket operation, not a whole request: a server trickling a byte at a
time, or sending an endless body, would hold a resident at the screen for ever. `exchange` gives
the whole request (connecting, sending, headers, body) one deadline: each socket operation may
wait only for the time left until it (no thread watches the exchange), and stops reading a body
past `MAX_REPLY` bytes.
"""

from __future__ import annotations

import http.client
import io
import logging
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from kiosk.flow.services import BackendError

log = logging.getLogger(__name__)

MAX_REPLY = 1 << 20
"""Bytes of the largest reply body read; a longer one is `backend.bad_reply`."""
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Reply:
    """A status received, and the body as far as it could be read (`fault` says why not)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    fault: BackendError | None = None


class _Deadline:
    """The deadline of one exchange (monotonic seconds), and whether a socket operation ran
    into it."""

    __slots__ = ("at", "expired")

    def __init__(self, timeout: float) -> None:
        self.at = time.monotonic() + timeout
        self.expired = False

    def left(self) -> float:
        """Seconds left for the next socket operation; `TimeoutError` once none are."""
        left = self.at - time.monotonic()
        if left <= 0:
            self.expired = True
            raise TimeoutError("the exchange's deadline passed")
        return left

    def bound(self, sock: socket.socket | None) -> None:
        """Let the socket's next operation wait no longer than the time left."""
        if sock is not None:
            sock.settimeout(self.left())


_current = threading.local()


def _deadline() -> _Deadline | None:
    deadline: _Deadline | None = getattr(_current, "deadline", None)
    return deadline


class _DeadlineReader(io.RawIOBase):
    """A socket's reply stream whose every read waits only for the time left (a reply trickling
    in a byte at a time ends at the deadline, however quick each read)."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        self._deadline.bound(self._sock)
        try:
            count: int | None = self._raw.readinto(buffer)
        except TimeoutError:
            self._deadline.expired = True  # only the time left bounds a read
            raise
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


class _Files:
    """What `http.client.HTTPResponse` asks its socket for: the reply stream, bounded."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))


class _DeadlineResponse(http.client.HTTPResponse):
    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        deadline = _deadline()
        files: Any = sock if deadline is None else _Files(sock, deadline)
        super().__init__(files, *args, **kwargs)


class _Bounded:
    """The parts of a connection an exchange's deadline bounds: connecting and sending (each
    socket operation gets the time left), and reading the reply (`_DeadlineResponse`)."""

    response_class: type[http.client.HTTPResponse] = _DeadlineResponse
    timeout: Any
    sock: socket.socket | None

    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline = _deadline()
        if deadline is not None:
            self.timeout = deadline.left()  # connecting, and a kept-alive socket's sending
        super().request(*args, **kwargs)  # type: ignore[misc]

    def send(self, data: Any) -> None:
        deadline = _deadline()
        if deadline is not None:
            deadline.bound(self.sock)
        try:
            super().send(data)  # type: ignore[misc]
        except TimeoutError:
            if deadline is not None:
                deadline.expired = True
            raise


class _WatchedHTTP(_Bounded, HTTPConnection):
    pass


class _WatchedHTTPS(_Bounded, HTTPSConnection):
    pass


class _Pool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTP


class _TlsPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


class _DeadlineAdapter(HTTPAdapter):
    """`requests`' adapter with connections an exchange's deadline can shut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}


def error_for_exception(exc: requests.RequestException, where: str) -> BackendError:
    """The `BackendError` a `requests` failure means."""
    if isinstance(exc, requests.ConnectTimeout):
        return BackendError("backend.unreachable", f"{where}: connection timed out")
    if isinstance(exc, requests.Timeout):
        return BackendError("backend.timeout", f"{where}: no reply in time")
    if isinstance(exc, requests.ConnectionError):
        return BackendError("backend.unreachable", f"{where}: cannot connect")
    return BackendError("backend.failed", f"{where}: {type(exc).__name__}")


def bounded_session() -> requests.Session:
    """A `requests.Session` whose exchanges `exchange` can bound."""
    session = requests.Session()
    adapter = _DeadlineAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def exchange(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float,
    where: str,
    limit: int = MAX_REPLY,
    **kwargs: Any,
) -> Reply:
    """Send one request and read its reply within `timeout` seconds in all (redirects never
    followed). Raises `BackendError` when no status arrived; a body cut short (too slow, too
    long, broken) is a `Reply` with a `fault`."""
    deadline = _Deadline(timeout)
    _current.deadline = deadline
    try:
        try:
            response = session.request(
                method,
                url,
                timeout=(timeout, timeout),
                stream=True,
                allow_redirects=False,
                **kwargs,
            )
        except requests.RequestException as exc:
            if deadline.expired or time.monotonic() >= deadline.at:
                raise BackendError("backend.timeout", f"{where}: no reply in time") from None
            raise error_for_exception(exc, where) from None
        with response:
            body, fault = _read(response, limit, deadline, where)
            return Reply(response.status_code, response.headers, body, fault)
    finally:
        _current.deadline = None


def _read(
    response: requests.Response, limit: int, deadline: _Deadline, where: str
) -> tuple[bytes, BackendError | None]:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        return b"", BackendError("backend.bad_reply", f"{where}: reply over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > limit:
                return b"", BackendError("backend.bad_reply", f"{where}: reply over {limit} bytes")
            chunks.append(chunk)
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError):
        if deadline.expired:
            return b"", BackendError("backend.timeout", f"{where}: reply not complete in time")
        return b"", BackendError("backend.bad_reply", f"{where}: reply cut short")
    if deadline.expired:
        return b"", BackendError("backend.timeout", f"{where}: reply not complete in time")
    return b"".join(chunks), None
