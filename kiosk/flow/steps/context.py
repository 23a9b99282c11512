"""What a step executor gets (`StepContext`) and what it returns (`Next`, `Finish`, an `Event`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import jinja2
import msgspec

from kiosk.flow import asking
from kiosk.flow.asking import Done as Done
from kiosk.flow.devices import Devices
from kiosk.flow.errors import KeyedError
from kiosk.flow.expressions import (
    ExpressionError,
    evaluate,
    referenced_names,
    render,
    render_value,
)
from kiosk.flow.progress import in_round, step_progress
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind, PromptOption, Renderer
from kiosk.flow.schema import ChooseStep, FinishStep, Flow, StepBase, Text
from kiosk.flow.services import Backends, Clock, FlowLibrary, Journal, Outbox, Receipts, Texts
from kiosk.flow.session import Scope, Session
from kiosk.languages import counted
from kiosk.privacy.masking import scrub

if TYPE_CHECKING:  # the locker's protocol: imported by the locker step kinds that use it
    from kiosk.flow.locker import Locker

log = logging.getLogger(__name__)


class Next(msgspec.Struct, frozen=True):
    """Go on: to `target` (a step id, `$end`, `$cancel`), or by the step's `next` when None."""

    target: str | None = None


class Finish(msgspec.Struct, frozen=True):
    """The flow ends here with a `finish` step's status and result."""

    status: str
    result: dict[str, Any] = msgspec.field(default_factory=dict)
    personal: frozenset[str] = frozenset()
    """Keys of `result` rendered from personal values."""


StepResult = Next | Finish | Event
"""What an executor returns; `Event` is BACK, CANCEL or TIMEOUT (HELP is handled by `ask`)."""


class StepFailed(KeyedError):
    """A step failed; the engine goes to the step's `on_error` or fails the run with the key."""


class SubflowEnd(msgspec.Struct, frozen=True):
    """How a sub-flow ended: `finished`/`failed`/`cancelled`/`timeout`/`back`."""

    status: str
    result: dict[str, Any] = msgspec.field(default_factory=dict)
    error: str | None = None
    personal: frozenset[str] = frozenset()


class SubflowRunner(Protocol):
    """The engine's entry point for `call` steps."""

    async def run_subflow(self, ctx: StepContext, flow_id: str, scope: Scope) -> SubflowEnd:
        """Run `flow_id` in `scope` with the same session and renderer."""
        ...


class Services(msgspec.Struct, frozen=True):
    """The kiosk services the engine was built with."""

    library: FlowLibrary
    backends: Backends
    outbox: Outbox
    journal: Journal
    devices: Devices
    receipts: Receipts
    texts: Texts
    clock: Clock
    locker: Locker | None = None
    """The parcel locker (locker mode only)."""


_CHOICES: dict[int, tuple[Flow, tuple[ChooseStep, ...]]] = {}
"""Each flow object's `choose` steps, by the flow's id (the flow kept: an id is never reused
while it is here)."""


def _choices(flow: Flow) -> tuple[ChooseStep, ...]:
    """The flow's `choose` steps (whose labels templates read), found once per flow object."""
    found = _CHOICES.get(id(flow))
    if found is None or found[0] is not flow:
        if len(_CHOICES) >= 256:  # flows reloaded many times: start again
            _CHOICES.clear()
        steps = tuple(step for step in flow.steps if isinstance(step, ChooseStep))
        found = _CHOICES[id(flow)] = (flow, steps)
    return found[1]


def holds(condition: str, variables: Mapping[str, Any]) -> bool:
    """Whether a `when` condition holds; an undefined result is an `ExpressionError` too."""
    value = evaluate(condition, variables)
    try:
        return bool(value)
    except jinja2.UndefinedError as exc:
        # `evaluate` returns an undefined value lazily; its truth value is where it fails.
        raise ExpressionError(f"expression: {exc.message}") from exc


def error_text(texts: Texts, key: str, lang: str) -> str:
    """The translated message of an error key (`errors.<key>`), falling back to generic ones."""
    for candidate in (key, f"{key.split('.', 1)[0]}.generic", "generic"):
        if texts.has(f"errors.{candidate}"):
            return texts.get(f"errors.{candidate}", lang)
    return texts.get("errors.generic", lang)


