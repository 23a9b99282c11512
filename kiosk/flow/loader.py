"""Load flow files: YAML to validated `Flow` models, every error at its exact file:line:column.

`load_flow` reads one file; `load_flows` reads files and directories into a `FlowSet`, collecting
every error instead of stopping at the first. Beyond the schema, loading checks what a typo would
otherwise break only at run time: transition targets, template and expression syntax, regular
expressions, and (across the set) duplicate flow ids and calls to unknown flows.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
import typing
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
from msgspec import UNSET

from kiosk.flow import schema
from kiosk.flow.collector import paused_gc
from kiosk.flow.locations import MAX_BYTES, DocumentError, Loc, SourceLocation, read_document
from kiosk.flow.schema import (
    END_TARGETS,
    LANGUAGES,
    Flow,
    SchemaError,
    StepBase,
    Text,
    convert,
)
from kiosk.flow.template_facts import TemplateFacts, facts

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_FLOWS_DIR",
    "FlowLoadError",
    "FlowLoadErrors",
    "FlowParts",
    "FlowSet",
    "LoadedFlow",
    "SourceLocation",
    "TemplateRef",
    "flow_parts",
    "load_flow",
    "load_flows",
    "read_yaml",
    "step_templates",
    "template_info",
]

DEFAULT_FLOWS_DIR = Path(__file__).resolve().parents[2] / "flows"
"""The shipped flows: `flows/` at the repository root."""

_SKIP_DIRS = frozenset({"receipts"})
_ANSWERS_SUFFIX = ".answers.yaml"
_TARGET_FIELDS = ("on_timeout", "on_error", "on_decline")


class FlowLoadError(Exception):
    """A flow file that cannot be used; `str()` is `path:line:col: message`."""

    def __init__(
        self,
        location: SourceLocation,
        message: str,
        code: str = "load-error",
        *,
        unreadable: bool = False,
    ) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message
        self.code = code
        """A stable name for the kind of problem, e.g. `unknown-step`, `yaml-syntax`."""
        self.unreadable = unreadable
        """True when the file could not be read as a flow at all (missing, not YAML, not a flow)."""

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class FlowLoadErrors(FlowLoadError):
    """Several errors in one file; behaves as the first, `errors` holds them all in order."""

    def __init__(self, errors: list[FlowLoadError]) -> None:
        first = errors[0]
        super().__init__(first.location, first.message, first.code, unreadable=first.unreadable)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(f"{error.location}: {error.message}" for error in self.errors)


def _all_errors(error: FlowLoadError) -> list[FlowLoadError]:
    return list(error.errors) if isinstance(error, FlowLoadErrors) else [error]


class LoadedFlow(msgspec.Struct, frozen=True, dict=True):  # dict: for `parts`, cached
    """A validated flow and where each of its parts is in the source file."""

    flow: Flow
    path: Path
    locations: Mapping[Loc, SourceLocation]
    """Where each key (or sequence item) starts, by loc path (YAML key names and item indexes)."""
    value_locations: Mapping[Loc, SourceLocation] = msgspec.field(default_factory=dict)
    """Where each value starts; for references and templates, which sit after their key."""

    @functools.cached_property
    def parts(self) -> FlowParts:
        """The flow's templates and texts, gathered once."""
        return flow_parts(self.flow)

    def where(self, *loc: str | int) -> SourceLocation:
        """The location of `loc` (e.g. `("steps", 3, "next")`), else of its nearest parent."""
        return _nearest(self.locations, loc, self.path)

    def value_where(self, *loc: str | int) -> SourceLocation:
        """The location of the value at `loc`, else of its key or nearest parent."""
        if loc in self.value_locations:
            return self.value_locations[loc]
        return self.where(*loc)

    def step_location(self, step_id: str) -> SourceLocation:
        """Where the step with this id starts (its list item)."""
        return self.where("steps", self.step_index(step_id))

    def step_index(self, step_id: str) -> int:
        """The position of the step with this id in `flow.steps`."""
        for index, step in enumerate(self.flow.steps):
            if step.id == step_id:
                return index
        raise KeyError(step_id)


def _nearest(
    locations: Mapping[Loc, SourceLocation], loc: tuple[str | int, ...], path: Path
) -> SourceLocation:
    for end in range(len(loc), -1, -1):
        found = locations.get(loc[:end])
        if found is not None:
            return found
    return SourceLocation(str(path), 1, 1)


