"""App composition: everything a kiosk runs on, built from one configuration and closed cleanly.

The parts (HTTP back offices with requests, devices with their drivers, the flow engine, the
database) are imported when the services are entered, not with this module: the touch kiosk
draws its first screen before it needs any of them, and every CLI command imports this module.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import msgspec

from kiosk.clock import SystemClock

if TYPE_CHECKING:
    from kiosk.backoffice.client import HttpBackends
    from kiosk.backoffice.demo import DemoBackOffice
    from kiosk.config import Config
    from kiosk.devices import HubDevices, Presenter
    from kiosk.flow.engine import Engine
    from kiosk.flow.loader import FlowSet
    from kiosk.flow.receipts import ReceiptLibrary
    from kiosk.flow.schema import Flow
    from kiosk.flow.services import Clock, FlowLibrary
    from kiosk.locker.service import LockerService
    from kiosk.storage.database import Database
    from kiosk.storage.journal import SqliteJournal
    from kiosk.storage.outbox import SqliteOutbox
    from peripherals.events import Dispatcher
    from peripherals.hub import Hub

log = logging.getLogger(__name__)

T = TypeVar("T")


def run_blocking(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end from synchronous code, on a loop of its own in a thread (the
    caller may itself be inside a running loop)."""
    result: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(asyncio.run(work))
        except BaseException as exc:  # handed to the caller
            failure.append(exc)

    thread = threading.Thread(target=run, name="kiosk-start")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


class CatalogueEntry(msgspec.Struct, frozen=True):
    """A flow offered to residents, and whether its devices are usable now (reason for staff)."""

    flow: Flow
    available: bool
    reason: str = ""


