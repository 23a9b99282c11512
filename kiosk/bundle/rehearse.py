"""Run every flow of a bundle through its canonical answers, headless, as `kiosk flows run` does:
the real engine, the demo back office, SQLite in a temporary folder, simulated devices."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import msgspec

from kiosk.app import KioskServices
from kiosk.clock import ManualClock
from kiosk.config import Config, load_config
from kiosk.flow.loader import FlowSet
from kiosk.flow.scripted import ScriptedRenderer, ScriptError, load_script
from kiosk.flow.session import Session
from kiosk.locker.scripted import ScriptedLockerError, seed_parcels
from kiosk.simulation import ScriptedPresenter

log = logging.getLogger(__name__)

ANSWERS_SUFFIX = ".answers.yaml"


@dataclass(frozen=True)
class Rehearsal:
    """How one flow's canonical run ended: `status` is the outcome ("finished" passes)."""

    flow: str
    status: str
    detail: str = ""

    @property
    def passed(self) -> bool:
        """True when the flow finished."""
        return self.status == "finished"


def rehearse(flows_dir: Path, flowset: FlowSet) -> list[Rehearsal]:
    """Run each flow that has `<id>.answers.yaml` beside it; one result per flow, by id."""
    scripts = {
        flow_id: flows_dir / f"{loaded.path.stem}{ANSWERS_SUFFIX}"
        for flow_id, loaded in sorted(flowset.loaded.items())
    }
    scripts = {flow_id: path for flow_id, path in scripts.items() if path.is_file()}
    if not scripts:
        return []
    kinds = {kind for flow in flowset.flows.values() for kind in flow.needs}
    kinds.update(step.DEVICE for f in flowset.flows.values() for step in f.steps if step.DEVICE)
    clock = ManualClock(start=time.time())
    presenter = ScriptedPresenter({})
    config = msgspec.structs.replace(load_config(None, environ={}), flows_dir=flows_dir)
    lockers = {f for f in scripts if "government" not in flowset.flows[f].modes}
    results = [_locker_one(flows_dir, f, scripts[f], kinds) for f in sorted(lockers)]
    scripts = {f: path for f, path in scripts.items() if f not in lockers}
    if not scripts:
        return results
    with tempfile.TemporaryDirectory(prefix="kiosk-bundle-") as data_dir:
        services = _services(config, Path(data_dir), clock, presenter, kinds)
        with services:
            for flow_id, path in scripts.items():
                results.append(asyncio.run(_one(services, presenter, clock, flow_id, path)))
    return results


def _services(
    config: Config,
    data_dir: Path,
    clock: ManualClock,
    presenter: ScriptedPresenter,
    kinds: set[str],
) -> KioskServices:
    """The kiosk's services as a rehearsal runs them: simulated devices, no outbox worker."""
    return KioskServices(
        config,
        simulate=True,
        data_dir=data_dir,
        engine_clock=clock,
        presenter=presenter,
        outbox_worker=False,
        submit_timeout=3.0,
        device_kinds=kinds,
    )


def _locker_one(flows_dir: Path, flow_id: str, path: Path, kinds: set[str]) -> Rehearsal:
    """A locker's flow, on a simulated locker of its own holding what its answers file says."""
    try:
        script = load_script(path)
    except ScriptError as exc:
        return Rehearsal(flow_id, "unreadable", str(exc))
    clock = ManualClock(start=time.time())
    presenter = ScriptedPresenter(dict(script.devices))
    base = load_config(None, environ={"KIOSK__TERMINAL__MODE": "locker"})
    config = msgspec.structs.replace(base, flows_dir=flows_dir)
    with tempfile.TemporaryDirectory(prefix="kiosk-bundle-") as data_dir:
        services = _services(config, Path(data_dir), clock, presenter, kinds)
        with services:
            locker = services.locker
            try:
                seed_parcels(locker.inventory if locker else None, script.locker, clock)
            except ScriptedLockerError as exc:
                return Rehearsal(flow_id, "unreadable", str(exc))
            return asyncio.run(_one(services, presenter, clock, flow_id, path))


async def _one(
    services: KioskServices,
    presenter: ScriptedPresenter,
    clock: ManualClock,
    flow_id: str,
    path: Path,
) -> Rehearsal:
    try:
        script = load_script(path)
    except ScriptError as exc:
        return Rehearsal(flow_id, "unreadable", str(exc))
    presenter.devices = dict(script.devices)
    session = Session(clock, language=script.language or "zh_CN")
    renderer = ScriptedRenderer(script, clock=clock, session=session)
    try:
        outcome = await services.engine.run(flow_id, session, renderer)
    except ScriptError as exc:
        return Rehearsal(flow_id, "unanswered", str(exc))
    detail = outcome.error or ""
    return Rehearsal(flow_id, outcome.status, f"at {outcome.step}: {detail}" if detail else "")