@dataclass
class StepContext:
    """Everything one step execution may use; built by the engine for each step."""

    flow: Flow
    step: StepBase
    session: Session
    scope: Scope
    renderer: Renderer
    services: Services
    timeout: float
    can_go_back: bool
    subflows: SubflowRunner
    depth: int = 0
    progress_frame: tuple[int, int] | None = None
    """In a sub-flow: the caller's steps before the `call` and the whole journey's count, so
    the header counts the sub-flow's steps inside its caller's."""
    round: tuple[str, int] | None = None
    """In a flow that names its `round`, from its second time round: the step the loop
    returned to, and which time round this is (2, 3, ...)."""
    locals: dict[str, Any] = field(default_factory=dict)
    """Names the step itself provides to its own templates (its kind's `LOCALS`)."""
    _masked: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    """Personal texts rendered for the prompt being built: in full → masked."""

    def progress(self) -> tuple[int, int] | None:
        """This step's (number, total) over the whole journey, sub-flows counted inside."""
        numbers = step_progress(self.flow, self._called)
        if self.round is None:
            own = numbers.get(self.step.id)
        else:  # another time round: counted from the step the loop returned to
            own = in_round(numbers, self.step.id, self.round[0])
        if own is None or self.progress_frame is None:
            return own
        before, total = self.progress_frame
        return min(before + own[0], total), total

    def round_name(self) -> str:
        """Which time round the flow's loop this is, named ("第 2 件" / "Parcel 2"; "" the
        first time, or in a flow that names no round)."""
        if self.round is None or self.flow.round is None or isinstance(self.step, FinishStep):
            return ""  # the result closes the whole visit
        unit = self.text(self.flow.round)
        return self.translate("ui.header.round", number=self.round[1], unit=unit)

    def _called(self, flow_id: str) -> Flow | None:
        try:
            flow = self.services.library.flow(flow_id)
        except KeyError:
            return None
        return flow if isinstance(flow, Flow) else None

    @property
    def lang(self) -> str:
        """The session language, read afresh (it may change while a prompt is up)."""
        return self.session.language

    @property
    def variables(self) -> dict[str, Any]:
        """The variables templates see, with `labels`: each choice made, by its label in the
        session language (`{{ labels.topic }}`: 公共设施 / Public facilities)."""
        return {**self.scope.namespace(), "labels": self._labels(), **self.locals}

    def _labels(self) -> dict[str, str]:
        chosen: dict[str, str] = {}
        lang = self.lang
        for step in _choices(self.flow):
            name = step.save_as or step.id
            value = self.scope.get(name)
            for option in step.options:
                if option.value == value:
                    chosen[name] = option.label.get(lang)
        return chosen

    # Rendering ------------------------------------------------------------------------------

    def render(self, source: str) -> str:
        """Render a template with the scope's variables."""
        if "{" not in source:
            return source  # plain text (most): no variables to gather
        return render(source, self.variables)

    def text(self, text: Text | None, default: str = "") -> str:
        """A multilingual text rendered in the session language.

        A text that reads personal values is also rendered with them masked (`mask_personal`),
        kept for the prompt built next: that is what the screen shows and the loudspeaker says.
        English counts are said in their number's form ("2 parcel(s)": "2 parcels").
        """
        if text is None:
            return default
        lang = self.lang
        source = text.get(lang)
        full = counted(self.render(source), lang)
        if "{" in source and self.reads_personal(source):  # plain text reads nothing
            masked = {**self.variables, **self.scope.masked_vault()}
            self._masked[full] = counted(render(source, masked), lang)
        return full

    def _mask(self, text: str) -> str:
        """`text` with every personal rendering in it replaced by its masked one."""
        for full in sorted(self._masked, key=len, reverse=True):
            if full:
                text = text.replace(full, self._masked[full])
        return scrub(text)

    def translate(self, key: str, **params: object) -> str:
        """One of the kiosk's own texts (`locales/`) in the session language."""
        return self.services.texts.get(key, self.lang, **params)

    def value(self, value: Any) -> Any:
        """Render a JSON-like value (a lone `{{ expr }}` keeps its type)."""
        return render_value(value, self.variables)

    def reads_personal(self, *sources: Any) -> bool:
        """Whether any template among `sources` reads a personal variable."""
        personal = self.scope.personal_names
        if not personal:
            return False
        return any(personal & _names(source) for source in sources)

    def prompt(
        self,
        kind: PromptKind,
        *,
        text: str | None = None,
        say: str | None = None,
        waits: bool = True,
        personal: frozenset[str] = frozenset(),
        error: str | None = None,
        **extra: Any,
    ) -> Prompt:
        """A prompt for this step in the session language, personal values masked (in full
        only in `say_private`, for the headset).

        `error` is an error key (e.g. `input.invalid_id_number`) shown with the prompt.
        """
        step = self.step
        screen = self.text(step.text) if text is None else text
        if say is None:
            say = self.text(step.voice) if step.voice is not None else screen
        masked_screen, masked_say = self._mask(screen), self._mask(say)
        # personal values in full only in the headset's speech, and only where they were
        say_private = say if masked_say != scrub(say) else ""
        if say_private or self.reads_personal(step.text, step.voice):
            personal = personal | {"text"}
        prompt = Prompt(
            flow=self.flow.id,
            step=step.id,
            kind=kind,
            text=masked_screen,
            say=masked_say,
            say_private=say_private,
            title=self._mask(self.text(step.title) or self.flow.title.get(self.lang)),
            help=self._mask(self.text(step.help)),
            timeout=self.timeout if waits else None,
            can_go_back=self.can_go_back and waits,
            waits=waits,
            personal=personal,
            language=self.lang,
            error=error,
            error_text=error_text(self.services.texts, error, self.lang) if error else "",
            progress=self.progress(),
            round=self.round_name(),
            **extra,
        )
        self._masked.clear()
        return prompt

    # Storing --------------------------------------------------------------------------------

    def save(
        self,
        name: str,
        value: Any,
        *,
        personal: bool = False,
        fields: Iterable[str] | None = None,
    ) -> None:
        """Store a variable in the step's scope (personal values go to the vault; `fields`: the
        keys of a personal mapping that identify the resident)."""
        self.scope.set(name, value, personal=personal, fields=fields)

    def journal(self, event: str, detail: dict[str, Any] | None = None) -> None:
        """Record an event of this step (never with raw values)."""
        self.services.journal.record(self.session.id, self.flow.id, self.step.id, event, detail)

    # Talking to the resident -----------------------------------------------------------------

    async def show(self, prompt: Prompt) -> None:
        """Present a prompt that does not wait."""
        await self.renderer.show(prompt)

    async def ask(
        self, build: Callable[[], Prompt], work: Awaitable[Any] | None = None
    ) -> Answer | Event | Done:
        """Ask until the resident answers, goes back, cancels or times out (`kiosk.flow.asking`).

        `build` makes the prompt; it is called again after a language switch and after help.
        `work` (a device action) races the resident: when it completes first, `Done` is
        returned. Every answer or event counts as activity.
        """
        return await asking.ask(
            self.renderer,
            build,
            self.session,
            self.services.clock,
            work=work,
            help_prompt=self._help_prompt,
            on_help=lambda: self.journal("help"),
        )

    def _help_prompt(self) -> Prompt:
        """Help for this step: it stays on screen until the resident goes back to the question,
        and the voice tells how the keys work too."""
        text = self.text(self.step.help) or self.translate("voice.help_generic")
        label = self.translate("common.continue")
        back = PromptOption(value="continue", label=label, say=label, key=1)
        return self.prompt(PromptKind.INFO, text=text, say=text, options=(back,), hints=True)


def _names(source: Any) -> set[str]:
    """Variable names read by a template, a `Text`, or any JSON-like value of templates."""
    if source is None:
        return set()
    if isinstance(source, Text):
        return set().union(*(_names(s) for s in source.root.values()))
    if isinstance(source, str):
        return referenced_names(source) if "{" in source else set()
    if isinstance(source, Mapping):
        return set().union(set(), *(_names(v) for v in source.values()))
    if isinstance(source, list | tuple):
        return set().union(set(), *(_names(v) for v in source))
    return set()
