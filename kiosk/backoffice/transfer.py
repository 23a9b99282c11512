"""One HTTP exchange with a back office, bounded in time and size, whatever the other end does.

`requests` bounds each socket operation, not a whole request: a server trickling a byte at a
time, or sending an endless body, would hold a resident at the screen for ever. `exchange` gives
the whole request (connecting, sending, headers, body) one deadline, enforced by a timer that
shuts the connection's socket when it passes, and stops reading a body past `MAX_REPLY` bytes.
"""

from __future__ import annotations

import logging
import socket
import threading
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


class _Watch:
    """The deadline of one exchange: when it passes, the connection's socket is shut."""

    def __init__(self) -> None:
        self.expired = False
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            if self.expired:
                _shut(sock)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            _shut(self._sock)


def _shut(sock: socket.socket | None) -> None:
    if sock is None:
        return
    try:
        # the plain socket's shutdown, also under TLS: a blocked read returns at once
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


_current = threading.local()


def _attach(sock: socket.socket | None) -> None:
    watch: _Watch | None = getattr(_current, "watch", None)
    if watch is not None:
        watch.attach(sock)


class _WatchedHTTP(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _attach(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        if self.sock is not None:  # a kept-alive connection
            _attach(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPS(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _attach(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        if self.sock is not None:
            _attach(self.sock)
        super().request(*args, **kwargs)


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
    watch = _Watch()
    timer = threading.Timer(timeout, watch.expire)
    timer.daemon = True
    _current.watch = watch
    timer.start()
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
            if watch.expired:
                raise BackendError("backend.timeout", f"{where}: no reply in time") from None
            raise error_for_exception(exc, where) from None
        with response:
            body, fault = _read(response, limit, watch, where)
            return Reply(response.status_code, response.headers, body, fault)
    finally:
        timer.cancel()
        timer.join()
        _current.watch = None


def _read(
    response: requests.Response, limit: int, watch: _Watch, where: str
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
        if watch.expired:
            return b"", BackendError("backend.timeout", f"{where}: reply not complete in time")
        return b"", BackendError("backend.bad_reply", f"{where}: reply cut short")
    if watch.expired:
        return b"", BackendError("backend.timeout", f"{where}: reply not complete in time")
    return b"".join(chunks), None
