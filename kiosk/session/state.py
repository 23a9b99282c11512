"""The session's state as every renderer sees it: small typed, immutable snapshots.

`SessionCore` keeps one `SessionState` and replaces it on every change; renderers are told the
new state and what changed (`Change`), and draw it (the touch screen) or say it (the voice).
What the resident did that has no lasting state of its own (a key echoed, a word not
understood, an answer refused) reaches them as `Feedback`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.flow.languages import LANGUAGES

# Types only: the touch screen imports this module on its way to the kiosk's first frame.
if TYPE_CHECKING:
    from kiosk.flow.prompt import Prompt
    from kiosk.session.keypad import KeyResult
    from peripherals.keypad.keys import Key


class Change(enum.Flag):
    """What changed in a `SessionState` (renderers redraw only that)."""

    NONE = 0
    VIEW = enum.auto()
    """Another screen: a prompt (or the same prompt asked again), the attract screen, blank."""
    DRAFT = enum.auto()
    """The answer in progress: typed text, focus, a refused answer's problem."""
    WAITING = enum.auto()
    """The prompt on screen stopped (or started) waiting for an answer."""
    LANGUAGE = enum.auto()
    LOOK = enum.auto()
    """Elder mode or high contrast."""
    KEYPAD = enum.auto()
    """The tactile keypad was first used this session."""
    NOTICE = enum.auto()
    WARNING = enum.auto()
    """The inactivity warning went up or came down."""
    VOICE = enum.auto()
    """Voice mode started or ended, or the headset was plugged in or out."""


@dataclass(frozen=True)
class PendingAnswer:
    """An answer heard by speech recognition, waiting for the resident to confirm it."""

    value: Any
    said: str
    """How it is read back ("您说的是…")."""


@dataclass(frozen=True)
class Draft:
    """The answer in progress on the prompt on screen, whichever sense is giving it."""

    typed: str = ""
    """Text typed so far (on-screen keys and tactile keys edit the same text)."""
    focus: int | None = None
    """Index into the prompt's options of the control the keypad's focus rests on."""
    problem: str | None = None
    """Error key (`input.*`) of the last answer refused by the prompt's input rules."""
    pending: PendingAnswer | None = None


@dataclass(frozen=True)
class AttractInfo:
    """What the attract screen shows: the terminal's name and the languages offered."""

    terminal_name: Mapping[str, str]
    languages: tuple[str, ...] = field(default=LANGUAGES)
    voice_key_hint: bool = True


@dataclass(frozen=True)
class BlankView:
    """Nothing to show (between a session's end and the next screen)."""


@dataclass(frozen=True)
class AttractView:
    """The attract screen between sessions."""

    info: AttractInfo


@dataclass(frozen=True)
class PromptView:
    """A prompt on screen and the answer in progress; `waiting` while an answer is awaited."""

    prompt: Prompt
    draft: Draft = Draft()
    waiting: bool = True

    def same_question(self, prompt: Prompt) -> bool:
        """Whether `prompt` asks what this view asks (perhaps in another language)."""
        mine = self.prompt
        return (mine.flow, mine.step, mine.kind) == (prompt.flow, prompt.step, prompt.kind)


View = BlankView | AttractView | PromptView
"""What the screen shows and the voice is about."""


@dataclass(frozen=True)
class SessionState:
    """Everything a renderer draws or says, in one immutable snapshot."""

    view: View = BlankView()
    language: str = LANGUAGES[0]
    elder: bool = False
    high_contrast: bool = False
    keypad_used: bool = False
    """The tactile keypad was used this session: screens show where its focus is."""
    notice: str | None = None
    """Text key of the notice card on screen (help, staff called), if any."""
    warning: float | None = None
    """Seconds that were left when the inactivity warning went up; None when it is down."""
    voice: bool = False
    """Voice mode: the kiosk speaks to the resident."""
    private: bool = False
    """A headset is plugged in: speech is heard by the resident alone."""
    in_session: bool = False


@dataclass(frozen=True)
class Pressed:
    """A tactile key was pressed; `result` says what it meant on `prompt` (None off a prompt)."""

    key: Key
    result: KeyResult | None
    prompt: Prompt | None
    pending: PendingAnswer | None = None
    """The voice answer that was waiting for confirmation when the key came."""


class HeardOutcome(enum.StrEnum):
    """What became of something the recogniser heard."""

    NOT_UNDERSTOOD = "not_understood"
    CONFIRM = "confirm"
    """An answer to read back and have confirmed (`said`)."""
    AGAIN = "again"
    """A read-back answer was rejected: ask the question again."""
    REPEAT = "repeat"
    """The resident asked to hear the question again."""


@dataclass(frozen=True)
class Heard:
    """Speech was recognised on `prompt` and handled as `outcome`."""

    prompt: Prompt
    outcome: HeardOutcome
    said: str = ""


@dataclass(frozen=True)
class Refused:
    """An answer was refused by the prompt's input rules (`problem` is the error key)."""

    prompt: Prompt
    problem: str


@dataclass(frozen=True)
class Extended:
    """The resident answered the inactivity warning: the session goes on, nothing was answered."""


Feedback = Pressed | Heard | Refused | Extended
"""What the resident did that renderers acknowledge without a lasting state."""
