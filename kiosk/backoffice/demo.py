"""The built-in demo back office: the real HTTP contract of the shipped flows, on loopback.

Routes (all JSON):

- ``POST /certificates`` ``{"id_number": "...", "type": "personal" | "payments"}`` →
  ``{"pages", "insured_since", "unit", "months", "type", "verify_code"}``
  (social insurance certificate);
  422 ``{"error": "invalid_id_number" | "invalid_type"}``.
- The service catalogue's routes (medical insurance, bills, payments, elderly allowance,
  resident requests, community notices, queue tickets): `kiosk.backoffice.demo_services`.
- ``POST /feedback`` ``{"category": "...", "text": "...", ...}`` → ``{"ticket": "FB00001"}``;
  422 ``{"error": "missing_text"}``.
- ``POST /staff-calls`` ``{"terminal": "...", "screen": "...", ...}`` → ``{"call": "SC00001"}``
  (a resident called staff; nothing personal in it); 422 ``{"error": "missing_terminal"}``.
- ``GET /health`` → ``{"ok": true}``.

Every request must carry ``Authorization: Bearer <token>`` (`DemoBackOffice.token`, random per
start unless given): other local processes can neither submit nor read replies. A body over
`MAX_BODY` is refused unread (413), connections are capped and time out when idle.

Every POST honours ``Idempotency-Key``: a repeated key gets the first reply again and the
submission is recorded once; the same key with a different body is 422
``idempotency_key_reused``. All data is invented from a hash of the request: no real person.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from kiosk.backoffice import demo_courier
from kiosk.backoffice.demo_ledger import Ledger, Received
from kiosk.backoffice.demo_services import DemoServices
from kiosk.backoffice.demo_services import seed as service_seed
from kiosk.config import BackendConfig, Secret
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
class _Reply:
    status: int
    body: Any


MAX_BODY = 1 << 20
"""Bytes of the largest request body taken; a larger Content-Length is refused unread."""
MAX_CONNECTIONS = 32
"""Connections served at once; more are closed at once (each would take a thread)."""
IDLE_TIMEOUT = 5.0
"""Seconds a connection may stay silent (half-open, or a body that never comes)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    demo: DemoBackOffice
    slots: threading.BoundedSemaphore

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)  # too many at once: no thread for this one
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("demo back office: a connection failed", exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.demo.idle_timeout)  # a silent client is dropped

    def do_GET(self) -> None:
        self.server.demo._handle(self, "GET")

    def do_POST(self) -> None:
        self.server.demo._handle(self, "POST")

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("demo back office: %s", scrub(format % args).split("?", 1)[0])


class DemoBackOffice:
    """A back office on 127.0.0.1 in a thread; `port=0` picks a free port."""

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        token: str | None = None,
        idle_timeout: float = IDLE_TIMEOUT,
        ledger: Path | None = None,
    ) -> None:
        self._host = host
        self.idle_timeout = idle_timeout
        self._port = port
        self.token = token or secrets.token_urlsafe(24)
        """Every request must carry `Authorization: Bearer <token>`: no other local process
        can submit to it or read its replies."""
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Condition()
        self._down: Literal["refuse", "503"] | None = None
        self._fail_next = 0
        self._released = threading.Event()
        self._released.set()
        self._ledger = Ledger(ledger)
        """Idempotency keys, submissions taken, ticket numbers (`ledger`: kept in that file,
        so a restarted back office still knows every key it answered)."""
        self.services = DemoServices()
        """The service catalogue's routes (`kiosk.backoffice.demo_services`)."""
        self._seen = 0
        self._seen_keys: Counter[str] = Counter()

    # Lifecycle ---------------------------------------------------------------------------

    def start(self) -> DemoBackOffice:
        """Start serving (idempotent)."""
        with self._lock:
            if self._ledger.closed and self._ledger.path is not None:
                self._ledger = Ledger(self._ledger.path)  # started again: it remembers
            if self._server is None and self._down != "refuse":
                self._listen()
        return self

    def _listen(self) -> None:
        server = _Server((self._host, self._port), _Handler)
        server.demo = self
        server.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
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
            self._ledger.close()

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

    def backend(self, **options: Any) -> BackendConfig:
        """The configuration of a back office reaching this one (URL and token)."""
        return BackendConfig(base_url=self.url, token=Secret(self.token), **options)

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
            return self._lock.wait_for(lambda: self._seen >= count, timeout=timeout)

    def received(self, path: str | None = None) -> list[Received]:
        """Submissions recorded (once per idempotency key), optionally for one path."""
        return self._ledger.received(path)

    def requests_with_key(self, key: str) -> int:
        """How many requests arrived carrying this idempotency key (duplicates included)."""
        with self._lock:
            return self._seen_keys[key]

    # Request handling ----------------------------------------------------------------------

    def _handle(self, handler: _Handler, method: str) -> None:
        split = urlsplit(handler.path)
        key = handler.headers.get("Idempotency-Key")
        refusal = self._refusal(handler)
        if refusal is not None:
            handler.close_connection = True  # the body, if any, is never read
            self._send(handler, refusal)
            return
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if len(raw) < length:
            return  # the client went away mid-body
        with self._lock:
            self._seen += 1
            if key is not None:
                self._seen_keys[key] += 1
            self._lock.notify_all()
        self._released.wait()
        self._send(handler, self._reply(method, split.path, split.query, key, raw))

    def _refusal(self, handler: _Handler) -> _Reply | None:
        """Why a request is refused before its body is read, or None."""
        given = handler.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
            return _Reply(401, {"error": "unauthorized"})
        length = handler.headers.get("Content-Length") or "0"
        if not length.isdigit():
            return _Reply(400, {"error": "bad_content_length"})
        if int(length) > MAX_BODY:
            return _Reply(413, {"error": "body_too_large"})
        return None

    def _send(self, handler: _Handler, reply: _Reply) -> None:
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
            known = self._ledger.reply_for(key) if key is not None else None
            if known is not None:
                seen_digest, status, previous = known
                if seen_digest != digest:
                    return _Reply(422, {"error": "idempotency_key_reused"})
                return _Reply(status, previous)
            reply = self._post(path, body)
            taken = Received(method, path, key, body) if 200 <= reply.status < 300 else None
            if reply.status < 500:
                self._ledger.record(key, digest, reply.status, reply.body, taken)
            return reply

    def _get(self, path: str, query: dict[str, list[str]]) -> _Reply:
        if path == "/health":
            return _Reply(200, {"ok": True})
        found = self.services.get(path, query)
        if found is not None:
            return _Reply(*found)
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
            seed = service_seed(id_number)
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
            return _Reply(201, {"ticket": f"FB{self._ledger.next_number('tickets'):05d}"})
        if path == "/staff-calls":
            if not isinstance(body.get("terminal"), str):
                return _Reply(422, {"error": "missing_terminal"})
            return _Reply(201, {"call": f"SC{self._ledger.next_number('staff_calls'):05d}"})
        found = self.services.post(path, body)
        if found is not None:
            return _Reply(*found)
        courier = demo_courier.post(path, body, self._ledger.next_number)
        if courier is not None:
            return _Reply(*courier)
        return _Reply(404, {"error": "not_found"})
