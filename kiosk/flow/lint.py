"""Static checks of loaded flows: what the schema cannot see but a resident would notice.

Path properties ("a consent before every personal read", "a confirm before every submission")
are computed on the step graph as must-analyses (a fact holds at a step only if it holds on every
path from the start), and across flows: a sub-flow starts with what holds at every call site and
a call passes on what holds at every successful finish of the sub-flow. Variable checks are
deliberately lenient (a name counts as set if any step that can come before sets it) so that a
finding is always worth reading.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import deque
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Literal

import msgspec

from kiosk.flow import schema
from kiosk.flow.collector import paused_gc
from kiosk.flow.graph import FALL_OFF, Edge, step_edges
from kiosk.flow.icons import known_icon
from kiosk.flow.loader import (
    FlowLoadError,
    FlowSet,
    LoadedFlow,
    SourceLocation,
    TemplateRef,
    read_yaml,
)
from kiosk.flow.receipt_schema import ReceiptTemplate
from kiosk.flow.schema import LANGUAGES, FinishStep, Flow, SchemaError, StepBase, Text, convert
from kiosk.flow.template_facts import TemplateFacts, facts

log = logging.getLogger(__name__)


Severity = Literal["error", "warning"]

CODES: Mapping[str, str] = {
    "unreachable": "a step no path from the start reaches",
    "dead-end": "a step after which the flow can never finish",
    "missing-translation": "a text without every language",
    "nothing-speakable": "a step that shows or asks something with nothing to show or say",
    "consent-missing": "personal data read without a consent on every path before",
    "confirm-missing": "a submission without a confirm on every path before",
    "no-timeout": "a waiting step without a timeout",
    "undefined-variable": "a template reads a name no earlier step sets",
    "undeclared-field": "a template reads a card field its read step does not keep",
    "personal-formatted": "a shown or spoken text reformats a personal value (sliced, filtered)",
    "undeclared-device": "a device used but not declared in `needs` (or `uses`)",
    "unknown-backend": "a step names a back office the kiosk configuration does not have",
    "personal-looking": "an input that looks like a name, address or number is not personal",
    "no-fallback": "a step on a device the flow can do without (`uses`) has no `on_error`",
    "unknown-step": "a transition to a step that does not exist",
    "unknown-flow": "a call to a flow that does not exist",
    "unknown-receipt": "a print step whose receipt template is missing or invalid",
}
"""Lint codes and what they mean (load errors keep their own codes, e.g. `schema`)."""

_WARNINGS = frozenset({"unreachable", "personal-formatted", "unknown-backend", "personal-looking"})
_SHOWN = frozenset({"text", "voice", "title", "help", "label", "purpose", "rows", "phrases"})
# Names templates may use without any step setting them (Jinja globals and loop helpers).
_BUILTINS = frozenset(
    {
        "range",
        "loop",
        "true",
        "false",
        "none",
        "True",
        "False",
        "None",
        "today",
        "language",
        "labels",
    }
)
_PERSONAL_NAME = re.compile(
    r"(^|_)(name|names|address|addr|id_?number|id_?no|phone|mobile|tel|bank_?card|card_?number"
    r"|ssn|passport)($|_)"
)
"""Variable names that usually hold personal data."""
# The must facts as bits of an int (a set of two, intersected and joined at every step of
# every flow, several times over: bit operations rather than new frozensets each time).
Facts = int
_CONSENT: Facts = 1
_CONFIRM: Facts = 2
_ALL_FACTS: Facts = _CONSENT | _CONFIRM
_NO_FACTS: Facts = 0
_NO_NAMES: frozenset[str] = frozenset()
_ERROR = frozenset({"error"})
_SAVES = frozenset(
    {
        schema.ChooseStep,
        schema.InputStep,
        schema.HttpStep,
        schema.PayStep,
        schema.BrowseStep,
        schema.SubmitStep,
        schema.CallStep,
        schema.ReadIdCardStep,
        schema.ReadSmartCardStep,
        schema.ScanCodeStep,
        schema.PrintStep,
        schema.CourierSignInStep,
        schema.PickCompartmentStep,
        schema.DepositParcelStep,
        schema.FindParcelsStep,
        schema.RefuseParcelsStep,
        schema.RetrievableParcelsStep,
        schema.ReleaseParcelsStep,
    }
)


class Finding(msgspec.Struct, frozen=True, order=True):
    """One problem at one place; `str()` is `path:line:col: code message`."""

    location: SourceLocation
    code: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.location}: {self.code} {self.message}"


def lint(flowset: FlowSet) -> list[Finding]:
    """Every load error and lint finding of the set, sorted by file, line and column."""
    with paused_gc():
        return _lint(flowset)


def _lint(flowset: FlowSet) -> list[Finding]:
    findings = [
        Finding(error.location, error.code, error.message, "error") for error in flowset.errors
    ]
    flows = flowset.lintable()
    receipts = _Receipts()
    analyses = {flow_id: _Analysis(loaded, receipts) for flow_id, loaded in flows.items()}
    _interprocedural(analyses)
    for analysis in analyses.values():
        findings.extend(analysis.findings(analyses))
    return sorted(set(findings))


def lint_flow(loaded: LoadedFlow) -> list[Finding]:
    """Findings of one flow on its own (sub-flow calls are taken to need nothing)."""
    flowset = FlowSet(loaded={loaded.flow.id: loaded})
    return [f for f in lint(flowset) if f.code != "unknown-flow"]


def _interprocedural(analyses: dict[str, _Analysis]) -> None:
    """Iterate entry and exit facts across calls until they settle (they only shrink)."""
    called = {callee for analysis in analyses.values() for callee in analysis.calls.values()}
    callers = {flow_id for flow_id, analysis in analyses.items() if analysis.calls}
    for flow_id, analysis in analyses.items():
        analysis.entry = _ALL_FACTS if flow_id in called else _NO_FACTS
        if flow_id in called or flow_id not in callers:
            # a flow that only calls runs below, once its callees' exit facts are known: what
            # it would find now, with none, nothing reads
            analysis.run_facts({})
    # Only flows that call or are called can change after the first pass.
    involved = [analyses[flow_id] for flow_id in sorted((called | callers) & set(analyses))]
    for _ in range(len(involved) + 2):
        exits = {
            flow_id: analyses[flow_id].exit_facts() for flow_id in called if flow_id in analyses
        }
        changed = False
        for analysis in involved:
            changed |= analysis.run_facts(exits)
        entries: dict[str, Facts] = {}
        for analysis in involved:
            for step_id, callee in analysis.call_sites():
                facts = analysis.facts_in.get(step_id, _ALL_FACTS)
                entries[callee] = entries.get(callee, _ALL_FACTS) & facts
        for flow_id, facts in entries.items():
            if flow_id in analyses and analyses[flow_id].entry != facts:
                analyses[flow_id].entry = facts
                changed = True
        if not changed:
            break


class _Analysis:
    """The step graph of one flow and what holds at each step."""

    def __init__(self, loaded: LoadedFlow, receipts: _Receipts) -> None:
        self.loaded = loaded
        self.receipts = receipts
        self.flow: Flow = loaded.flow
        self.steps: dict[str, StepBase] = {}
        self.index: dict[str, int] = {}
        self.defines: dict[str, frozenset[str]] = {}
        """Names each step may set."""
        self.calls: dict[str, str] = {}
        """The flow each call step calls, by step id."""
        self.readers: dict[str, schema.ReadIdCardStep | schema.ReadSmartCardStep] = {}
        """The card read steps by the name they save the card as."""
        self.personal: set[str] = set()
        """Names that hold personal data (card reads, personal inputs)."""
        self.reads_personal: set[str] = set()
        """The steps that read personal data (card reads, personal inputs)."""
        self.printing: list[tuple[int, schema.PrintStep]] = []
        """The print steps with their index."""
        for number, step in enumerate(self.flow.steps):  # what the checks ask of each step
            step_id = step.id
            self.steps[step_id] = step
            self.index[step_id] = number
            self.defines[step_id] = _defines(step)
            if isinstance(step, schema.CallStep):
                self.calls[step_id] = step.flow
            elif isinstance(step, schema.ReadIdCardStep | schema.ReadSmartCardStep):
                self.readers[step.save_as or step_id] = step
            elif isinstance(step, schema.PrintStep):
                self.printing.append((number, step))
            if step.PERSONAL_READ or (isinstance(step, schema.InputStep) and step.is_personal()):
                self.reads_personal.add(step_id)
                self.personal.add(getattr(step, "save_as", None) or step_id)
        self.edges = step_edges(self.flow)
        self.start = self.flow.steps[0].id
        self.reachable = self._reach(self.start)
        self._ways = {
            step_id: [
                (edge.target, edge.completed)
                for edge in self.edges[step_id]
                if edge.target in self.reachable
            ]
            for step_id in self.reachable
        }
        """Each reachable step's ways to reachable steps: (target, whether the step completed)."""
        self.entry: Facts = _NO_FACTS
        self.facts_in: dict[str, Facts] = {}
        self.callees = sorted(set(self.calls.values()))
        self._ran_with: tuple[Facts, ...] | None = None
        """The entry facts and callees' exit facts of the last `run_facts`."""

    # Graph ----------------------------------------------------------------------------------

    def _reach(self, start: str) -> set[str]:
        seen = {start}
        queue = deque([start])
        while queue:
            for edge in self.edges[queue.popleft()]:
                if edge.target in self.steps and edge.target not in seen:
                    seen.add(edge.target)
                    queue.append(edge.target)
        return seen

    def _can_finish(self) -> set[str]:
        """Steps from which some path reaches a finish, `$end`, `$cancel` (or the fall-off)."""
        incoming: dict[str, list[str]] = {step_id: [] for step_id in self.steps}
        done: set[str] = set()
        for step_id, out in self.edges.items():
            if isinstance(self.steps[step_id], FinishStep):
                done.add(step_id)
            for edge in out:
                if edge.target in self.steps:
                    incoming[edge.target].append(step_id)
                else:
                    done.add(step_id)
        queue = deque(done)
        while queue:
            for source in incoming[queue.popleft()]:
                if source not in done:
                    done.add(source)
                    queue.append(source)
        return done

    def call_sites(self) -> Iterator[tuple[str, str]]:
        """(step id, called flow id) of each reachable call step."""
        for step_id, callee in self.calls.items():
            if step_id in self.reachable:
                yield step_id, callee

    # Must facts (consent, confirm) -------------------------------------------------------------

    def _gen(self, step: StepBase, exits: Mapping[str, Facts]) -> Facts:
        if isinstance(step, schema.ConsentStep):
            return _CONSENT
        if isinstance(step, schema.ConfirmStep):
            return _CONFIRM
        if isinstance(step, schema.CallStep):
            return exits.get(step.flow, _NO_FACTS)
        return _NO_FACTS

    def run_facts(self, exits: Mapping[str, Facts]) -> bool:
        """Compute the facts holding on entry to each step; True if anything changed."""
        inputs = (self.entry, *(exits.get(callee, _NO_FACTS) for callee in self.callees))
        if inputs == self._ran_with:
            return False  # the same entry and callees: the same facts
        self._ran_with = inputs
        facts: dict[str, Facts] = dict.fromkeys(self.reachable, _ALL_FACTS)
        start, entry, steps, calls = self.start, self.entry, self.steps, self.calls
        facts[start] = entry
        queue = deque([start])
        queued = {start}
        while queue:
            step_id = queue.popleft()
            queued.discard(step_id)
            here = facts[step_id]
            callee = calls.get(step_id)
            if callee is not None:
                produced = here | exits.get(callee, _NO_FACTS)
            else:
                produced = here | self._gen(steps[step_id], exits)
            for target, completed in self._ways[step_id]:
                merged = facts[target] & (produced if completed else here)
                if target == start:
                    merged &= entry
                if merged != facts[target]:
                    facts[target] = merged
                    if target not in queued:
                        queued.add(target)
                        queue.append(target)
        changed = facts != self.facts_in
        self.facts_in = facts
        return changed

    def exit_facts(self) -> Facts:
        """Facts holding at every successful end of this flow (top before the first run)."""
        if not self.facts_in:
            return _ALL_FACTS
        result = _ALL_FACTS
        for step_id in self.reachable:
            step = self.steps[step_id]
            here = self.facts_in.get(step_id, _ALL_FACTS)
            if isinstance(step, FinishStep) and step.status == "success":
                result &= here
            for edge in self.edges[step_id]:
                if edge.target == "$end" or edge.target == FALL_OFF:
                    result &= here | (self._gen(step, {}) if edge.completed else _NO_FACTS)
        return result

    # Findings -------------------------------------------------------------------------------

    def finding(self, location: SourceLocation, code: str, message: str) -> Finding:
        """A finding with the severity its code carries."""
        return Finding(location, code, message, "warning" if code in _WARNINGS else "error")

    def findings(self, analyses: Mapping[str, _Analysis]) -> list[Finding]:
        """Every lint finding of this flow."""
        found: list[Finding] = []
        found.extend(self._structure())
        found.extend(self._texts())
        found.extend(self._steps(analyses))
        found.extend(self._templates())
        found.extend(self._receipt_reads())
        found.extend(self._icon())
        found.extend(self._personal_looking())
        return found

    def _icon(self) -> Iterator[Finding]:
        icon = self.flow.icon
        if icon is not None and known_icon(icon) is False:
            yield self.finding(
                self.loaded.value_where("icon"),
                "unknown-icon",
                f"icon {icon!r} is not in the Material Design Icons font",
            )

    def _structure(self) -> Iterator[Finding]:
        where = self.loaded
        for step in self.flow.steps:
            if step.id not in self.reachable:
                yield self.finding(
                    where.step_location(step.id),
                    "unreachable",
                    f"step '{step.id}' is never reached from the first step '{self.start}'",
                )
                continue
            for edge in self.edges[step.id]:
                if edge.target == FALL_OFF:
                    yield self._fall_off(edge)
        stuck = self.reachable - self._can_finish()
        for step_id in stuck:  # `lint` sorts the findings
            yield self.finding(
                where.step_location(step_id),
                "dead-end",
                f"step '{step_id}' can never reach a finish: every way on loops back",
            )

    def _fall_off(self, edge: Edge) -> Finding:
        step = self.steps[edge.source]
        if edge.kind == "skip":
            message = f"step '{step.id}' is last and may be skipped (when), leaving nowhere to go"
        elif edge.kind == "fallthrough":
            message = f"step '{step.id}' is last and none of its transitions may match"
        else:
            message = f"step '{step.id}' is the last step but not a finish: add a finish or next"
        location = self.loaded.where(*edge.loc)
        return self.finding(location, "dead-end", message)

    def _texts(self) -> Iterator[Finding]:
        for loc, text in self.loaded.parts.texts:
            if text.complete():
                continue  # the common case, without a list
            missing = text.missing()
            if missing:
                yield self.finding(
                    self.loaded.where(*loc),
                    "missing-translation",
                    f"{_subject(self.flow, loc)}: {_field(loc)} has no {', '.join(missing)} text",
                )

    def _steps(self, analyses: Mapping[str, _Analysis]) -> Iterator[Finding]:
        flow = self.flow
        needs = set(flow.needs)
        declared = needs | set(flow.uses)
        waits_unlimited = flow.defaults.timeout is None
        for index, step in enumerate(flow.steps):
            here = ("steps", index)
            kind = step.kind
            # a flow on no menu is only called: its finish may hand its result back silently
            speaks = step.WAITS and not step.SPEAKS_ITSELF
            if (speaks or (isinstance(step, FinishStep) and flow.modes)) and not (
                step.text is not None and step.text.complete()  # the common case
            ):
                silent = _silent_languages(step.text, step.voice, getattr(step, "purpose", None))
                if silent:
                    yield self.finding(
                        self.loaded.where(*here),
                        "nothing-speakable",
                        f"step '{step.id}' ({kind}) has no text or voice in {', '.join(silent)}",
                    )
            for number, option in enumerate(getattr(step, "options", None) or ()):
                if option.label.complete():
                    continue  # the common case
                silent = _silent_languages(option.label, option.voice)
                if silent:
                    yield self.finding(
                        self.loaded.where(*here, "options", number),
                        "nothing-speakable",
                        f"step '{step.id}': option '{option.value}' has no label or voice in "
                        + ", ".join(silent),
                    )
            if step.WAITS and step.timeout is None and waits_unlimited:
                yield self.finding(
                    self.loaded.where(*here),
                    "no-timeout",
                    f"step '{step.id}' ({kind}) waits for the resident but has no timeout "
                    "(set `timeout` or `defaults.timeout`)",
                )
            facts = self.facts_in.get(step.id)
            if facts is not None:
                if step.id in self.reads_personal and not facts & _CONSENT:
                    yield self.finding(
                        self.loaded.where(*here),
                        "consent-missing",
                        f"step '{step.id}' ({kind}) reads personal data, but not every path to "
                        "it passes a consent step",
                    )
                if step.IRREVERSIBLE and not facts & _CONFIRM:
                    yield self.finding(
                        self.loaded.where(*here),
                        "confirm-missing",
                        f"step '{step.id}' ({kind}) commits, but not every path to it passes a "
                        "confirm step",
                    )
            device = step.DEVICE
            if device is not None:
                if device in flow.uses and step.on_error is None:
                    yield self.finding(
                        self.loaded.where(*here, "kind"),
                        "no-fallback",
                        f"step '{step.id}' ({kind}) uses the {device}, which the flow lists in "
                        "`uses` (it can do without), but has no `on_error` to go on without it",
                    )
                if device not in declared:
                    yield self.finding(
                        self.loaded.where(*here, "kind"),
                        "undeclared-device",
                        f"step '{step.id}' ({kind}) uses the {device} but `needs` does not list it",
                    )
            if isinstance(step, schema.CallStep) and step.flow in analyses:
                # a device the caller can do without (`uses`) is fine where the call has an
                # `on_error` to go on without it
                spared = set(flow.uses) if step.on_error is not None else set()
                lacking = sorted(set(_needs(step.flow, analyses)) - needs - spared)
                if lacking:
                    yield self.finding(
                        self.loaded.value_where(*here, "flow"),
                        "undeclared-device",
                        f"step '{step.id}' calls '{step.flow}', which needs "
                        f"{', '.join(lacking)}, but `needs` does not list it",
                    )

    def _templates(self) -> Iterator[Finding]:
        """What each template and condition reads, in one pass over them: a name no earlier
        step sets (in reachable steps), a card field its read step does not keep, a personal
        value reformatted in what is shown or spoken."""
        flow = self.flow
        readers, personal = self.readers, self.personal
        parts = self.loaded.parts
        inputs = frozenset(flow.inputs) | _BUILTINS
        for ref in parts.flow_refs:
            if not ref.facts.names <= inputs:
                yield from self._undefined(ref, inputs, "flow")
            if readers:
                yield from self._card_fields(ref, readers)
        defined = self._defined_before
        for index, step in enumerate(flow.steps):
            refs = parts.step_refs[index]
            if not refs:
                continue
            reachable = step.id in self.reachable
            if reachable:
                before = defined[step.id] | step.LOCALS
                after = before | self.defines[step.id]
                keys = list(step.values) if isinstance(step, schema.SetStep) else None
            for ref in refs:
                read = ref.facts
                if reachable:
                    available = after if ref.after else before
                    if keys is not None and len(ref.loc) > 3:
                        # values are set in order: each may read the ones above it
                        name = ref.loc[3]
                        available = before | set(keys[: keys.index(name)] if name in keys else keys)
                    if not read.names <= available:
                        yield from self._undefined(ref, available, f"step '{step.id}'")
                if readers:
                    yield from self._card_fields(ref, readers)
                if personal and read.reshaped and not _SHOWN.isdisjoint(ref.loc):
                    # masked by origin all the same, but a sign the text shows more than it
                    # should
                    for name in sorted(read.reshaped & personal):
                        yield self.finding(
                            self.loaded.value_where(*ref.loc),
                            "personal-formatted",
                            f"step '{step.id}': {_field(ref.loc)} reformats the personal "
                            f"value '{name}'; show it through a mask_* filter instead",
                        )

    def _card_fields(
        self,
        ref: TemplateRef,
        readers: Mapping[str, schema.ReadIdCardStep | schema.ReadSmartCardStep],
    ) -> Iterator[Finding]:
        """A flow keeps only the card fields its read steps declare: reading another is a
        mistake (it would be empty) that also hides what the flow really collects."""
        for name, field_name in _card_paths(ref.facts, readers):
            yield self.finding(
                self.loaded.value_where(*ref.loc),
                "undeclared-field",
                f"{_subject(self.flow, ref.loc)}: {_field(ref.loc)} reads "
                f"'{name}.{field_name}', but step '{readers[name].id}' keeps only "
                + ", ".join(readers[name].fields),
            )

    def _receipt_reads(self) -> Iterator[Finding]:
        """A print step's receipt template must be there and valid; it reads the flow's
        variables as they are when it prints: a name no step set by then would fail on paper,
        as a device fault, after the resident was served; and, like any template, only the card
        fields the flow keeps."""
        if not self.printing:
            return
        readers = self.readers
        defined = self._defined_before
        for index, step in self.printing:
            problem = self.receipts.problem(self.loaded.path.parent, step.receipt)
            if problem:
                yield self.finding(
                    self.loaded.value_where("steps", index, "receipt"),
                    "unknown-receipt",
                    f"step '{step.id}' prints '{step.receipt}': {problem}",
                )
            templates = self.receipts.templates(self.loaded.path.parent, step.receipt)
            if step.id in self.reachable:
                available = defined[step.id] | step.LOCALS
                missing: set[str] = set()
                for source in templates:
                    missing |= facts(source, False).names - available
                for name in sorted(missing):
                    yield self.finding(
                        self.loaded.value_where("steps", index, "receipt"),
                        "undefined-variable",
                        f"step '{step.id}': receipt '{step.receipt}' reads '{name}', which no "
                        "earlier step sets",
                    )
            if not readers:
                continue
            for source in templates:
                for name, field_name in _card_paths(facts(source, False), readers):
                    yield self.finding(
                        self.loaded.value_where("steps", index, "receipt"),
                        "undeclared-field",
                        f"step '{step.id}': receipt '{step.receipt}' reads "
                        f"'{name}.{field_name}', but step '{readers[name].id}' keeps only "
                        + ", ".join(readers[name].fields),
                    )

    def _personal_looking(self) -> Iterator[Finding]:
        """A typed name or address left unmarked is shown and spoken in full: probably an
        oversight (say `personal: true`, or `personal: false` when it is meant)."""
        for index, step in enumerate(self.flow.steps):
            if not isinstance(step, schema.InputStep) or step.personal is not None:
                continue
            name = step.save_as or step.id
            if step.input_type in ("text", "digits") and _PERSONAL_NAME.search(name):
                yield self.finding(
                    self.loaded.where("steps", index, "input_type"),
                    "personal-looking",
                    f"step '{step.id}' saves '{name}', which looks like personal data, but is "
                    "not marked personal; say `personal: true` (masked wherever shown) or "
                    "`personal: false`",
                )

    def _undefined(
        self, ref: TemplateRef, available: frozenset[str], subject: str
    ) -> Iterator[Finding]:
        for name in sorted(ref.facts.names - available):
            yield self.finding(
                self.loaded.value_where(*ref.loc),
                "undefined-variable",
                f"{subject}: {_field(ref.loc)} reads '{name}', which no earlier step sets",
            )

    @functools.cached_property
    def _defined_before(self) -> dict[str, frozenset[str]]:
        """Names some path may have set on entry to each step (a may-analysis)."""
        start_names = frozenset(self.flow.inputs) | _BUILTINS
        defined: dict[str, frozenset[str]] = dict.fromkeys(self.steps, _NO_NAMES)
        defined[self.start] = start_names
        ways = {  # each step's ways to a step: (target, whether it is the way after an error)
            step_id: [(edge.target, edge.kind == "error") for edge in out if edge.target in defined]
            for step_id, out in self.edges.items()
        }
        queue = deque([self.start])
        queued = {self.start}
        while queue:
            step_id = queue.popleft()
            queued.discard(step_id)
            out = defined[step_id] | self.defines[step_id]
            for target, after_error in ways[step_id]:
                # the engine keeps what went wrong as `error` ({key, step}) for `on_error`
                arriving = out | _ERROR if after_error else out
                if not arriving <= defined[target]:
                    defined[target] = defined[target] | arriving
                    if target not in queued:
                        queued.add(target)
                        queue.append(target)
        return defined


