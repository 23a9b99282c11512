"""The built-in demo back office: the back-office contract (`backoffice/openapi.yaml`) served in a
thread with invented data, for `--simulate`, `kiosk flows run`, the tests and `kiosk backoffice`.

Two servers serve the same operations (`demo_operations`): by default the light one, the
contract document's own schemas checking each request on a small asyncio server
(`demo_contract_app`, `demo_http`: started in milliseconds); with `server="fastapi"` the FastAPI
app on uvicorn whose OpenAPI document the contract is (`kiosk backoffice`).

Every request must carry `Authorization: Bearer <token>` (`DemoBackOffice.token`, random per
start unless given): other local processes can neither submit nor read replies. A body over
1 MiB is refused unread (413); connections are capped and time out when silent. Every POST
honours `Idempotency-Key` (`demo_guard`). FastAPI and uvicorn are imported only when a FastAPI
demo back office starts, not with this module (the kiosk's start-up stays small).
"""

from __future__ import annotations

import logging
import secrets
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from kiosk.backoffice.demo_ledger import Ledger, Received
from kiosk.clock import SystemClock
from kiosk.config import BackendConfig, Secret
from kiosk.flow.services import Clock

if TYPE_CHECKING:
    from kiosk.backoffice.demo_data import DemoData
    from kiosk.backoffice.demo_guard import Guard, Switches
    from kiosk.backoffice.demo_payments import Payments

log = logging.getLogger(__name__)

IDLE_TIMEOUT = 5.0
"""Seconds a connection may stay silent (half-open, or a body that never comes)."""
LEDGER_FILE = "ledger.sqlite3"
"""The ledger's file in a `data` folder."""
START_TIMEOUT = 30.0
"""Seconds a start may take (importing FastAPI on a busy machine included)."""
Server = Literal["light", "fastapi"]
"""Which server serves the operations: the contract document's own checks on asyncio, or the
FastAPI app on uvicorn."""


class Serving(Protocol):
    """A server run in the calling thread (`demo_http.Serving`, `demo_server.Serving`)."""

    def run(self, sock: socket.socket) -> None:
        """Serve until `exit()`."""
        ...

    def exit(self) -> None:
        """Ask the server to stop (from any thread)."""
        ...


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket (connections wait in its backlog until the server takes them)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


class _Run:
    """One run of the server in its thread: the app is built there (FastAPI imported on the
    first run of a FastAPI server), then it serves the socket bound before."""

    def __init__(self, office: DemoBackOffice, sock: socket.socket) -> None:
        self._office = office
        self.sock = sock
        self.port: int = sock.getsockname()[1]
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self._serving: Serving | None = None
        self._stopping = False
        self._thread = threading.Thread(
            target=self._run, name=f"demo-backoffice-{self.port}", daemon=True
        )

    def start(self, wait: bool) -> None:
        self._thread.start()
        if wait:
            self.wait()

    def wait(self) -> None:
        """Return once connections are served; the start's error if it failed."""
        if not self.ready.wait(START_TIMEOUT):
            raise RuntimeError("the demo back office did not start in time")
        if self.error is not None:
            raise RuntimeError(f"the demo back office did not start: {self.error}")

    def _run(self) -> None:
        try:
            serving = self._office._serving(self.ready)
        except BaseException as exc:
            log.exception("the demo back office cannot start")
            self.error = exc
            self.sock.close()  # connections are refused rather than left waiting
            self.ready.set()
            return
        self._serving = serving
        try:
            if not self._stopping:
                serving.run(self.sock)
        finally:
            self.ready.set()
            self.sock.close()

    def stop(self) -> None:
        """Stop serving and wait for the thread (the port is closed when this returns)."""
        self._stopping = True
        serving = self._serving
        if serving is not None:
            serving.exit()
        if self._thread.is_alive():
            self._thread.join(timeout=START_TIMEOUT)
        self.sock.close()