class TemplateRef(msgspec.Struct, frozen=True, gc=False):
    """A template or expression inside a step, with its loc path relative to the flow (made
    for every template of every flow loaded: a struct is made several times faster than a
    named tuple, and is never scanned by the cyclic garbage collector).

    A text without `{` is plain, not a template (every Jinja construct starts with `{`): it
    has nothing to check or read, and no reference is made for it."""

    loc: Loc
    source: str
    expression: bool
    after: bool
    """True when evaluated after the step ran (transition conditions), so it sees the step's
    own saved value."""
    facts: TemplateFacts
    """What it is and reads (`template_facts.facts`): asked once here for the loader's and the
    linter's checks together."""


class FlowParts(NamedTuple):
    """The templates and texts of a flow, gathered in one walk for the loader and the linter."""

    flow_refs: list[TemplateRef]
    """Templates of the flow's own fields (title, description); plain texts are not listed."""
    step_refs: list[list[TemplateRef]]
    """Templates and conditions of each step, by step index; plain texts are not listed."""
    texts: list[tuple[Loc, Text]]
    """Every multilingual text with its loc path."""


# Fields whose strings are rendered as templates (`render_value` for JSON-like values).
_TEMPLATE_FIELDS: dict[type[msgspec.Struct], frozenset[str]] = {
    schema.ReviewRow: frozenset({"value"}),
    schema.HttpRequest: frozenset({"path", "query", "json"}),
    schema.SetStep: frozenset({"values"}),
    schema.CallStep: frozenset({"with"}),
    schema.FinishStep: frozenset({"result"}),
    schema.SubmitStep: frozenset({"path", "payload"}),
}


def field_types(model: type[msgspec.Struct]) -> dict[str, Any]:
    """Each field's annotation by attribute name, as written in the class (or a base).

    `msgspec.structs.fields` evaluates every annotation again on each call (`typing._eval_type`
    over every nested type: about a millisecond for a step kind, and tens of milliseconds for a
    run's flows). The schema's annotations are objects already (its modules do not postpone
    them), so they are read as they are; a model with one written as a string, or a generic
    base, is read by msgspec.
    """
    written: dict[str, Any] = {}
    for cls in reversed(model.__mro__):
        if "__orig_bases__" in cls.__dict__:
            written = {}
            break
        written.update(inspect.get_annotations(cls))
    names = model.__struct_fields__
    if not all(name in written and not isinstance(written[name], str) for name in names):
        return {info.name: info.type for info in msgspec.structs.fields(model)}
    return {name: written[name] for name in names}


@functools.cache
def _fields(model: type[msgspec.Struct]) -> dict[str, tuple[str, bool]]:
    """Attribute name to (YAML key, is-template) for each field of a model."""
    templates = frozenset[str]().union(
        *(keys for cls, keys in _TEMPLATE_FIELDS.items() if issubclass(model, cls))
    )
    return {
        name: (key, key in templates)
        for name, key in zip(model.__struct_fields__, model.__struct_encode_fields__, strict=True)
    }


@functools.cache
def _walked(model: type[msgspec.Struct]) -> tuple[tuple[str, str, bool], ...]:
    """(attribute, YAML key, is-template) of the fields `_walk` looks into: templates, `when`,
    and fields that may hold a text or another struct (not ids, targets, numbers...)."""
    types = field_types(model)
    return tuple(
        (name, key, is_template)
        for name, (key, is_template) in _fields(model).items()
        if is_template or key == "when" or _holds_struct(types[name])
    )


def _holds_struct(kind: Any) -> bool:
    """Whether a field of this type may hold a struct (a text, a step, a transition...)."""
    if isinstance(kind, type):
        return issubclass(kind, msgspec.Struct)
    return any(_holds_struct(arg) for arg in typing.get_args(kind))


