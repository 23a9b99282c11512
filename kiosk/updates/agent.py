"""The kiosk side of updates: poll, verify, stage; activate between sessions; roll back.

`poll()` runs on a worker thread (network and disk only): it asks the repository through the TUF
client, downloads the newest bundle meant for this kiosk, reads it refusing anything unsafe,
unpacks it and lints it again here. What it found is settled on the kiosk's loop thread by
`settle()`, which journals it and, when no resident is in a session, activates the bundle: the
`current` link switched atomically, the flows served from the next session on. A bundle that
does not load, or whose flows fail more often than allowed over its first sessions, is rolled
back to the previous one by itself. When the repository is unreachable or its metadata expired,
the kiosk stays on its last good bundle and says so in its status.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tuf.api import exceptions as tuf_errors

from kiosk.bundle.archive import ArchiveError, read_archive
from kiosk.bundle.check import check_content
from kiosk.bundle.manifest import kiosk_version
from kiosk.config import Config
from kiosk.flow.outcome import Outcome
from kiosk.updates.client import Offer, Refused, UpdateClient
from kiosk.updates.fetcher import ConditionalFetcher
from kiosk.updates.status import UpdateState, UpdateStatus
from kiosk.updates.store import BundleStore, Step, no_step

log = logging.getLogger(__name__)

SYSTEM = "-"
"""The journal's session column for what no resident did."""


class Journal(Protocol):
    """Where update events are journalled."""

    def record(
        self, session: str, flow: str, step: str, event: str, detail: dict[str, Any] | None = None
    ) -> None:
        """Append one entry."""


class FlowHost(Protocol):
    """What serves the flows: `KioskServices`."""

    def use_flows(self, flows_dir: Path) -> Any:
        """Serve these flows from the next session on; their `FlowSet`."""


def bundle_root(config: Config, data_dir: Path | None = None) -> Path:
    """Where this kiosk keeps its bundles."""
    return config.updates.bundle_dir or (data_dir or config.data_dir) / "bundles"


def agent_for(config: Config, data_dir: Path | None = None) -> UpdateAgent | None:
    """The update agent of a kiosk with an update repository configured, else None."""
    return UpdateAgent(config, data_dir=data_dir) if config.updates.repository else None


def next_delay(interval: float, jitter: float, rng: random.Random) -> float:
    """Seconds to the next poll: the interval give or take `jitter` of it."""
    return interval * (1.0 + rng.uniform(-jitter, jitter))


@dataclass
class _Watch:
    """A new bundle's first sessions: how many ran a flow and how many of those failed."""

    version: int
    sessions: int = 0
    failures: int = 0


