"""`kiosk flows run FLOW --answers FILE`: run a flow headless, answered from a script.

Embedded by default: the demo back office on loopback answers every backend, the journal and
outbox live in SQLite in a temporary data directory, and the flow's devices are the real drivers
against their simulators, presenting what the answers file's `devices:` section says (see
`kiosk.simulation`). With `--config`, the configured back offices, data directory and devices.

Answers file format (YAML)::

    language: zh_CN                # optional: the starting language (zh_CN or en)
    answers:                       # what the "resident" answers, by step id
      consent: yes                 # the same answer at every visit of the step
      id_number: "110105198503122317"
      choose: [personal, payments] # one answer per visit, in order
      review: {event: back}        # an event instead: back, cancel, help, timeout
      sign_in: [{wait: device}, "880001"]  # this visit the device answers (a card read)
      sub-flow.step: 1             # `flow.step` answers a step of a called flow only
    switch_language: {choose: en}  # switch language when this step is first shown
    network: down                  # the back offices are unreachable during the run; after
                                   # it the network returns and the outbox delivers its queue
    locker:                        # what a simulated parcel locker holds at the start
      parcels:
        - {compartment: A-03, waybill: SF1000000001, phone: "13800138000", code: "246810",
           days: 3}                # refused: true (at the locker), refused_in_app: true (the
                                   # courier back office lists it refused at the sign-in)
    devices:                       # what simulated devices present
      id_card: {name: 张三, id_number: "110105198503122317"}
      printer: true

`choose` takes an option value or its keypad number, `confirm`/`consent` take yes/no,
`input` the typed text (quote numbers). A `timeout` event moves the run's manual clock past
the deadline, so nothing really waits. A prompt without an answer stops the run with an error
naming the step.

Output: one block of readable text per prompt, or with `--json` one JSON object per line per
prompt, `{"flow", "step", "kind", "say", "answer"}` (`say` is exactly what the voice speaks,
personal values masked), then `{"outcome", "step", "error", "result"}`. Exit status: 0 when
the flow finished, 1 for any other outcome, 2 for usage errors (bad flow or answers file).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import msgspec

from kiosk.app import KioskServices
from kiosk.cli import UsageError
from kiosk.clock import ManualClock
from kiosk.config import ConfigError, load_config
from kiosk.flow.collector import paused_gc
from kiosk.flow.loader import (
    DEFAULT_FLOWS_DIR,
    FileResults,
    FlowLoadError,
    FlowSet,
    load_flow,
    load_flows,
)
from kiosk.flow.outcome import Outcome
from kiosk.flow.schema import LANGUAGES, CallStep, Flow
from kiosk.flow.scripted import Script, ScriptedRenderer, ScriptError, load_script
from kiosk.flow.session import Session
from kiosk.locker.scripted import ScriptedLockerError, refused_in_app, seed_parcels
from kiosk.privacy.masking import mask_personal, scrub
from kiosk.simulation import ScriptedPresenter
from kiosk.voice.script import Narrator


def register(sub: Any) -> None:
    """Add `run` to the `flows` group."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "run", help="run a flow headless with scripted answers"
    )
    parser.add_argument("flow", metavar="FLOW", help="a flow file, or a flow id in flows/")
    parser.add_argument("--answers", type=Path, required=True, metavar="FILE")
    parser.add_argument("--lang", choices=LANGUAGES, help="starting language")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--config", type=Path, metavar="FILE", help="kiosk.toml to use")
    parser.set_defaults(func=run_command)


class _Library(msgspec.Struct):
    """The flows a run may use: the one asked for and its neighbours (for `call`)."""

    flows: dict[str, Flow]
    loaded: FlowSet
    """The files they were read from (the run's flows folder, as far as it was read)."""

    def flow(self, flow_id: str) -> Flow:
        """The flow with this id, or KeyError."""
        return self.flows[flow_id]


def _library(flow: str, flows_dir: Path) -> tuple[Flow, _Library]:
    """The flow to run and the flows it calls, lint-checked: only those files are read when each
    called flow is in a file named after its id beside it, else the whole folder."""
    path = Path(flow)
    read: FileResults = {}  # each file is read once, however often it is asked for
    if path.suffix in (".yaml", ".yml") or path.exists():
        try:
            main = load_flow(path, read).flow
        except FlowLoadError as exc:
            raise UsageError(str(exc)) from exc
        flowset = _called(path, main.id, read)
        if flowset is None:
            folder = [path.parent] if path.parent.is_dir() else [path]
            flowset = load_flows(folder, read)
        _lint_first(flowset, main.id)
        return main, _Library({**flowset.flows, main.id: main}, flowset)
    named = _flow_file(flows_dir, flow)
    flowset = _called(named, flow, read) if named is not None else None
    if flowset is None or flow not in flowset.flows:
        flowset = load_flows([flows_dir], read)
    if flow in flowset.flows:
        _lint_first(flowset, flow)
    if flow not in flowset.flows:
        for error in flowset.errors:
            if Path(error.location.path).stem == flow:
                raise UsageError(str(error))
        raise UsageError(f"no flow {flow!r} in {flows_dir} (give a flow file or a flow id)")
    return flowset.flow(flow), _Library(flowset.flows, flowset)