def _walk(
    model: msgspec.Struct,
    loc: Loc,
    after: bool,
    refs: list[TemplateRef],
    texts: list[tuple[Loc, Text]],
) -> None:
    for name, key, is_template in _walked(type(model)):
        value = getattr(model, name)
        if value is None:
            continue
        here = (*loc, key)
        if type(value) is Text:
            texts.append((here, value))
            for lang in LANGUAGES:  # a text's fields, in the order of `Text.root`
                source = getattr(value, lang)
                if source is not UNSET and "{" in source:
                    refs.append(
                        TemplateRef((*here, lang), source, False, after, facts(source, False))
                    )
        elif isinstance(value, msgspec.Struct):
            _walk(value, here, after, refs, texts)
        elif key == "when" and type(value) is str:
            refs.append(TemplateRef(here, value, True, after, facts(value, True)))
        elif is_template:
            _value_templates(value, here, after, refs)
        elif type(value) is list and key != "steps":
            later = after or key == "next"
            for index, item in enumerate(value):
                if isinstance(item, msgspec.Struct):
                    _walk(item, (*here, index), later, refs, texts)


def flow_parts(flow: Flow) -> FlowParts:
    """Gather every template, expression and text of a flow with its loc path."""
    texts: list[tuple[Loc, Text]] = []
    flow_refs: list[TemplateRef] = []
    _walk(flow, (), False, flow_refs, texts)
    step_refs: list[list[TemplateRef]] = []
    for index, step in enumerate(flow.steps):
        refs: list[TemplateRef] = []
        _walk(step, ("steps", index), False, refs, texts)
        step_refs.append(refs)
    return FlowParts(flow_refs, step_refs, texts)


def step_templates(step: msgspec.Struct, loc: Loc, *, after: bool = False) -> Iterator[TemplateRef]:
    """Every template and expression inside a model (a step, or the flow's own texts)."""
    refs: list[TemplateRef] = []
    _walk(step, loc, after, refs, [])
    return iter(refs)


def _value_templates(value: Any, loc: Loc, after: bool, refs: list[TemplateRef]) -> None:
    if type(value) is str:
        if "{" in value:
            refs.append(TemplateRef(loc, value, False, after, facts(value, False)))
    elif isinstance(value, dict):
        for key, item in value.items():
            _value_templates(item, (*loc, key), after, refs)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _value_templates(item, (*loc, index), after, refs)


def template_info(source: str, expression: bool) -> tuple[str | None, frozenset[str]]:
    """(syntax error or None, top-level names read) of a template or expression.

    Same verdict as `expressions.syntax_error` but without compiling to Python; parsed once
    for the loader and the linter together (`kiosk.flow.template_facts`).
    """
    found = facts(source, expression)
    return found.error, found.names


