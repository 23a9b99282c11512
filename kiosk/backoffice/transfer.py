"""One HTTP exchange with a back office, bounded in time and size, whatever the other end does.

The exchange runs on the standard library's `http.client` (a `kiosk flows run` or a kiosk start
does not import `requests` and `urllib3`, ~35 ms of CPU). It has its own connection, closed with
the reply (no kept-alive socket gone stale to send a submission again on), and one deadline for
the whole of it (connecting, the TLS handshake, sending, headers, body): each socket operation
may wait only for the time left until it (no thread watches the exchange), and reading stops past
`MAX_REPLY` bytes. TLS verifies the server against the configured CA bundle, else the system's
(OpenSSL's defaults, `SSL_CERT_FILE`), and presents the configured client certificate. Redirects
are never followed; no proxy is used; no compression is asked for, and a reply compressed anyway
is not read (`backend.bad_reply`).
"""

from __future__ import annotations

import functools
import http.client
import io
import json as jsonlib
import logging
import socket
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit

import msgspec

from kiosk.flow.services import BackendError

if TYPE_CHECKING:
    import ssl

log = logging.getLogger(__name__)

MAX_REPLY = 1 << 20
"""Bytes of the largest reply body read; a longer one is `backend.bad_reply`."""
_CHUNK = 64 * 1024
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"
"""Characters left as they are in a request target (as `requests` requotes): the rest, spaces
and non-ASCII text included, are percent-encoded as UTF-8."""

Certificate = str | tuple[str, str]
"""A client certificate file (key included), or a certificate file and its key file."""


class Reply(msgspec.Struct, frozen=True):
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
    def __init__(self, sock: socket.socket, *args: Any, deadline: _Deadline, **kwargs: Any):
        files: Any = _Files(sock, deadline)
        super().__init__(files, *args, **kwargs)


class _Connection(http.client.HTTPConnection):
    """One exchange's connection, plain or TLS (`tls`), every socket operation of which waits
    only for the time left until the exchange's deadline."""

    def __init__(
        self, host: str, port: int, deadline: _Deadline, tls: ssl.SSLContext | None
    ) -> None:
        super().__init__(host, port, timeout=deadline.left())
        self._deadline = deadline
        self._tls = tls
        self.response_class = functools.partial(  # type: ignore[assignment]
            _DeadlineResponse, deadline=deadline
        )

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self._deadline.left())
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._tls is not None:
                self._deadline.bound(sock)
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    def send(self, data: Any) -> None:
        if self.sock is None:
            self.connect()
        self._deadline.bound(self.sock)
        try:
            super().send(data)
        except TimeoutError:
            self._deadline.expired = True
            raise


class Transport:
    """Makes the exchanges of a client or an outbox, from any number of threads at once; keeps
    the TLS contexts made (a CA bundle and a client certificate are read once)."""

    def __init__(self) -> None:
        self._contexts: dict[tuple[str | None, Certificate | None], ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def request(
        self,
        method: str,
        url: str,
        *,
        deadline: _Deadline,
        headers: Mapping[str, str] | None = None,
        data: bytes | None = None,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        verify: str | None = None,
        cert: Certificate | None = None,
    ) -> http.client.HTTPResponse:
        """Send a request on a new connection and read the reply's status and headers (the
        body is the caller's to read, then to close the reply and with it the connection)."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise http.client.InvalidURL(f"not an HTTP URL: {scheme}://")
        target = quote(parts.path or "/", safe=_URL_SAFE)
        query = "&".join(part for part in (parts.query, urlencode(params or {})) if part)
        if query:
            target += "?" + quote(query, safe=_URL_SAFE)
        sent = dict(headers or {})
        if json is not None:
            data = jsonlib.dumps(json, allow_nan=False).encode()
            if not any(name.lower() == "content-type" for name in sent):
                sent["Content-Type"] = "application/json"
        sent.setdefault("Connection", "close")
        tls = self._context(verify, cert) if scheme == "https" else None
        port = parts.port or (443 if tls is not None else 80)
        connection = _Connection(parts.hostname, port, deadline, tls)
        try:
            connection.request(method.upper(), target, body=data, headers=sent)
            response = connection.getresponse()
        except BaseException:
            connection.close()
            raise
        sock, connection.sock = connection.sock, None
        if sock is not None:
            sock.close()  # closed for good once the reply's stream is
        return response

    def _context(self, verify: str | None, cert: Certificate | None) -> ssl.SSLContext:
        """The TLS context of a CA bundle (None: the system's) and client certificate."""
        with self._lock:
            found = self._contexts.get((verify, cert))
            if found is None:
                found = self._contexts[verify, cert] = _tls_context(verify, cert)
            return found

    def close(self) -> None:
        """Forget the TLS contexts (no connection outlives its exchange)."""
        with self._lock:
            self._contexts.clear()


def _tls_context(verify: str | None, cert: Certificate | None) -> ssl.SSLContext:
    """A client context verifying the server's certificate and name, TLS 1.2 at least."""
    import ssl  # only for HTTPS back offices

    folder = verify is not None and Path(verify).is_dir()
    context = ssl.create_default_context(
        cafile=None if folder else verify, capath=verify if folder else None
    )
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert is not None:
        certfile, keyfile = cert if isinstance(cert, tuple) else (cert, None)
        context.load_cert_chain(certfile, keyfile)
    return context


def error_for_exception(exc: BaseException, where: str) -> BackendError:
    """The `BackendError` a failure to reach a back office or read its status means."""
    if isinstance(exc, TimeoutError):
        return BackendError("backend.timeout", f"{where}: no reply in time")
    if isinstance(exc, http.client.InvalidURL):
        return BackendError("backend.failed", f"{where}: {type(exc).__name__}")
    if isinstance(exc, OSError | http.client.HTTPException):
        # refused, reset, no route, TLS refused, or no HTTP status line: nothing usable came
        return BackendError("backend.unreachable", f"{where}: cannot connect")
    return BackendError("backend.failed", f"{where}: {type(exc).__name__}")


def exchange(
    session: Transport,
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
    try:
        response = session.request(method, url, deadline=deadline, **kwargs)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if deadline.expired or time.monotonic() >= deadline.at:
            raise BackendError("backend.timeout", f"{where}: no reply in time") from None
        raise error_for_exception(exc, where) from None
    try:
        body, fault = _read(response, limit, deadline, where)
    finally:
        response.close()
    headers: Mapping[str, str] = response.headers  # type: ignore[assignment]
    return Reply(response.status, headers, body, fault)


def _read(
    response: http.client.HTTPResponse, limit: int, deadline: _Deadline, where: str
) -> tuple[bytes, BackendError | None]:
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        return b"", BackendError("backend.bad_reply", f"{where}: reply over {limit} bytes")
    encoding = response.getheader("Content-Encoding", "identity").strip().lower()
    if encoding not in ("identity", ""):
        return b"", BackendError("backend.bad_reply", f"{where}: reply compressed unasked")
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := response.read(min(_CHUNK, limit + 1 - size)):
            size += len(chunk)
            if size > limit:
                return b"", BackendError("backend.bad_reply", f"{where}: reply over {limit} bytes")
            chunks.append(chunk)
    except (http.client.HTTPException, OSError, ValueError):
        if deadline.expired:
            return b"", BackendError("backend.timeout", f"{where}: reply not complete in time")
        return b"", BackendError("backend.bad_reply", f"{where}: reply cut short")
    if deadline.expired:
        return b"", BackendError("backend.timeout", f"{where}: reply not complete in time")
    return b"".join(chunks), None