def _flow_file(folder: Path, flow_id: str) -> Path | None:
    """The file named after a flow id in `folder`, if there is one."""
    for suffix in (".yaml", ".yml"):
        candidate = folder / f"{flow_id}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _called(path: Path, flow_id: str, read: FileResults) -> FlowSet | None:
    """The flow in `path` and every flow it calls, directly or not, each read from the file
    named after it beside `path`; None when one is not found so (the caller reads the folder).
    `read`: the files read so far (each is read once)."""
    paths = [path]
    while True:
        flowset = load_flows(paths, read)
        known = flowset.lintable()
        if flow_id not in known:
            return None
        wanted = {
            step.flow
            for loaded in known.values()
            for step in loaded.flow.steps
            if isinstance(step, CallStep) and step.flow not in known
        }
        if not wanted:
            return flowset
        found = [_flow_file(path.parent, called) for called in sorted(wanted)]
        if any(file is None or file in paths for file in found):
            return None
        paths += [file for file in found if file is not None]


def _device_kinds(library: _Library) -> set[str]:
    """Device kinds the run may use: what any of its flows needs, uses or has a step for."""
    kinds: set[str] = set()
    for flow in library.flows.values():
        kinds.update(flow.needs)
        kinds.update(flow.uses)
        kinds.update(step.DEVICE for step in flow.steps if step.DEVICE)
    return kinds


def _on_demand(library: _Library, kinds: set[str]) -> set[str]:
    """Device kinds opened only when a step first asks for one: those no flow of the run needs
    (an optional reader, such as the social security card's, that the run may never come to)."""
    needed = {kind for flow in library.flows.values() for kind in flow.needs}
    return kinds - needed


def mode_of(flow: Flow) -> str:
    """The terminal mode an embedded run of `flow` takes: `locker` for a locker's own flow."""
    return "locker" if "government" not in flow.modes else ""


@contextmanager
def _services(
    config_path: Path | None, library: _Library, script: Script, clock: Any, mode: str = ""
) -> Iterator[KioskServices]:
    """The back office, journal, outbox and simulated devices of one run, closed afterwards
    (`mode`: the terminal mode the flow runs on, e.g. `locker` for a locker's flow; a
    configuration of another mode is taken as that mode's)."""
    try:
        config = load_config(config_path)
        if mode and config.terminal.mode != mode:
            environ = {**os.environ, "KIOSK__TERMINAL__MODE": mode}
            config = load_config(config_path, environ)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    kinds = _device_kinds(library)
    with ExitStack() as stack:
        data_dir = None
        if config_path is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kiosk-run-")))
        services = KioskServices(
            config,
            simulate=True if config_path is None else None,
            data_dir=data_dir,
            engine_clock=clock,
            presenter=ScriptedPresenter(script.devices),
            outbox_worker=False,
            submit_timeout=3.0,
            device_kinds=kinds,
            on_demand=_on_demand(library, kinds),
            library=library,
            flows=library.loaded,
        )
        entered = stack.enter_context(services)
        _prepare_locker(entered, script, clock)
        if script.network == "down" and entered.demo is not None:
            entered.demo.set_down(True)
        yield entered


def _prepare_locker(services: KioskServices, script: Script, clock: Any) -> None:
    """Put the answers file's parcels (`locker: parcels:`) in a simulated locker."""
    inventory = services.locker.inventory if services.locker is not None else None
    try:
        seed_parcels(inventory, script.locker, clock)
    except ScriptedLockerError as exc:
        raise UsageError(str(exc)) from exc
    if services.demo is not None:
        for waybill, company in refused_in_app(script.locker):
            services.demo.refuse_waybill(waybill, company)


async def _run(
    flow: Flow, script: Script, lang: str, services: KioskServices, clock: ManualClock
) -> Any:
    session = Session(clock, language=lang)
    renderer = ScriptedRenderer(script, clock=clock, session=session)
    try:
        outcome = await services.engine.run(flow.id, session, renderer)
    except ScriptError as exc:
        return renderer, exc
    return renderer, outcome


