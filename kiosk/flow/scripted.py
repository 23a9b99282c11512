"""The scripted renderer: answers prompts from an answers file, for tests and `kiosk flows run`.

Answers file format (YAML)::

    language: zh_CN                # optional: the session's starting language (zh_CN or en)
    answers:                       # what the "resident" answers, by step id
      consent: yes                 # the same answer at every visit of the step
      id_number: "11010519491231002X"
      choose: [personal, payments] # one answer per visit, in order (a list answer: [[a, b]])
      review: {event: back}        # an event instead of an answer: back, cancel, help, timeout
      help_me: [{event: help}, 2]  # events and answers can be mixed per visit
      sub-flow.step: 1             # `flow.step` answers a step of a called flow only
    switch_language:               # switch the session language when this step is first shown;
      choose: en                   #   the prompt is re-rendered in the new language
    expect: {outcome: failed, step: unknown_account}   # a refusal path: how the run must end
    devices:                       # what devices present (kiosk.simulation; ScriptedDevices)
      id_card: {name: 张三, id_number: "11010519491231002X"}
      scanner: "PICKUP-123456"
      printer: true                # present and working

Answers: `choose` takes an option value or its keypad number; `confirm` and `consent` take
yes/no (`yes`, `no`, `true`, `false`, `1`, `2`); `input` takes the typed text (quote numbers).
A `timeout` event moves a `ManualClock` past the step's deadline (no real waiting); without a
manual clock the renderer reports the timeout itself. A prompt without an answer is an error
naming the step; device prompts without an answer wait for the device, and a QR code to pay
without an answer waits while (manual) time passes until the back office says it was paid.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import msgspec

from kiosk.flow.devices import (
    DeviceError,
    DeviceKind,
    IdCardDoor,
    LockBoardDoor,
    PrinterDoor,
    ScannerDoor,
    SmartCardDoor,
)
from kiosk.flow.inputs import InputType
from kiosk.flow.loader import FlowLoadError, read_yaml
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.flow.schema import LANGUAGES
from kiosk.privacy.masking import mask_id, mask_phone, scrub
from peripherals.printer.receipt import Receipt

log = logging.getLogger(__name__)

_TOP_KEYS = frozenset(
    {"answers", "devices", "expect", "language", "switch_language", "locker", "network"}
)
_EXPECT_KEYS = frozenset({"outcome", "step"})


class ScriptError(Exception):
    """The answers file is malformed or has no answer for a prompt; the message names the step."""


class AdvanceableClock(Protocol):
    """A clock the script can move forward (`kiosk.clock.ManualClock`)."""

    def advance(self, seconds: float) -> None:
        """Move time forward, completing due sleeps."""
        ...


class LanguageSwitch(Protocol):
    """What the renderer needs of a session to switch its language."""

    def set_language(self, language: str) -> None:
        """Switch the session language."""
        ...


class Script(msgspec.Struct, frozen=True):
    """A parsed answers file."""

    answers: Mapping[str, Any] = msgspec.field(default_factory=dict)
    devices: Mapping[str, Any] = msgspec.field(default_factory=dict)
    language: str | None = None
    switch_language: Mapping[str, str] = msgspec.field(default_factory=dict)
    locker: Mapping[str, Any] = msgspec.field(default_factory=dict)
    """What a simulated parcel locker holds as the run starts (`parcels:` list)."""
    network: str = "up"
    """`down`: the back offices cannot be reached during the run (the outbox queues)."""
    expect: Mapping[str, str] = msgspec.field(default_factory=dict)
    """How the run should end (`outcome`: finished/failed/cancelled/..., `step`), for files
    that walk a refusal path; none: it should finish."""

    @classmethod
    def from_mapping(cls, data: Any, *, whole_file: bool = False) -> Script:
        """Validate a mapping (a whole file, or just the `answers` map) into a script."""
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise ScriptError("an answers file is a mapping with an `answers:` section")
        if "answers" not in data and not whole_file:
            data = {"answers": data}
        unknown = sorted(set(data) - _TOP_KEYS)
        if unknown:
            raise ScriptError(f"unknown section {unknown[0]!r}; use {', '.join(sorted(_TOP_KEYS))}")
        answers = data.get("answers") or {}
        devices = data.get("devices") or {}
        switches = data.get("switch_language") or {}
        locker = data.get("locker") or {}
        network = str(data.get("network", "up"))
        if network not in ("up", "down"):
            raise ScriptError("`network` is up or down")
        sections = (
            ("answers", answers),
            ("devices", devices),
            ("switch", switches),
            ("locker", locker),
        )
        for name, section in sections:
            if not isinstance(section, Mapping):
                raise ScriptError(f"`{name}` must be a mapping")
        expect = data.get("expect") or {}
        if not isinstance(expect, Mapping) or not set(expect) <= _EXPECT_KEYS:
            raise ScriptError("`expect` is a mapping of `outcome` and `step`")
        language = data.get("language")
        for lang in (language, *switches.values()):
            if lang is not None and lang not in LANGUAGES:
                raise ScriptError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
        for step, value in answers.items():
            for one in value if isinstance(value, list) else [value]:
                _check_event(str(step), one)
        return cls(
            answers={str(k): v for k, v in answers.items()},
            devices={str(k): v for k, v in devices.items()},
            language=language,
            switch_language={str(k): str(v) for k, v in switches.items()},
            locker=dict(locker),
            network=network,
            expect={str(k): str(v) for k, v in expect.items()},
        )


def load_script(path: Path) -> Script:
    """Read an answers file; errors name the file."""
    try:
        # never kept in the cache: staff may type a real person's details into one
        data = read_yaml(Path(path), keep=False)
    except FlowLoadError as exc:
        raise ScriptError(str(exc)) from exc
    try:
        return Script.from_mapping(data, whole_file=True)
    except ScriptError as exc:
        raise ScriptError(f"{path}: {exc}") from exc
    except (TypeError, ValueError, RecursionError) as exc:  # junk the checks did not foresee
        raise ScriptError(f"{path}: not an answers file ({type(exc).__name__})") from exc


def _check_event(step: str, value: Any) -> None:
    if isinstance(value, Mapping) and "wait" in value:
        if dict(value) != {"wait": "device"}:
            raise ScriptError(f"step {step!r}: `{{wait: device}}` waits for the device")
        return
    if isinstance(value, Mapping) and "event" in value:
        event = value["event"]
        if set(value) != {"event"} or not isinstance(event, str) or event not in set(Event):
            raise ScriptError(f"step {step!r}: an event is one of back, cancel, help, timeout")


class TranscriptEntry(msgspec.Struct, frozen=True):
    """One prompt the renderer saw and how it answered (None for prompts that do not wait)."""

    prompt: Prompt
    answer: Any = None
    event: str | None = None

    @property
    def shown_answer(self) -> Any:
        """The answer as it may be printed: personal inputs masked, secrets hidden."""
        if self.event is not None:
            return {"event": self.event}
        if self.answer is None:
            return None
        rules = self.prompt.input
        if rules is not None and rules.secret:
            return "*" * len(str(self.answer))
        if rules is not None and rules.personal:
            text = str(self.answer)
            if rules.input_type is InputType.PHONE:
                return mask_phone(text)
            return mask_id(text)
        return scrub(str(self.answer)) if isinstance(self.answer, str) else self.answer


class ScriptedRenderer:
    """A `Renderer` answering from a script; keeps a transcript of every prompt."""

    def __init__(
        self,
        answers: Script | Mapping[str, Any],
        clock: AdvanceableClock | Any | None = None,
        session: LanguageSwitch | None = None,
    ) -> None:
        self.script = answers if isinstance(answers, Script) else Script.from_mapping(answers)
        self.clock = clock
        self.session = session
        """The session whose language `switch_language` changes (set by whoever starts it)."""
        self.transcript: list[TranscriptEntry] = []
        self._visits: dict[str, int] = {}
        self._switched: set[str] = set()

    async def show(self, prompt: Prompt) -> None:
        """Record a prompt that does not wait."""
        self.transcript.append(TranscriptEntry(prompt))

    async def ask(self, prompt: Prompt) -> Answer | Event:
        """Answer a waiting prompt from the script (help asked for is read, then continued)."""
        if prompt.hints:
            self.transcript.append(TranscriptEntry(prompt, answer="continue"))
            return Answer("continue", source="script")
        target = self.script.switch_language.get(prompt.step)
        if target and prompt.step not in self._switched and target != prompt.language:
            self._switched.add(prompt.step)
            if self.session is not None:
                self.transcript.append(TranscriptEntry(prompt, event=f"language:{target}"))
                self.session.set_language(target)
                # The engine cancels this ask and asks again in the new language.
                await asyncio.Event().wait()
        value = self._next_answer(prompt)
        if isinstance(value, Mapping) and "wait" in value:
            value = _WAIT_FOR_DEVICE  # this visit, what the device presents answers
        if value is _WAIT_FOR_DEVICE:
            self.transcript.append(TranscriptEntry(prompt))
            if prompt.kind is PromptKind.QR_WAIT:
                await self._let_time_pass()
            await asyncio.Event().wait()
        if isinstance(value, Mapping) and "event" in value:
            event = Event(value["event"])
            self.transcript.append(TranscriptEntry(prompt, event=event.value))
            if event is Event.TIMEOUT:
                return await self._time_out(prompt)
            return event
        self.transcript.append(TranscriptEntry(prompt, answer=value))
        return Answer(value, source="script")

    def _next_answer(self, prompt: Prompt) -> Any:
        key = f"{prompt.flow}.{prompt.step}"
        if key not in self.script.answers:
            key = prompt.step
        if key not in self.script.answers:
            if prompt.kind in (PromptKind.DEVICE_WAIT, PromptKind.QR_WAIT) or prompt.device:
                return _WAIT_FOR_DEVICE  # what the device presents answers (a card read)
            raise ScriptError(
                f"no answer for step {prompt.step!r} of flow {prompt.flow!r} ({prompt.kind.value})"
            )
        value = self.script.answers[key]
        visit = self._visits.get(key, 0)
        self._visits[key] = visit + 1
        if not isinstance(value, list):
            if visit and prompt.error:
                # asked again because the answer was refused: giving it again would loop forever
                raise ScriptError(
                    f"the answer for step {prompt.step!r} of flow {prompt.flow!r}, "
                    f"{scrub(repr(value))}, was refused ({prompt.error}); give a valid answer, "
                    "or a list of answers to try one after another"
                )
            if visit >= MAX_SAME_ANSWER:
                # the flow keeps coming back here (an answer that goes back, a loop): one
                # answer given for ever would never end the run
                raise ScriptError(
                    f"step {prompt.step!r} of flow {prompt.flow!r} was asked {visit + 1} times "
                    "with the same answer: the run goes round in a loop; give a list of answers"
                )
            return value
        if visit >= len(value):
            raise ScriptError(
                f"no answer left for step {prompt.step!r} of flow {prompt.flow!r}: "
                f"visit {visit + 1}, {len(value)} answer(s) given"
            )
        return value[visit]

    async def _let_time_pass(self) -> None:
        """The resident takes out a phone and pays: a manual clock moves a second at a time
        (at a pace that lets the kiosk's polls reach the back office) until the engine ends
        the wait; a real clock needs nothing."""
        advance = getattr(self.clock, "advance", None)
        if advance is None:
            return
        while True:
            await asyncio.sleep(PACE)
            advance(1.0)

    async def _time_out(self, prompt: Prompt) -> Event:
        advance = getattr(self.clock, "advance", None)
        if advance is None or prompt.timeout is None:
            return Event.TIMEOUT
        # Past any deadline measured from an earlier moment; the engine's own timer fires.
        advance(prompt.timeout + 1)
        # The engine's own timer now fires and cancels this ask, as with a real resident.
        await asyncio.Event().wait()
        return Event.TIMEOUT

    def answered(self, step: str) -> list[Any]:
        """The answers given at a step, in order (for tests)."""
        return [e.answer for e in self.transcript if e.prompt.step == step and e.answer is not None]


_WAIT_FOR_DEVICE = object()
PACE = 0.01
"""Real seconds per simulated second while a scripted resident waits for an outcome."""
MAX_SAME_ANSWER = 10
"""Times one (not a list) answer is given to the same step before the run counts as a loop."""


class ScriptedDevices:
    """`Devices` presenting what the script's `devices:` section says (engine tests, no hub).

    A card is the mapping given, a scan the code given, `true` a working device, `{error: key}`
    a device failing with that key; a kind not given is unavailable. Lock boards are not
    scripted: headless lock-board runs use the simulated boards (`kiosk flows run`).
    """

    def __init__(self, devices: Mapping[str, Any]) -> None:
        self.devices = dict(devices)
        self.performed: list[tuple[str, str]] = []
        self.printed: list[Receipt] = []

    def available(self, kind: DeviceKind) -> bool:
        """A device is available when the script presents it (and not as `false`)."""
        return kind is not DeviceKind.LOCK_BOARD and self.devices.get(kind) not in (None, False)

    def id_card(self) -> IdCardDoor:
        """The scripted ID card."""
        return _ScriptedCard(self._door(DeviceKind.ID_CARD))

    def smart_card(self) -> SmartCardDoor:
        """The scripted social security card."""
        return _ScriptedCard(self._door(DeviceKind.SMART_CARD))

    def scanner(self) -> ScannerDoor:
        """The scripted code."""
        return _ScriptedScanner(self._door(DeviceKind.SCANNER))

    def printer(self) -> PrinterDoor:
        """A printer keeping what it prints in `printed`."""
        return _ScriptedPrinter(self._door(DeviceKind.PRINTER), self.printed)

    def lock_board(self) -> LockBoardDoor:
        """Never scripted (see the class docstring)."""
        raise DeviceError("device.unavailable", DeviceKind.LOCK_BOARD.value)

    def _door(self, kind: DeviceKind) -> _Scripted:
        if not self.available(kind):
            raise DeviceError("device.unavailable", kind.value)
        return _Scripted(self, kind)


class _Scripted:
    """One scripted device: what it presents, and the record of what was asked of it.

    This and the doors below are plain classes: every `kiosk flows run` imports this module,
    and a dataclass costs about half a millisecond to create (its methods compiled from source).
    """

    __slots__ = ("devices", "kind")

    def __init__(self, devices: ScriptedDevices, kind: DeviceKind) -> None:
        self.devices = devices
        self.kind = kind

    async def present(self, action: str) -> Any:
        await asyncio.sleep(0)
        self.devices.performed.append((self.kind.value, action))
        value = self.devices.devices.get(self.kind)
        if isinstance(value, Mapping) and set(value) == {"error"}:
            raise DeviceError(str(value["error"]))
        return value


class _ScriptedCard:
    __slots__ = ("scripted",)

    def __init__(self, scripted: _Scripted) -> None:
        self.scripted = scripted

    async def read(self, timeout: float | None = None) -> dict[str, Any]:
        value = await self.scripted.present("read")
        return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}

    async def card_number(self, timeout: float | None = None) -> str:
        value = await self.scripted.present("card_number")
        return str(value.get("card_number", "")) if isinstance(value, Mapping) else str(value)


class _ScriptedScanner:
    __slots__ = ("scripted",)

    def __init__(self, scripted: _Scripted) -> None:
        self.scripted = scripted

    async def scan(self, timeout: float | None = None) -> str:
        value = await self.scripted.present("scan")
        if isinstance(value, Mapping):
            if "code" not in value:
                raise ScriptError("a scanner entry is a code, or a mapping with `code`")
            value = value["code"]
        return str(value)


class _ScriptedPrinter:
    __slots__ = ("printed", "scripted")

    def __init__(self, scripted: _Scripted, printed: list[Receipt]) -> None:
        self.scripted = scripted
        self.printed = printed

    async def print_receipt(self, receipt: Receipt) -> None:
        await self.scripted.present("print")
        self.printed.append(receipt)