class UpdateAgent:
    """Updates of one kiosk: its bundle store, TUF client, status and the new bundle's watch."""

    def __init__(
        self,
        config: Config,
        *,
        data_dir: Path | None = None,
        step: Step = no_step,
        fetcher: ConditionalFetcher | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.settings = config.updates
        self.store = BundleStore(bundle_root(config, data_dir), step)
        self.fetcher = fetcher or ConditionalFetcher(
            self.settings.timeout, chunk_seen=lambda url, n: step(f"downloading {n}")
        )
        self.client = UpdateClient(self.settings, self.store.root / "tuf", self.fetcher)
        self.status_file = self.store.root / "status.json"
        self.status = UpdateStatus.load(self.status_file)
        self.ready: int | None = None
        self._watch_file = self.store.root / "watch.json"
        self.watch: _Watch | None = self._load_watch()
        self._now = now

    # -- the watch of a new bundle, kept across restarts ---------------------------------------

    def _load_watch(self) -> _Watch | None:
        try:
            data = json.loads(self._watch_file.read_text(encoding="utf-8"))
            watch = _Watch(int(data["version"]), int(data["sessions"]), int(data["failures"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return watch if watch.version == self.store.current() else None

    def _set_watch(self, watch: _Watch | None) -> None:
        self.watch = watch
        try:
            if watch is None:
                self._watch_file.unlink(missing_ok=True)
            else:
                temporary = self._watch_file.with_name(".watch.json.tmp")
                temporary.write_text(json.dumps(dataclasses.asdict(watch)), encoding="utf-8")
                os.replace(temporary, self._watch_file)
        except OSError as exc:
            log.warning("watch of bundle not saved: %s", exc)

    # -- start-up ------------------------------------------------------------------------------

    def recover(self) -> Path | None:
        """Tidy after a crash; the flows folder of the current complete bundle (None: shipped)."""
        version = self.store.recover()
        self.status.bundle = version
        return self.store.flows_dir()

    def started(self, host: FlowHost, flowset: Any, journal: Journal) -> None:
        """Check the bundle the kiosk started on loaded; roll back at once if it did not."""
        version = self.store.current()
        if version is not None and (flowset.errors or not flowset.flows):
            self._roll_back(host, journal, f"bundle {version} did not load")

    # -- polling (worker thread) ---------------------------------------------------------------

    def poll(self) -> UpdateStatus:
        """Ask the repository; download, verify, unpack and lint a new bundle. No journalling."""
        current = self.store.current() or 0
        status = UpdateStatus(UpdateState.CURRENT, self.store.current(), self._now())
        offer: Offer | None = None
        try:
            offer = self.client.offer(
                newer_than=max(current, self.ready or 0),
                group=self.settings.group,
                mode=self.config.terminal.mode,
                kiosk=kiosk_version(),
                refused=self.store.refused,
            )
            self.store.step("metadata refreshed")
            if offer is None:
                if self.ready is not None:
                    status.state, status.extra = UpdateState.READY, {"version": self.ready}
                return self._keep(status)
            data = self.client.download(offer)
            self.store.step("downloaded")
            bundle = read_archive(data, max_bytes=self.settings.max_bundle_bytes)
            if bundle.manifest.version != offer.version:
                raise Refused(f"bundle {offer.version} holds version {bundle.manifest.version}")
            unfit = bundle.manifest.runs_on(kiosk_version(), self.config.terminal.mode)
            if unfit:
                raise Refused(f"bundle {offer.version} {unfit}")
            folder = self.store.install(bundle)
            check = check_content(folder)
            if not check.ok:
                raise Refused(f"bundle {offer.version} fails the checks: {check.errors[0]}")
            self.store.step("checked")
        except tuf_errors.ExpiredMetadataError as exc:
            return self._keep(status, UpdateState.EXPIRED, str(exc))
        except tuf_errors.DownloadError as exc:
            return self._keep(status, UpdateState.UNREACHABLE, str(exc))
        except tuf_errors.RepositoryError as exc:
            return self._keep(status, UpdateState.REFUSED, f"{type(exc).__name__}: {exc}")
        except (Refused, ArchiveError) as exc:
            if offer is not None:
                # the signed bundle itself is unfit: never again on this kiosk
                self.store.refuse(offer.version, str(exc))
            return self._keep(status, UpdateState.REFUSED, str(exc))
        except OSError as exc:
            return self._keep(status, UpdateState.REFUSED, f"cannot store the bundle: {exc}")
        self.ready = offer.version
        status.state, status.extra = UpdateState.READY, {"version": offer.version}
        return self._keep(status)

    def _keep(
        self, status: UpdateStatus, state: UpdateState | None = None, detail: str = ""
    ) -> UpdateStatus:
        if state is not None:
            status.state, status.detail = state, detail
            log.warning(
                "update check: %s (%s); bundle %s stays in use", state, detail, status.bundle
            )
        if status.state is UpdateState.CURRENT:
            if self.watch is not None:
                status.state = UpdateState.ACTIVATED
            elif (
                self.status.state is UpdateState.ROLLED_BACK and self.status.bundle == status.bundle
            ):
                # maintainers are told until a newer bundle replaces the one given up
                status.state, status.detail = UpdateState.ROLLED_BACK, self.status.detail
        return status

    # -- on the loop thread --------------------------------------------------------------------

    def settle(self, status: UpdateStatus, host: FlowHost, journal: Journal, idle: bool) -> None:
        """Record a poll's result; activate a ready bundle now if no one is in a session."""
        before = self.status.state
        self._publish(status)
        if status.state is not before and status.state is not UpdateState.CURRENT:
            journal.record(
                SYSTEM, "", "", f"update_{status.state.value}", {"detail": status.detail[:300]}
            )
        if idle:
            self.activate_ready(host, journal)

    def activate_ready(self, host: FlowHost, journal: Journal) -> bool:
        """Between sessions: switch to the ready bundle; roll back at once if it does not load."""
        version = self.ready
        if version is None:
            return False
        self.ready = None
        if not self.store.complete(version):
            self._publish(UpdateStatus(UpdateState.REFUSED, self.store.current(), self._now(),
                                       f"bundle {version} is incomplete on disk"))  # fmt: skip
            return False
        old = self.store.current()
        self.store.activate(version)
        flows_dir = self.store.flows_dir()
        assert flows_dir is not None
        flowset = host.use_flows(flows_dir)
        self.store.step("flows loaded")
        journal.record(SYSTEM, "", "", "bundle_activated", {"bundle": version, "previous": old})
        if flowset.errors or not flowset.flows:
            self._roll_back(host, journal, f"bundle {version} did not load")
            return False
        self._set_watch(_Watch(version))
        self._publish(UpdateStatus(UpdateState.ACTIVATED, version, self._now()))
        return True

    def session_ended(self, outcome: Outcome | None, host: FlowHost, journal: Journal) -> None:
        """Count a session of a watched bundle; roll back when too many of its flows fail."""
        watch = self.watch
        if watch is None or outcome is None or not outcome.flow:
            return
        watch.sessions += 1
        watch.failures += outcome.status == "failed"
        self._set_watch(watch)
        limit = self.settings.max_failure_rate * self.settings.watch_sessions
        if watch.failures > limit:
            self._roll_back(
                host,
                journal,
                f"{watch.failures} of its first {watch.sessions} sessions failed",
            )
        elif watch.sessions >= self.settings.watch_sessions:
            self._set_watch(None)
            journal.record(
                SYSTEM,
                "",
                "",
                "bundle_confirmed",
                {"bundle": watch.version, "failed": watch.failures},
            )
            self.store.prune()
            self._publish(UpdateStatus(UpdateState.CURRENT, watch.version, self._now()))

    def roll_back(self, host: FlowHost, journal: Journal, reason: str) -> int | None:
        """A maintainer's rollback: back to the previous bundle now (the current one is refused
        from now on); the version now in use. Call it between sessions, with a previous bundle."""
        self._roll_back(host, journal, reason)
        return self.store.current()

    def _roll_back(self, host: FlowHost, journal: Journal, reason: str) -> None:
        bad = self.store.current()
        self._set_watch(None)
        back = self.store.rollback(reason)
        flows_dir = self.store.flows_dir() or self.config.flows_dir
        host.use_flows(flows_dir)
        log.error("bundle %s rolled back to %s: %s", bad, back or "the shipped flows", reason)
        journal.record(
            SYSTEM, "", "", "bundle_rolled_back", {"bundle": bad, "to": back, "reason": reason}
        )
        self._publish(UpdateStatus(UpdateState.ROLLED_BACK, back, self._now(), reason))

    def _publish(self, status: UpdateStatus) -> None:
        self.status = status
        try:
            status.save(self.status_file)
        except OSError as exc:
            log.warning("update status not saved: %s", exc)

    def close(self) -> None:
        """Close the network connections."""
        self.fetcher.close()
