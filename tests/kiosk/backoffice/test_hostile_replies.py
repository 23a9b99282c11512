"""A hostile back office: wrong JSON types, a 10 MB body, an HTML error page, bytes trickling in
slower than the timeout allows. A lookup ends in a `BackendError` within its timeout; a
submission is kept (delivered, queued or refused) within its timeout; nothing hangs."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.backoffice.client import HttpBackends
from kiosk.backoffice.transfer import MAX_REPLY
from kiosk.clock import ManualClock
from kiosk.config import BackendConfig
from kiosk.flow.services import BackendError
from kiosk.storage.database import Database
from kiosk.storage.outbox import SqliteOutbox

TIMEOUT = 1.0
MARGIN = 0.5
"""Seconds allowed past the timeout (thread hand-over, a loaded test machine)."""

Behaviour = Callable[[socket.socket, threading.Event], None]


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode()


def _answer(status: str, body: bytes, content_type: str = "application/json") -> Behaviour:
    def answer(conn: socket.socket, stop: threading.Event) -> None:
        headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
        conn.sendall(_head(status, headers) + body)

    return answer


def _endless(declared: bool) -> Behaviour:
    """10 MB of JSON-looking bytes, announced or not (then ended by closing)."""

    def endless(conn: socket.socket, stop: threading.Event) -> None:
        size = 10 * 1024 * 1024
        headers = {"Content-Type": "application/json", "Connection": "close"}
        if declared:
            headers["Content-Length"] = str(size)
        conn.sendall(_head("200 OK", headers) + b'{"ticket": "')
        chunk = b"A" * 65536
        sent = 0
        while sent < size and not stop.is_set():
            conn.sendall(chunk)
            sent += len(chunk)

    return endless


def _drip(in_headers: bool) -> Behaviour:
    """One byte every 0.1 s: each read is quick, the whole reply never is."""

    def drip(conn: socket.socket, stop: threading.Event) -> None:
        body = b'{"ticket": "FB00001", "padding": "' + b"x" * 200 + b'"}'
        head = _head("201 Created", {"Content-Length": str(len(body))})
        data = head + body
        if not in_headers:
            conn.sendall(head)
            data = body
        for i in range(len(data)):
            if stop.wait(0.1):  # the trickle's own pace, not a wait for the test
                return
            conn.sendall(data[i : i + 1])

    return drip


class _Hostile:
    """A server on loopback answering every request with `behaviour`, one at a time."""

    def __init__(self) -> None:
        self.behaviour: Behaviour = _answer("200 OK", b"{}")
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, name="hostile-backoffice")

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    self._read_request(conn)
                    self.behaviour(conn, self._stop)
                except OSError:
                    pass  # the client gave up: as it should

    @staticmethod
    def _read_request(conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        while len(body) < length:
            body += conn.recv(65536)

    def __enter__(self) -> _Hostile:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._listener.close()


@pytest.fixture(scope="module")
def hostile() -> Iterator[_Hostile]:
    with _Hostile() as server:
        yield server


HOSTILE = {
    "a JSON list": (_answer("200 OK", b"[1, 2, 3]"), "backend.bad_reply"),
    "a JSON string": (_answer("200 OK", b'"FB00001"'), "backend.bad_reply"),
    "an HTML page": (_answer("200 OK", b"<html>busy</html>", "text/html"), "backend.bad_reply"),
    "an HTML error page": (
        _answer("502 Bad Gateway", b"<html><h1>502</h1></html>" * 400, "text/html"),
        "backend.failed",
    ),
    "10 MB announced": (_endless(declared=True), "backend.bad_reply"),
    "10 MB unannounced": (_endless(declared=False), "backend.bad_reply"),
    "a slow drip of the body": (_drip(in_headers=False), "backend.timeout"),
    "a slow drip of the headers": (_drip(in_headers=True), "backend.timeout"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_lookup_ends_in_a_backend_error_within_its_timeout(hostile: _Hostile, case: str) -> None:
    hostile.behaviour, expected = HOSTILE[case]
    config = BackendConfig(base_url=hostile.url, timeout=TIMEOUT)
    with HttpBackends({"bo": config}) as client:
        started = time.monotonic()
        with pytest.raises(BackendError) as caught:
            client.request_sync(config, "bo", "POST", "/medical/status", {"id_number": "x"})
        elapsed = time.monotonic() - started
    assert caught.value.key == expected
    assert elapsed < TIMEOUT + MARGIN, f"{case}: {elapsed:.2f} s"


SUBMITTED = {
    # taken (a 2xx), whatever the body: delivered, with no reference read from it
    "a JSON list": "delivered",
    "a JSON string": "delivered",
    "an HTML page": "delivered",
    "10 MB announced": "delivered",
    "10 MB unannounced": "delivered",
    "a slow drip of the body": "delivered",
    # no answer in time, or a failure: kept to try again
    "an HTML error page": "queued",
    "a slow drip of the headers": "queued",
}


@pytest.mark.parametrize("case", list(SUBMITTED))
def test_a_submission_is_kept_and_settled_within_its_timeout(
    hostile: _Hostile, case: str, tmp_path: Path
) -> None:
    hostile.behaviour, _ = HOSTILE[case]
    db = Database.in_dir(tmp_path)
    config = BackendConfig(base_url=hostile.url, timeout=TIMEOUT)
    outbox = SqliteOutbox(db, {"bo": config}, clock=ManualClock(1.8e9), submit_timeout=TIMEOUT)
    try:
        started = time.monotonic()
        sent = outbox.submit_sync(
            "bo", "/feedback", {"text": "路灯"}, "k", reference_field="ticket"
        )
        elapsed = time.monotonic() - started
        assert sent.status == SUBMITTED[case]
        assert sent.remote_reference is None  # nothing trusted from a hostile body
        assert elapsed < TIMEOUT + MARGIN, f"{case}: {elapsed:.2f} s"
        entry = outbox.get(sent.reference)
        assert entry is not None
        if sent.status == "queued":
            assert entry.last_error and entry.last_error.startswith(HOSTILE[case][1])
    finally:
        outbox.close()
        db.close()


def test_the_limit_is_a_mebibyte() -> None:
    assert MAX_REPLY == 1 << 20
