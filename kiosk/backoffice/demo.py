"""The built-in demo back office: the real HTTP contract of the shipped flows, on loopback.

Routes (all JSON):

- ``POST /certificates`` ``{"id_number": "...", "type": "personal" | "payments"}`` →
  ``{"pages", "insured_since", "unit", "months", "type", "verify_code"}``
  (social insurance certificate);
  422 ``{"error": "invalid_id_number" | "invalid_type"}``.
- ``GET /bills?account=...`` → ``{"account", "amount_due", "currency", "period"}``
  (utility bill); 400 without an account, 404 ``unknown_account`` for a non-numeric one.
- ``POST /feedback`` ``{"category": "...", "text": "...", ...}`` → ``{"ticket": "FB00001"}``;
  422 ``{"error": "missing_text"}``.
- ``POST /staff-calls`` ``{"terminal": "...", "screen": "...", ...}`` → ``{"call": "SC00001"}``
  (a resident called staff; nothing personal in it); 422 ``{"error": "missing_terminal"}``.
- ``GET /health`` → ``{"ok": true}``.

Every POST honours ``Idempotency-Key``: a repeated key gets the first reply again and the
submission is recorded once; the same key with a different body is 422
``idempotency_key_reused``. All data is invented from a hash of the request: no real person.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from kiosk.privacy.masking import scrub
from peripherals.id_card.id_number import is_valid as valid_id_number

log = logging.getLogger(__name__)

CERTIFICATE_TYPES = ("personal", "payments")
_UNITS = (
    "幸福里社区服务中心",
    "示例科技有限公司",
    "演示物流有限公司",
    "样例食品加工厂",
    "灵活就业人员",
)


@dataclass(frozen=True)
class Received:
    """One submission the demo back office recorded (once per idempotency key)."""

    method: str
    path: str
    key: str | None
    body: Any


@dataclass(frozen=True)
class _Reply:
    status: int
    body: Any


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    demo: DemoBackOffice


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.demo._handle(self, "GET")

    def do_POST(self) -> None:
        self.server.demo._handle(self, "POST")

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("demo back office: %s", scrub(format % args).split("?", 1)[0])


class DemoBackOffice:
    """A back office on 127.0.0.1 in a thread; `port=0` picks a free port."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Condition()
        self._down: Literal["refuse", "503"] | None = None
        self._fail_next = 0
        self._released = threading.Event()
        self._released.set()
        self._replies: dict[str, tuple[str, _Reply]] = {}
        self._received: list[Received] = []
        self._seen: list[tuple[str, str, str | None]] = []
        self._tickets = 0
        self._staff_calls = 0

    # Lifecycle ---------------------------------------------------------------------------

    def start(self) -> DemoBackOffice:
        """Start serving (idempotent)."""
        with self._lock:
            if self._server is None and self._down != "refuse":
                self._listen()
        return self

    def _listen(self) -> None:
        server = _Server((self._host, self._port), _Handler)
        server.demo = self
        self._port = server.server_address[1]
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"demo-backoffice-{self._port}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()
        log.info("demo back office listening on %s", self.url)

    def _close(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def stop(self) -> None:
        """Stop serving and release held requests."""
        self._released.set()
        with self._lock:
            self._down = None
            self._close()

    def __enter__(self) -> DemoBackOffice:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port (known once started)."""
        return self._port

    @property
    def url(self) -> str:
        """The base URL to configure as a backend."""
        return f"http://{self._host}:{self._port}"

    # Switches for tests and the service menu ----------------------------------------------

    def set_down(self, down: bool, how: Literal["refuse", "503"] = "refuse") -> None:
        """Be unreachable (`refuse`: the port is closed) or broken (`503`), or come back."""
        with self._lock:
            if down:
                self._down = how
                if how == "refuse":
                    self._close()
            else:
                self._down = None
                if self._server is None:
                    self._listen()

    def fail_next(self, count: int) -> None:
        """Answer the next `count` requests with 503."""
        with self._lock:
            self._fail_next = count

    def hold(self) -> None:
        """Keep requests waiting before they are answered, until `release()`."""
        self._released.clear()

    def release(self) -> None:
        """Let held requests be answered."""
        self._released.set()

    def wait_requests(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until at least `count` requests have arrived in total."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self._seen) >= count, timeout=timeout)

    def received(self, path: str | None = None) -> list[Received]:
        """Submissions recorded (once per idempotency key), optionally for one path."""
        with self._lock:
            return [r for r in self._received if path is None or r.path == path]

    def requests_with_key(self, key: str) -> int:
        """How many requests arrived carrying this idempotency key (duplicates included)."""
        with self._lock:
            return sum(1 for _, _, k in self._seen if k == key)

    # Request handling ----------------------------------------------------------------------

    def _handle(self, handler: _Handler, method: str) -> None:
        split = urlsplit(handler.path)
        key = handler.headers.get("Idempotency-Key")
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        with self._lock:
            self._seen.append((method, split.path, key))
            self._lock.notify_all()
        self._released.wait()
        reply = self._reply(method, split.path, split.query, key, raw)
        data = json.dumps(reply.body, ensure_ascii=False).encode()
        handler.send_response(reply.status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _reply(self, method: str, path: str, query: str, key: str | None, raw: bytes) -> _Reply:
        with self._lock:
            if self._down is not None:
                return _Reply(503, {"error": "down"})
            if self._fail_next > 0:
                self._fail_next -= 1
                return _Reply(503, {"error": "failing on purpose"})
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return _Reply(400, {"error": "body_not_json"})
        if method == "GET":
            return self._get(path, parse_qs(query))
        digest = hashlib.sha256(raw).hexdigest()
        with self._lock:
            if key is not None and key in self._replies:
                seen_digest, previous = self._replies[key]
                if seen_digest != digest:
                    return _Reply(422, {"error": "idempotency_key_reused"})
                return previous
            reply = self._post(path, body)
            if key is not None and reply.status < 500:
                self._replies[key] = (digest, reply)
            if 200 <= reply.status < 300:
                self._received.append(Received(method, path, key, body))
            return reply

    def _get(self, path: str, query: dict[str, list[str]]) -> _Reply:
        if path == "/health":
            return _Reply(200, {"ok": True})
        if path == "/bills":
            account = (query.get("account") or [""])[0].strip()
            if not account:
                return _Reply(400, {"error": "missing_account"})
            if not account.isdigit():
                return _Reply(404, {"error": "unknown_account"})
            seed = _seed(account)
            return _Reply(
                200,
                {
                    "account": account,
                    "amount_due": round((seed % 40000) / 100 + 20, 2),
                    "currency": "CNY",
                    "period": f"2026-{seed % 12 + 1:02d}",
                },
            )
        return _Reply(404, {"error": "not_found"})

    def _post(self, path: str, body: Any) -> _Reply:
        if not isinstance(body, dict):
            return _Reply(400, {"error": "expected_object"})
        if path == "/certificates":
            id_number = str(body.get("id_number", ""))
            if not valid_id_number(id_number):
                return _Reply(422, {"error": "invalid_id_number"})
            kind = body.get("type")
            if kind not in CERTIFICATE_TYPES:
                return _Reply(422, {"error": "invalid_type"})
            seed = _seed(id_number)
            months = 12 + seed % 220
            return _Reply(
                200,
                {
                    "type": kind,
                    "pages": 1 if kind == "personal" else 1 + months // 60,
                    "insured_since": f"{2026 - months // 12 - 1}-{seed % 12 + 1:02d}",
                    "unit": _UNITS[seed % len(_UNITS)],
                    "months": months,
                    "verify_code": f"https://si.example.invalid/verify/SI{seed:08d}",
                },
            )
        if path == "/feedback":
            text = body.get("text")
            if not isinstance(text, str) or not text.strip():
                return _Reply(422, {"error": "missing_text"})
            self._tickets += 1
            return _Reply(201, {"ticket": f"FB{self._tickets:05d}"})
        if path == "/staff-calls":
            if not isinstance(body.get("terminal"), str):
                return _Reply(422, {"error": "missing_terminal"})
            self._staff_calls += 1
            return _Reply(201, {"call": f"SC{self._staff_calls:05d}"})
        return _Reply(404, {"error": "not_found"})


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
