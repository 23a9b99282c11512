"""Fuzzing back-office replies: whatever a back office answers (any status, headers, body,
length, encoding), a request ends in decoded data or a `BackendError`, and a submission is
delivered, queued or refused, never lost to an exception."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.backoffice.client import HttpBackends
from kiosk.clock import ManualClock
from kiosk.config import BackendConfig
from kiosk.flow.services import BackendError
from kiosk.storage.database import Database
from kiosk.storage.outbox import SqliteOutbox

BUDGET = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


class _Reply:
    """What the server answers next (one test at a time sets it)."""

    status: ClassVar[int] = 200
    headers: ClassVar[list[tuple[str, str]]] = []
    body: ClassVar[bytes] = b""
    declared: ClassVar[int | None] = None


class _Handler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(_Reply.status)
        for name, value in _Reply.headers:
            self.send_header(name, value)
        declared = len(_Reply.body) if _Reply.declared is None else _Reply.declared
        self.send_header("Content-Length", str(declared))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(_Reply.body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.handle_error = lambda *_: None  # type: ignore[method-assign]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


REPLIES = st.tuples(
    st.integers(100, 599),
    st.lists(
        st.tuples(
            st.sampled_from(["Content-Type", "Location", "Content-Encoding", "X-Junk"]),
            st.sampled_from(
                [
                    "application/json",
                    "text/html",
                    "application/json; charset=gb18030",
                    "gzip",
                    "deflate",
                    "http://elsewhere.invalid/",
                    "\u00e9",
                ]
            ),
        ),
        max_size=3,
    ),
    st.one_of(
        st.binary(max_size=300),
        st.sampled_from(
            [
                b'{"ticket": "FB1"}',
                b"[1, 2",
                b"null",
                b'{"a": ' * 200,
                b"\xff\xfe",
                '{"名字": "林晓测"}'.encode("gb18030"),
                b"NaN",
                b'"x"',
            ]
        ),
    ),
    st.one_of(st.none(), st.integers(0, 400)),
)


def _set(reply: tuple[int, list[tuple[str, str]], bytes, int | None]) -> None:
    _Reply.status, _Reply.headers, _Reply.body, _Reply.declared = reply
    if _Reply.status in (204, 304) or _Reply.status < 200:
        _Reply.body, _Reply.declared = b"", None  # no body allowed, or the client would wait


@BUDGET
@given(REPLIES)
def test_any_reply_to_a_request_is_data_or_a_backend_error(server: str, reply: Any) -> None:
    _set(reply)
    config = BackendConfig(base_url=server, timeout=1)
    with HttpBackends({"bo": config}) as client:
        try:
            client.request_sync(config, "bo", "POST", "/x", {"a": 1})
        except BackendError as exc:
            assert exc.key.startswith("backend.")


@BUDGET
@given(REPLIES)
def test_any_reply_to_a_submission_leaves_it_delivered_queued_or_refused(
    server: str,
    tmp_path_factory: pytest.TempPathFactory,
    reply,  # type: ignore[no-untyped-def]
) -> None:
    _set(reply)
    folder: Path = tmp_path_factory.mktemp("outbox")
    db = Database.in_dir(folder)
    outbox = SqliteOutbox(
        db, {"bo": BackendConfig(base_url=server, timeout=1)}, clock=ManualClock(1.8e9)
    )
    try:
        try:
            sent = outbox.submit_sync("bo", "/feedback", {"text": "路灯"}, "k")
            assert sent.status in ("delivered", "queued")
        except BackendError as exc:
            assert exc.key in ("backend.rejected", "backend.not_found")  # refused for good
        counts = outbox.counts()
        assert sum(counts.values()) == 1  # kept, whatever happened
    finally:
        outbox.close()
        db.close()