class DemoBackOffice:
    """A back office on 127.0.0.1 in a thread; `port=0` picks a free port.

    `ledger`: a file keeping idempotency keys, submissions and counters across restarts;
    `data`: a folder for the invented records and (unless `ledger` is given) the ledger;
    `clock`: the time orders expire by; `auto_pay_after`: a payment order is paid at that poll
    (None: only when told through `/_demo/payments/{order}` or `settle_payment`);
    `reply_delay`: seconds between keeping a submission's reply and sending it;
    `server`: `light` (the default, started in milliseconds) or `fastapi`.
    """

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        token: str | None = None,
        idle_timeout: float = IDLE_TIMEOUT,
        ledger: Path | None = None,
        *,
        data: Path | None = None,
        clock: Clock | None = None,
        auto_pay_after: int | None = 3,
        reply_delay: float = 0.0,
        server: Server = "light",
    ) -> None:
        self._host = host
        self.idle_timeout = idle_timeout
        self._port = port
        self.token = token or secrets.token_urlsafe(24)
        """Every request must carry `Authorization: Bearer <token>`: no other local process
        can submit to it or read its replies."""
        self._folder = data
        if ledger is None and data is not None:
            ledger = data / LEDGER_FILE
        self._ledger_path = ledger
        self._clock: Clock = clock or SystemClock()
        self._auto_pay_after = auto_pay_after
        self._reply_delay = reply_delay
        self._lock = threading.RLock()
        self._run: _Run | None = None
        self.server: Server = server
        self._switches: Switches | None = None
        self._app: Guard | None = None
        self._data: DemoData | None = None
        self._payments: Payments | None = None
        self._ledger: Ledger | None = None
        self._down: Literal["refuse", "503"] | None = None

    # Lifecycle ---------------------------------------------------------------------------

    def start(self, wait: bool = True) -> DemoBackOffice:
        """Start serving (idempotent). The port is bound at once; with `wait=False` the app is
        built and served in the background (requests wait in the backlog meanwhile)."""
        with self._lock:
            if self._ledger is None:
                self._open()
            if self._run is None and self._down != "refuse":
                try:
                    self._listen(wait)
                except BaseException:
                    self.stop()  # the port is taken, or the app failed: nothing left open
                    raise
        return self

    def _open(self) -> None:
        """The ledger, the switches and the invented data (no FastAPI yet)."""
        from kiosk.backoffice.demo_data import DemoData
        from kiosk.backoffice.demo_guard import Switches
        from kiosk.backoffice.demo_payments import Payments

        if self._folder is not None:
            self._folder.mkdir(parents=True, exist_ok=True)
        self._ledger = Ledger(self._ledger_path)
        self._data = DemoData(self._folder, self._clock.now)
        self._payments = Payments(self._data, self._ledger.next_number, self._auto_pay_after)
        if self._switches is None:
            self._switches = Switches(self.token, self._ledger, reply_delay=self._reply_delay)
        self._switches.ledger = self._ledger

    def _serving(self, ready: threading.Event) -> Serving:
        """A server of the app (built on the server's thread on first use)."""
        if self.server == "light":
            from kiosk.backoffice.demo_http import Serving as Light

            return Light(self._application(), self.idle_timeout, ready=ready)
        from kiosk.backoffice.demo_server import Serving as Uvicorn

        return Uvicorn(self._application(), self.idle_timeout, ready=ready)

    def _application(self) -> Guard:
        """The ASGI app (built on the server's thread on first use: FastAPI is imported here
        for a FastAPI server)."""
        if self._app is None:
            from kiosk.backoffice.demo_guard import Guard

            assert self._switches is not None
            self._app = Guard(self._operations(), self._switches)
        return self._app

    def _operations(self) -> Any:
        """The app serving the contract's operations over this back office."""
        if self.server == "light":
            from kiosk.backoffice.demo_contract_app import ContractApp

            return ContractApp(self)
        try:
            from kiosk.backoffice.demo_app import build_app
        except ModuleNotFoundError as exc:
            raise RuntimeError(
                f"the demo back office needs {exc.name}: pip install -e '.[backoffice]'"
            ) from exc
        return build_app(self)

    def _listen(self, wait: bool = True) -> None:
        run = _Run(self, _bind(self._host, self._port))
        self._port = run.port
        self._run = run
        run.start(wait)
        log.info("demo back office listening on %s", self.url)

    def _close(self) -> None:
        run, self._run = self._run, None
        if run is not None:
            run.stop()

    def stop(self) -> None:
        """Stop serving, release held requests, close the data (a later `start` reopens it)."""
        if self._switches is not None:
            self._switches.released.set()
        with self._lock:
            self._down = None
            if self._switches is not None:
                self._switches.down = None
            self._close()
            for store in (self._data, self._ledger):
                if store is not None:
                    store.close()
            self._data = self._payments = self._ledger = None

    def ready(self) -> None:
        """Wait until a start in the background serves (its error if it failed)."""
        run = self._run
        if run is not None:
            run.wait()

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
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    def backend(self, **options: Any) -> BackendConfig:
        """The configuration of a back office reaching this one (URL and token)."""
        return BackendConfig(base_url=self.url, token=Secret(self.token), **options)

    # What the operations work on (`demo_operations.DemoWorld`) -----------------------------

    @property
    def data(self) -> DemoData:
        """The invented records (while started)."""
        assert self._data is not None, "the demo back office is not started"
        return self._data

    @property
    def payments(self) -> Payments:
        """The payment orders (while started)."""
        assert self._payments is not None, "the demo back office is not started"
        return self._payments

    def next_number(self, name: str) -> int:
        """The next number of a counter (tickets, orders...), kept with the ledger."""
        assert self._ledger is not None, "the demo back office is not started"
        return self._ledger.next_number(name)

    # Switches for tests and the service menu ----------------------------------------------

    def set_down(self, down: bool, how: Literal["refuse", "503"] = "refuse") -> None:
        """Be unreachable (`refuse`: the port is closed) or broken (`503`), or come back (on the
        same port)."""
        with self._lock:
            switches = self._started()
            with switches.changed:
                switches.down = how if down else None
            self._down = switches.down
            if down and how == "refuse":
                self._close()
            elif not down and self._run is None:
                self._listen()

    def fail_next(self, count: int) -> None:
        """Answer the next `count` requests with 503."""
        switches = self._started()
        with switches.changed:
            switches.fail_next = count

    def hold(self) -> None:
        """Keep requests waiting before they are answered, until `release()`."""
        self._started().released.clear()

    def release(self) -> None:
        """Let held requests be answered."""
        self._started().released.set()

    def wait_requests(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until at least `count` requests have arrived in total."""
        switches = self._started()
        with switches.changed:
            return switches.changed.wait_for(lambda: switches.seen >= count, timeout=timeout)

    def received(self, path: str | None = None) -> list[Received]:
        """Submissions recorded (once per idempotency key), optionally for one path."""
        ledger = self._ledger
        if ledger is not None and not ledger.closed:
            return ledger.received(path)
        if self._ledger_path is None:
            return []  # stopped: an in-memory ledger kept nothing
        kept = Ledger(self._ledger_path)
        try:
            return kept.received(path)
        finally:
            kept.close()

    def requests_with_key(self, key: str) -> int:
        """How many requests arrived carrying this idempotency key (duplicates included)."""
        switches = self._started()
        with switches.changed:
            return switches.seen_keys[key]

    def settle_payment(self, order: str, outcome: Literal["paid", "cancelled", "expired"]) -> None:
        """The resident paid, cancelled, or let a payment order expire (as `/_demo/payments`)."""
        self._started()
        self.payments.settle(order, outcome)

    def refuse_waybill(self, waybill: str, company: str) -> None:
        """The recipient refused a parcel in the courier company's app (as
        `/_demo/waybills/{waybill}/refused`)."""
        self._started()
        self.data.refuse_waybill(waybill, company)

    def _started(self) -> Switches:
        if self._ledger is None:
            self.start()
        self.ready()
        assert self._switches is not None
        return self._switches