def lint_backends(flowset: FlowSet, configured: Collection[str]) -> list[Finding]:
    """Warnings for steps naming a back office the configuration lacks (it would fail at run
    time with `backend.unknown`: "this service is not set up on this kiosk")."""
    found: list[Finding] = []
    for loaded in flowset.lintable().values():
        for index, step in enumerate(loaded.flow.steps):
            backend = getattr(step, "backend", None)
            if isinstance(backend, str) and backend not in configured:
                found.append(
                    Finding(
                        loaded.value_where("steps", index, "backend"),
                        "unknown-backend",
                        f"step '{step.id}' calls back office '{backend}', which the "
                        "configuration does not name in [backends]",
                        "warning",
                    )
                )
    return found


class _Receipts:
    """The receipt templates one lint run reads, each looked up once (many flows print the
    same template; a file read before is read again only once it changed)."""

    def __init__(self) -> None:
        self._problems: dict[tuple[Path, str], str] = {}
        self._templates: dict[tuple[Path, str], list[str]] = {}

    def problem(self, folder: Path, receipt: str) -> str:
        """Why the receipt template `receipt` of the flows in `folder` cannot be used, or ""
        when it can."""
        key = (folder, receipt)
        found = self._problems.get(key)
        if found is None:
            found = self._problems[key] = _receipt_problem(folder / "receipts", receipt)
        return found

    def templates(self, folder: Path, receipt: str) -> list[str]:
        """Every template string of the receipt template `receipt` of the flows in `folder`
        (none if it cannot be read)."""
        key = (folder, receipt)
        found = self._templates.get(key)
        if found is None:
            path = folder / "receipts" / f"{receipt}.yaml"
            found = self._templates[key] = _receipt_templates(path)
        return found