@functools.lru_cache(maxsize=1024)
def _regex_error(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as exc:
        return str(exc)
    return None


def _read_text(path: Path) -> str:
    where = SourceLocation(str(path), 1, 1)
    try:
        if not path.is_file() and path.exists():  # a device such as /dev/zero never ends
            raise FlowLoadError(where, "not a regular file", "unreadable", unreadable=True)
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise FlowLoadError(
                where, f"file larger than {MAX_BYTES} bytes", "too-large", unreadable=True
            )
    except FileNotFoundError:
        raise FlowLoadError(where, "no such file", "unreadable", unreadable=True) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise FlowLoadError(
            where, f"cannot read: {reason}", "unreadable", unreadable=True
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FlowLoadError(
            SourceLocation(str(path), line, 1), "not UTF-8 text", "unreadable", unreadable=True
        ) from None


FileResults = dict[Path, tuple[LoadedFlow | None, list[FlowLoadError]]]
"""What reading each flow file gave (the flow, if it validates, and the file's errors), by path:
passed to several `load_flow`/`load_flows` calls of one process, no file is read twice."""


def load_flow(path: Path, read: FileResults | None = None) -> LoadedFlow:
    """Read, validate and reference-check one flow file; raise `FlowLoadError(s)`.

    `read`: files read already (taken from it, not read again); this one is added to it."""
    loaded, errors = _load_once(Path(path), read)
    if errors:
        raise errors[0] if len(errors) == 1 else FlowLoadErrors(errors)
    assert loaded is not None
    return loaded


def read_yaml(path: Path, *, keep: bool = True) -> Any:
    """The plain data of any YAML content file (receipts, answers), read as hardened as a flow
    (size, depth, aliases, tags, UTF-8); `FlowLoadError` with the place of the problem.
    `keep=False`: never kept between processes (`kept_documents`), for files that may hold
    someone's details."""
    text = _read_text(Path(path))
    try:
        return read_document(text, str(path), keep=keep).data
    except DocumentError as exc:
        raise FlowLoadError(exc.location, exc.message, exc.code, unreadable=True) from None


def _load(path: Path) -> tuple[LoadedFlow | None, list[FlowLoadError]]:
    """The flow (None if it does not validate) and every error found in the file."""
    text = _read_text(path)
    try:
        document = read_document(text, str(path))
    except DocumentError as exc:
        unreadable = exc.code in ("yaml-syntax", "too-large", "too-deep")
        return None, [FlowLoadError(exc.location, exc.message, exc.code, unreadable=unreadable)]
    data = document.data
    root = SourceLocation(str(path), 1, 1)
    if not isinstance(data, dict) or not ({"id", "steps"} & data.keys()):
        return None, [
            FlowLoadError(
                root,
                "not a flow: expected a mapping with id, title and steps",
                "not-a-flow",
                unreadable=True,
            )
        ]
    errors = _duplicate_step_ids(data, document.values, path)
    try:
        flow = convert(data, Flow)
    except SchemaError as exc:
        errors.extend(_validation_errors(exc, data, document.keys, path, bool(errors)))
        return None, _sorted(errors)
    loaded = LoadedFlow(flow, path, document.keys, document.values)
    errors.extend(_reference_errors(loaded))
    return loaded, _sorted(errors)


def _sorted(errors: list[FlowLoadError]) -> list[FlowLoadError]:
    return sorted(errors, key=lambda e: (e.location.line, e.location.column))


def _duplicate_step_ids(
    data: dict[str, Any], values: Mapping[Loc, SourceLocation], path: Path
) -> list[FlowLoadError]:
    steps = data.get("steps")
    if not isinstance(steps, list):
        return []
    seen: dict[str, int] = {}
    errors = []
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or not isinstance(step.get("id"), str):
            continue
        step_id = step["id"]
        if step_id in seen:
            where = values.get(("steps", index, "id")) or SourceLocation(str(path), 1, 1)
            first = values.get(("steps", seen[step_id], "id"))
            also = f" (first at line {first.line})" if first else ""
            errors.append(
                FlowLoadError(where, f"step id '{step_id}' is used twice{also}", "duplicate-step")
            )
        else:
            seen[step_id] = index
    return errors


@functools.cache
def _known_keys() -> frozenset[str]:
    keys: set[str] = set()
    models: list[type[msgspec.Struct]] = [Flow]
    seen: set[type[msgspec.Struct]] = set()
    step_classes = [c for c in vars(schema).values() if isinstance(c, type)]
    models.extend(c for c in step_classes if issubclass(c, msgspec.Struct))
    for model in models:
        if model in seen:
            continue
        seen.add(model)
        keys.update(key for key, _ in _fields(model).values())
        if model.__struct_config__.tag_field is not None:
            keys.add(model.__struct_config__.tag_field)
    return frozenset(keys)


def _suggest(word: object, choices: Iterable[str]) -> str:
    import difflib  # only for a mistake: a run of valid flows never needs it

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.7)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _validation_errors(
    exc: SchemaError,
    data: dict[str, Any],
    keys: Mapping[Loc, SourceLocation],
    path: Path,
    have_duplicate_ids: bool,
) -> list[FlowLoadError]:
    errors: list[FlowLoadError] = []
    seen: set[Loc] = set()
    for error in exc.errors:
        kept, missing_name = _data_loc(error["loc"], data)
        kind = error["type"]
        message = str(error["msg"])
        subject = _subject(kept, data)
        detail = _field_name(kept)
        where_loc = kept
        if kind == "value_error" and message.endswith("is used twice") and have_duplicate_ids:
            continue
        if kind == "extra_forbidden":
            text = f"unknown key '{kept[-1]}'{_suggest(kept[-1], _known_keys())}"
        elif kind == "union_tag_invalid":
            context = error.get("ctx") or {}
            expected = str(context.get("expected_tags", "")).replace("'", "")
            tag = context.get("tag")
            text = f"kind '{tag}' is not one of {expected}"
            text += _suggest(tag, expected.split(", "))
            where_loc = (*kept, "kind")
        elif kind == "union_tag_not_found":
            text = "missing key 'kind' (what sort of step this is)"
        elif kind == "missing":
            text = f"missing key '{missing_name}'" if missing_name else "missing a required key"
        elif kind in ("string_type", "list_type") and kept and kept[-1] == "next":
            text = "next: expected a step id or a list of transitions ({to, when})"
        elif kind == "string_pattern_mismatch":
            text = f"{detail}: {_pattern_message(kept, error.get('input'))}"
        else:
            message = message.removeprefix("Value error, ")
            if kind == "string_type" and isinstance(error.get("input"), bool):
                message += " (YAML reads yes/no/on/off as true/false: put the text in quotes)"
            text = f"{detail}: {message}" if detail else message
        if where_loc in seen:
            continue
        seen.add(where_loc)
        location = _nearest(keys, where_loc, path)
        errors.append(FlowLoadError(location, f"{subject}: {text}", "schema"))
    return errors


def _data_loc(loc: tuple[str | int, ...], data: Any) -> tuple[Loc, str | None]:
    """Drop pydantic's union and discriminator tags: keep the parts that exist in the data."""
    kept: list[str | int] = []
    node = data
    missing: str | None = None
    for part in loc:
        if isinstance(node, dict) and part in node:
            kept.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            kept.append(part)
            node = node[part]
        elif isinstance(part, str):
            missing = part
    return tuple(kept), missing


def _subject(loc: Loc, data: dict[str, Any]) -> str:
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
        step = data["steps"][loc[1]]
        if isinstance(step, dict) and isinstance(step.get("id"), str):
            return f"step '{step['id']}'"
        return f"step {loc[1] + 1}"
    return "flow"


def _field_name(loc: Loc) -> str:
    rest = loc[2:] if len(loc) >= 2 and loc[0] == "steps" else loc
    text = ""
    for part in rest:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _pattern_message(loc: Loc, value: object) -> str:
    last = next((part for part in reversed(loc) if isinstance(part, str)), "")
    if last in ("next", "to", *_TARGET_FIELDS):
        return f"'{value}' is not a step id, $cancel or $end"
    if last == "id" and len(loc) == 1:
        return f"'{value}' is not a flow id: use lowercase letters, digits, - and _"
    if last == "id":
        return f"'{value}' is not a step id: use lowercase letters, digits and _"
    return f"'{value}' is not a valid name: use lowercase letters, digits and _"


def _reference_errors(loaded: LoadedFlow) -> list[FlowLoadError]:
    """Unknown transition targets, bad templates and expressions, bad regular expressions."""
    flow = loaded.flow
    ids = {step.id for step in flow.steps}
    errors: list[FlowLoadError] = []

    def target(step: StepBase, loc: Loc, value: str) -> None:
        if value in ids or value in END_TARGETS:
            return
        hint = _suggest(value, [*ids, *END_TARGETS])
        errors.append(
            FlowLoadError(
                loaded.value_where(*loc),
                f"step '{step.id}' goes to unknown step '{value}'{hint}",
                "unknown-step",
            )
        )

    parts = loaded.parts
    for ref in parts.flow_refs:
        if ref.facts.error:
            _template_error(loaded, ref, "flow", errors)
    for index, step in enumerate(flow.steps):
        here: Loc = ("steps", index)
        if isinstance(step.next, str):
            target(step, (*here, "next"), step.next)
        elif step.next is not None:
            for number, transition in enumerate(step.next):
                target(step, (*here, "next", number, "to"), transition.to)
        for name in _TARGET_FIELDS:
            value = getattr(step, name, None)
            if isinstance(value, str):
                target(step, (*here, name), value)
        for ref in parts.step_refs[index]:
            if ref.facts.error:
                _template_error(loaded, ref, f"step '{step.id}'", errors)
        pattern = getattr(step, "pattern", None)
        if isinstance(pattern, str):
            problem = _regex_error(pattern)
            if problem:
                errors.append(
                    FlowLoadError(
                        loaded.value_where(*here, "pattern"),
                        f"step '{step.id}': pattern: bad regular expression: {problem}",
                        "bad-pattern",
                    )
                )
    return errors


def _template_error(
    loaded: LoadedFlow, ref: TemplateRef, subject: str, errors: list[FlowLoadError]
) -> None:
    errors.append(
        FlowLoadError(
            loaded.value_where(*ref.loc),
            f"{subject}: {_field_name(ref.loc)}: {ref.facts.error}",
            "template-syntax",
        )
    )


class FlowSet(msgspec.Struct):
    """Flows loaded together, by id, with every error found while loading them."""

    loaded: dict[str, LoadedFlow] = msgspec.field(default_factory=dict)
    """Flows that loaded cleanly, by id."""
    errors: list[FlowLoadError] = msgspec.field(default_factory=list)
    """Every load error, in the order the files were read."""
    rejected: dict[str, LoadedFlow] = msgspec.field(default_factory=dict)
    """Flows that pass the schema but have reference errors: not runnable, still lintable."""
    files: list[Path] = msgspec.field(default_factory=list)
    """Every file read, in order."""

    @property
    def flows(self) -> dict[str, Flow]:
        """The runnable flows by id."""
        return {flow_id: loaded.flow for flow_id, loaded in self.loaded.items()}

    def flow(self, flow_id: str) -> Flow:
        """The flow with this id; KeyError if there is none (the engine's `FlowLibrary`)."""
        return self.loaded[flow_id].flow

    def lintable(self) -> dict[str, LoadedFlow]:
        """Every flow that passed the schema, runnable or not, by id."""
        return {**self.rejected, **self.loaded}

    @property
    def unreadable(self) -> bool:
        """Whether some input could not be read as a flow at all."""
        return any(error.unreadable for error in self.errors)


def flow_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Flow files among `paths`: files as given, directories searched for *.yaml / *.yml."""
    for path in paths:
        path = Path(path)
        if not path.is_dir():
            yield path
            continue
        found = [
            candidate
            for candidate in path.rglob("*")
            if candidate.suffix in (".yaml", ".yml")
            and not candidate.name.endswith(_ANSWERS_SUFFIX)
            and not (_SKIP_DIRS & set(candidate.relative_to(path).parts[:-1]))
            and candidate.is_file()
        ]
        yield from sorted(found)


def load_flows(paths: Iterable[Path], read: FileResults | None = None) -> FlowSet:
    """Load every flow file under `paths`, collecting errors rather than stopping at the first.

    `read`: files read already (taken from it, not read again); the others are added to it."""
    with paused_gc():
        return _load_flows(paths, read)


def _load_once(
    path: Path, read: FileResults | None
) -> tuple[LoadedFlow | None, list[FlowLoadError]]:
    """`_load(path)`, or what it gave before if `read` holds it (kept there)."""
    if read is not None and path in read:
        return read[path]
    result = _load(path)
    if read is not None:
        read[path] = result
    return result


def _load_flows(paths: Iterable[Path], read: FileResults | None = None) -> FlowSet:
    flowset = FlowSet()
    first_seen: dict[str, Path] = {}
    for path in flow_files(paths):
        flowset.files.append(path)
        try:
            loaded, errors = _load_once(path, read)
        except FlowLoadError as exc:
            loaded, errors = None, _all_errors(exc)
        except Exception as exc:  # one broken file must never stop the kiosk or the linter
            log.exception("flow file %s could not be loaded", path)
            problem = f"could not be loaded ({type(exc).__name__}); please report this"
            loaded = None
            errors = [FlowLoadError(SourceLocation(str(path), 1, 1), problem, "internal")]
        flowset.errors.extend(errors)
        if loaded is None:
            continue
        flow_id = loaded.flow.id
        if flow_id in first_seen:
            flowset.errors.append(
                FlowLoadError(
                    loaded.value_where("id"),
                    f"flow id '{flow_id}' is already used by {first_seen[flow_id]}",
                    "duplicate-flow",
                )
            )
            continue
        first_seen[flow_id] = path
        if errors:
            flowset.rejected[flow_id] = loaded
        else:
            flowset.loaded[flow_id] = loaded
    known = set(first_seen)
    for loaded in flowset.lintable().values():
        for index, step in enumerate(loaded.flow.steps):
            if isinstance(step, schema.CallStep) and step.flow not in known:
                flowset.errors.append(
                    FlowLoadError(
                        loaded.value_where("steps", index, "flow"),
                        f"step '{step.id}' calls unknown flow '{step.flow}'"
                        + _suggest(step.flow, known),
                        "unknown-flow",
                    )
                )
    log.debug("loaded %d flows, %d errors", len(flowset.loaded), len(flowset.errors))
    return flowset