def _lint_first(flowset: FlowSet, flow_id: str) -> None:
    """Refuse to run a flow (or a flow it calls) with lint errors: a mistake in its last step
    would otherwise show only after the application was submitted and printed."""
    from kiosk.flow.lint import lint  # only when a run starts: `kiosk --help` stays quick

    used = {flow_id}
    pending = [flow_id]
    while pending:
        current = flowset.flows.get(pending.pop())
        for step in current.steps if current is not None else ():
            if isinstance(step, CallStep) and step.flow not in used:
                used.add(step.flow)
                pending.append(step.flow)
    paths = {str(flowset.loaded[name].path) for name in used if name in flowset.loaded}
    errors = [
        str(finding)
        for finding in lint(flowset)
        if finding.severity == "error" and str(finding.location.path) in paths
    ]
    if errors:
        raise UsageError("the flow has lint errors; nothing was run:\n" + "\n".join(errors))


def run_command(args: argparse.Namespace) -> int:
    """Run the flow; print each prompt and the outcome."""
    try:
        script = load_script(args.answers)
    except ScriptError as exc:
        raise UsageError(str(exc)) from exc
    # What is read and started before the session lives as long as the run: the collector
    # need not walk it over and over meanwhile (imports, flows, drivers: ~5% of a run).
    with paused_gc():
        flow, library = _library(args.flow, DEFAULT_FLOWS_DIR)
    # A manual clock: scripted timeouts move it instead of waiting.
    clock = ManualClock(start=time.time())
    with ExitStack() as stack:
        with paused_gc():
            started = _services(args.config, library, script, clock, mode_of(flow))
            services = stack.enter_context(started)
        lang = args.lang or script.language or services.config.terminal.language
        renderer, ended = asyncio.run(_run(flow, script, lang, services, clock))
        queued = _network_back(services) if script.network == "down" else None
    narrator = Narrator()  # what the voice says, prompt after prompt, in this one session
    for entry in renderer.transcript:
        _print_prompt(entry, narrator, args.json)
    if isinstance(ended, ScriptError):
        raise UsageError(f"{args.answers}: {ended}")
    if queued is not None:
        _print_outbox(queued, args.json)
    _print_outcome(ended, args.json)
    if script.expect:
        return _check_expected(ended, script.expect, args.json)
    return 0 if ended.status == "finished" else 1


def _network_back(services: KioskServices) -> dict[str, int]:
    """The network comes back after a run without it: what the outbox held is delivered."""
    if services.demo is not None:
        services.demo.set_down(False)
    held = services.outbox.due_now()
    delivered = services.outbox.deliver_due()
    return {"queued": held, "delivered": delivered}


def _print_outbox(queued: dict[str, int], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"outbox": queued}))
        return
    print(f"outbox: {queued['queued']} queued while offline, {queued['delivered']} delivered")


def _check_expected(outcome: Outcome, expect: Mapping[str, str], as_json: bool) -> int:
    """0 when the run ended as the answers file's `expect` says (a refusal path), else 1."""
    wanted = (expect.get("outcome", "finished"), expect.get("step", outcome.step))
    if (outcome.status, outcome.step) == wanted:
        return 0
    if as_json:
        print(json.dumps({"expected": {"outcome": wanted[0], "step": wanted[1]}}))
    else:
        print(
            f"expected: {wanted[0]} at {wanted[1]}; the run ended {outcome.status} at "
            f"{outcome.step}"
        )
    return 1


def _print_prompt(entry: Any, narrator: Narrator, as_json: bool) -> None:
    prompt = entry.prompt
    say = narrator.say(prompt)
    answer = entry.shown_answer
    if as_json:
        line = {
            "flow": prompt.flow,
            "step": prompt.step,
            "kind": prompt.kind.value,
            "say": say,
            "answer": answer,
        }
        print(json.dumps(line, ensure_ascii=False))
        return
    print(f"[{prompt.flow}/{prompt.step}] {prompt.kind.value}")
    print(f"  {say}")
    if answer is not None:
        print(f"  > {answer if not isinstance(answer, dict) else answer['event']}")


def _print_outcome(outcome: Outcome, as_json: bool) -> None:
    shown = {
        key: mask_personal(value) if key in outcome.personal else value
        for key, value in outcome.result.items()
    }
    result = json.loads(scrub(json.dumps(shown, ensure_ascii=False)))
    if as_json:
        line = {"outcome": outcome.status, "step": outcome.step, "error": outcome.error}
        if outcome.detail:
            line["detail"] = outcome.detail
        line["result"] = result
        print(json.dumps(line, ensure_ascii=False))
        return
    error = f" ({outcome.error}: {outcome.detail})" if outcome.detail else ""
    error = error or (f" ({outcome.error})" if outcome.error else "")
    print(f"outcome: {outcome.status} at {outcome.step}{error}")
    if result:
        print(f"result: {json.dumps(result, ensure_ascii=False)}")