def _receipt_problem(directory: Path, receipt: str) -> str:
    """Why the receipt template `receipt` cannot be used, or "" when it can."""
    path = directory / f"{receipt}.yaml"
    try:
        stat = path.stat()
    except OSError:
        return f"no template {path.name} in {directory}"
    # Many flows print the same template: read each version of a file once.
    return _template_problem(path, receipt, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _template_problem(path: Path, receipt: str, mtime_ns: int, size: int) -> str:
    directory = path.parent
    try:
        template = convert(read_yaml(path), ReceiptTemplate)
    except FlowLoadError as exc:
        if exc.message == "no such file":
            return f"no template {path.name} in {directory}"
        return f"{path.name}:{exc.location.line}: {exc.message}"
    except RecursionError:
        return f"{path.name} is nested too deeply"
    except SchemaError as exc:
        first = exc.errors[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{path.name}: {where}: {first['msg']}"
    if template.id != receipt:
        return f"{path.name} has id '{template.id}'"
    return ""


def _card_paths(
    read: TemplateFacts, readers: Mapping[str, schema.ReadIdCardStep | schema.ReadSmartCardStep]
) -> list[tuple[str, str]]:
    """The `card.field` paths a template reads whose field the card's read step does not keep."""
    found = None
    for path in read.paths:
        if len(path) >= 2 and path[0] in readers and path[1] not in readers[path[0]].fields:
            found = found or set()
            found.add((path[0], path[1]))
    return sorted(found) if found else []


def _receipt_templates(path: Path) -> list[str]:
    """Every template string of a receipt template file (none if it cannot be read)."""
    try:
        stat = path.stat()
    except OSError:
        return []
    return list(_receipt_strings(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=256)
def _receipt_strings(path: Path, mtime_ns: int, size: int) -> tuple[str, ...]:
    try:
        data = read_yaml(path)
    except FlowLoadError:
        return ()  # reported by the receipt check
    found: list[str] = []
    pending: list[object] = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str) and "{" in value:
            found.append(value)
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return tuple(found)


def _needs(flow_id: str, analyses: Mapping[str, _Analysis]) -> set[str]:
    """Devices a flow needs, with those of the flows it calls."""
    result: set[str] = set()
    pending = [flow_id]
    seen: set[str] = set()
    while pending:
        current = pending.pop()
        if current in seen or current not in analyses:
            continue
        seen.add(current)
        flow = analyses[current].flow
        result.update(flow.needs)
        result.update(
            s.DEVICE for s in flow.steps if s.DEVICE is not None and s.DEVICE not in flow.uses
        )
        pending.extend(s.flow for s in flow.steps if isinstance(s, schema.CallStep))
    return result


def _defines(step: StepBase) -> frozenset[str]:
    """Names a step may set: `save_as` (default: the step id) or a `set` step's keys."""
    if isinstance(step, schema.SetStep):
        return frozenset(step.values)
    if type(step) in _SAVES:
        save_as = getattr(step, "save_as", None)
        return frozenset({save_as or step.id})
    return frozenset()


def _silent_languages(*texts: Text | None) -> list[str]:
    # a text's fields are its languages (`Text.root`), read as they are
    present = [text for text in texts if text is not None]
    return [lang for lang in LANGUAGES if not any(getattr(text, lang) for text in present)]


def _subject(flow: Flow, loc: tuple[str | int, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
        return f"step '{flow.steps[loc[1]].id}'"
    return f"flow '{flow.id}'"


def _field(loc: tuple[str | int, ...]) -> str:
    rest = loc[2:] if len(loc) >= 2 and loc[0] == "steps" else loc
    text = ""
    for part in rest:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "step"
