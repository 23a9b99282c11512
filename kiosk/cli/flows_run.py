"""`kiosk flows run FLOW --answers FILE`: run a flow headless, answered from a script.

Embedded by default: the demo back office on loopback answers every backend, the journal and
outbox live in SQLite in a temporary data directory (with `--config`, the configured backends
and data directory; `simulate = true` still uses the demo back office for unconfigured names),
and devices present what the answers file's `devices:` section says.

Answers file format (YAML)::

    language: zh_CN                # optional: the starting language (zh_CN or en)
    answers:                       # what the "resident" answers, by step id
      consent: yes                 # the same answer at every visit of the step
      id_number: "110105198503122317"
      choose: [personal, payments] # one answer per visit, in order
      review: {event: back}        # an event instead: back, cancel, help, timeout
      sub-flow.step: 1             # `flow.step` answers a step of a called flow only
    switch_language: {choose: en}  # switch language when this step is first shown
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
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.cli import UsageError
from kiosk.flow.engine import Engine
from kiosk.flow.loader import DEFAULT_FLOWS_DIR, FlowLoadError, load_flow, load_flows
from kiosk.flow.outcome import Outcome
from kiosk.flow.schema import LANGUAGES, Flow
from kiosk.flow.scripted import Script, ScriptedDevices, ScriptedRenderer, ScriptError, load_script
from kiosk.flow.session import Session
from kiosk.privacy.masking import scrub
from kiosk.voice.script import spoken


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


@dataclass
class _Library:
    """The flows a run may use: the one asked for and its neighbours (for `call`)."""

    flows: dict[str, Flow]

    def flow(self, flow_id: str) -> Flow:
        """The flow with this id, or KeyError."""
        return self.flows[flow_id]


def _library(flow: str, flows_dir: Path) -> tuple[Flow, _Library]:
    path = Path(flow)
    if path.suffix in (".yaml", ".yml") or path.exists():
        try:
            main = load_flow(path).flow
        except FlowLoadError as exc:
            raise UsageError(str(exc)) from exc
        neighbours = load_flows([path.parent]).flows if path.parent.is_dir() else {}
        return main, _Library({**neighbours, main.id: main})
    flowset = load_flows([flows_dir])
    if flow not in flowset.flows:
        for error in flowset.errors:
            if Path(error.location.path).stem == flow:
                raise UsageError(str(error))
        raise UsageError(f"no flow {flow!r} in {flows_dir} (give a flow file or a flow id)")
    return flowset.flow(flow), _Library(flowset.flows)


@contextmanager
def _services(config_path: Path | None) -> Iterator[dict[str, Any]]:
    """The back office, journal and outbox of one run, closed afterwards."""
    from kiosk.backoffice.client import HttpBackends
    from kiosk.backoffice.demo import DemoBackOffice
    from kiosk.config import BackendConfig, ConfigError, load_config
    from kiosk.storage.database import Database
    from kiosk.storage.journal import SqliteJournal
    from kiosk.storage.outbox import SqliteOutbox

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    with ExitStack() as stack:
        if config_path is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kiosk-run-")))
        else:
            data_dir = config.data_dir
        fallback = None
        if config.simulate or not config.backends:
            demo = stack.enter_context(DemoBackOffice())
            fallback = BackendConfig(base_url=demo.url)
        db = Database.in_dir(data_dir)
        stack.callback(db.close)
        backends = stack.enter_context(HttpBackends(config.backends, fallback=fallback))
        outbox = SqliteOutbox(db, config.backends, fallback=fallback, submit_timeout=3.0)
        stack.callback(outbox.close)
        journal = SqliteJournal(db, config.terminal.id)
        yield {
            "backends": backends,
            "outbox": outbox,
            "journal": journal,
            "language": config.terminal.language,
        }


async def _run(flow: Flow, library: _Library, script: Script, lang: str, services: Any) -> Any:
    from kiosk.clock import ManualClock

    # A manual clock: scripted timeouts move it instead of waiting.
    clock = ManualClock(start=time.time())
    session = Session(clock, language=lang)
    renderer = ScriptedRenderer(script, clock=clock, session=session)
    engine = Engine(
        library,
        backends=services["backends"],
        outbox=services["outbox"],
        journal=services["journal"],
        devices=ScriptedDevices(script.devices),
        clock=clock,
    )
    try:
        outcome = await engine.run(flow.id, session, renderer)
    except ScriptError as exc:
        return renderer, exc
    return renderer, outcome


def run_command(args: argparse.Namespace) -> int:
    """Run the flow; print each prompt and the outcome."""
    try:
        script = load_script(args.answers)
    except ScriptError as exc:
        raise UsageError(str(exc)) from exc
    flow, library = _library(args.flow, DEFAULT_FLOWS_DIR)
    with _services(args.config) as services:
        lang = args.lang or script.language or services["language"]
        renderer, ended = asyncio.run(_run(flow, library, script, lang, services))
    for entry in renderer.transcript:
        _print_prompt(entry, args.json)
    if isinstance(ended, ScriptError):
        raise UsageError(f"{args.answers}: {ended}")
    _print_outcome(ended, args.json)
    return 0 if ended.status == "finished" else 1


def _print_prompt(entry: Any, as_json: bool) -> None:
    prompt = entry.prompt
    say = spoken(prompt)
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
    result = json.loads(scrub(json.dumps(outcome.result, ensure_ascii=False)))
    if as_json:
        line = {"outcome": outcome.status, "step": outcome.step, "error": outcome.error}
        line["result"] = result
        print(json.dumps(line, ensure_ascii=False))
        return
    error = f" ({outcome.error})" if outcome.error else ""
    print(f"outcome: {outcome.status} at {outcome.step}{error}")
    if result:
        print(f"result: {json.dumps(result, ensure_ascii=False)}")