class KioskServices:
    """The database, journal, outbox, back offices, devices, flows and engine of one kiosk.

    `device_kinds` limits the devices opened (a headless run opens only what its flow needs);
    those of the `on_demand` kinds are opened when a step first asks for one (see `Hub`);
    `library` replaces the configured flows directory as the engine's source of flows, and
    `flows` stands for the flows directory's when they are loaded already (a headless run reads
    only the flow it runs and those it calls).
    Used as a context manager: entering starts the demo back office (when simulating or when no
    back office is configured), opens the database and the devices, loads the flows, and starts
    the outbox worker; leaving stops and closes all of it, in reverse order.
    """

    # set on entering
    db: Database
    journal: SqliteJournal
    outbox: SqliteOutbox
    backends: HttpBackends
    hub: Hub
    flows: FlowSet
    receipts: ReceiptLibrary
    devices: HubDevices
    engine: Engine
    locker: LockerService | None = None
    """The parcel locker (locker mode), reconciled with its doors as the services start."""

    def __init__(
        self,
        config: Config,
        *,
        simulate: bool | None = None,
        data_dir: Path | None = None,
        engine_clock: Clock | None = None,
        dispatcher: Dispatcher | None = None,
        presenter: Presenter | None = None,
        outbox_worker: bool = True,
        submit_timeout: float = 5.0,
        device_kinds: set[str] | None = None,
        on_demand: set[str] | None = None,
        library: FlowLibrary | None = None,
        flows_dir: Path | None = None,
        flows: FlowSet | None = None,
    ) -> None:
        self.config = config
        self.flows_dir = flows_dir or config.flows_dir
        """Where the flows come from: the configured folder, or the current bundle's."""
        self.simulate = config.simulate if simulate is None else simulate
        self.data_dir = data_dir or config.data_dir
        self.engine_clock: Clock = engine_clock or SystemClock()
        self._dispatcher = dispatcher
        self._presenter = presenter
        self._outbox_worker = outbox_worker
        self._submit_timeout = submit_timeout
        self._device_kinds = device_kinds
        self._on_demand = on_demand or set()
        self._library = library
        self._loaded = flows
        self._stack = ExitStack()
        self.demo: DemoBackOffice | None = None

    def __enter__(self) -> Self:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.close()

    def _start(self) -> None:
        from kiosk.backoffice.client import HttpBackends
        from kiosk.backoffice.demo import DemoBackOffice
        from kiosk.devices import HubDevices
        from kiosk.storage.database import Database
        from kiosk.storage.journal import SqliteJournal
        from kiosk.storage.outbox import OutboxWorker, SqliteOutbox
        from peripherals.hub import Hub

        config = self.config
        stack = self._stack
        configured = {} if self.simulate else dict(config.backends)
        fallback = None
        if self.simulate:
            # its port now, its app (FastAPI) built in the background: requests wait meanwhile
            self.demo = DemoBackOffice().start(wait=False)
            stack.callback(self.demo.stop)
            fallback = self.demo.backend()
        elif not configured:
            # never the demo back office for real residents: it would take and drop their data
            log.error("no back offices are configured ([backends]): services that send fail")
        self.db = Database.in_dir(self.data_dir)
        stack.callback(self.db.close)
        self.journal = SqliteJournal(self.db, config.terminal.id)
        self.outbox = SqliteOutbox(
            self.db, configured, fallback=fallback, submit_timeout=self._submit_timeout
        )
        stack.callback(self.outbox.close)
        if self._outbox_worker:
            worker = OutboxWorker(self.outbox).start()
            stack.callback(worker.stop)
        self.backends = stack.enter_context(HttpBackends(configured, fallback=fallback))
        devices = {
            name: device
            for name, device in config.device_configs().items()
            if self._device_kinds is None or device.kind in self._device_kinds
        }
        self.hub = Hub(
            devices, simulate=self.simulate, dispatcher=self._dispatcher, on_demand=self._on_demand
        )
        stack.callback(self.hub.close)
        self.hub.open()
        self.devices = HubDevices(self.hub, present=self._presenter, journal=self.journal)
        if config.locker is not None and (
            self._device_kinds is None or "lock_board" in self._device_kinds
        ):
            self.locker = self._start_locker()
        self.use_flows(self.flows_dir, self._loaded)

    def use_flows(self, flows_dir: Path, loaded: FlowSet | None = None) -> FlowSet:
        """Serve the flows and receipt templates of `flows_dir` from the next session on
        (`loaded`: its flows, read already).

        Call it between sessions: the engine of a session in progress is not changed under it.
        """
        import msgspec

        from kiosk.bundle import MANIFEST_NAME
        from kiosk.flow.engine import Engine
        from kiosk.flow.loader import load_flows
        from kiosk.flow.receipts import ReceiptLibrary
        from kiosk.i18n import catalog, use_overrides

        flows = loaded if loaded is not None else load_flows([flows_dir])
        bundle = flows_dir.parent
        # a bundle's locale overrides come and go with its flows; a plain flows folder has none
        use_overrides(bundle / "locales" if (bundle / MANIFEST_NAME).is_file() else None)
        for error in flows.errors:
            log.error("flow not loaded: %s", error)
        self.flows, self.flows_dir = flows, flows_dir
        self.receipts = ReceiptLibrary(
            flows_dir / "receipts",
            terminal=msgspec.structs.asdict(self.config.terminal.name),
            now=self.engine_clock.now,
        )
        from kiosk.backoffice.replies import ContractReplies

        self.engine = Engine(
            self._library or self.flows,
            backends=ContractReplies(self.backends),  # a reply that does not fit: bad_reply
            outbox=self.outbox,
            journal=self.journal,
            devices=self.devices,
            receipts=self.receipts,
            texts=catalog(),
            clock=self.engine_clock,
            default_timeout=self.config.timeouts.session_inactivity,
            locker=self.locker,
        )
        return flows

    def _start_locker(self) -> LockerService:
        """The locker's inventory and service; its doors read and reconciled before any flow."""
        from kiosk.config import locker_buses
        from kiosk.locker.inventory import Inventory
        from kiosk.locker.layout import build_layout
        from kiosk.locker.secret import Keyed, load_or_create
        from kiosk.locker.service import LockerService

        config = self.config
        assert config.locker is not None
        layout = build_layout(config.locker, locker_buses(config))
        key = load_or_create(config.locker.secret_file or self.data_dir / "locker.key")
        clock = self.engine_clock
        inventory = Inventory(self.db, layout, Keyed(key), clock, self.journal)
        if self._presenter is not None and (board := self.hub.by_kind("lock_board")) is not None:
            self._presenter("lock_board", board)  # a scripted run: how its doors behave
        service = LockerService(
            config.locker,
            inventory,
            doors=self.devices.lock_board,
            backends=self.backends,
            outbox=self.outbox,
            journal=self.journal,
            clock=clock,
            terminal=config.terminal.id,
        )
        self._stack.callback(service.close)  # its thread's work done before the database closes
        done = run_blocking(service.reconcile())
        if done.problems:
            log.warning("locker: %d disagreements between doors and inventory", done.problems)
        return service

    def catalogue(self) -> list[CatalogueEntry]:
        """Every loaded flow offered in this terminal's mode, with whether the devices it
        needs are usable now."""
        usable = self.hub.usable_kinds()
        health = self.hub.health()
        entries = []
        mode = self.config.terminal.mode
        offered = (f for f in self.flows.flows.values() if mode in f.modes)
        for flow in sorted(offered, key=lambda f: (f.category, f.id)):
            missing = [kind for kind in flow.needs if kind not in usable]
            reason = ""
            if missing:
                codes = sorted({health[k].code for k in missing if k in health and health[k].code})
                reason = f"needs {', '.join(missing)}" + (f" ({', '.join(codes)})" if codes else "")
            entries.append(CatalogueEntry(flow, not missing, reason))
        return entries
