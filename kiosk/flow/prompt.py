"""What the engine asks of a renderer: a `Prompt`, answered by an `Answer` or an `Event`."""

from __future__ import annotations

import enum
from typing import Any, Protocol

import msgspec

from kiosk.flow.code_typing import CodeTyping

# Re-exported: renderers have always imported the input rules with the prompt.
from kiosk.flow.inputs import InputRules as InputRules


class PromptKind(enum.StrEnum):
    """What kind of screen or utterance a prompt is."""

    INFO = "info"
    CHOOSE = "choose"
    INPUT = "input"
    CONFIRM = "confirm"
    CONSENT = "consent"
    DEVICE_WAIT = "device_wait"
    BUSY = "busy"
    ERROR = "error"
    RESULT = "result"
    QR_WAIT = "qr_wait"
    """A code to scan (`Prompt.code`) while the kiosk waits for its outcome (a payment)."""
    MENU = "menu"
    """The service menu: options in groups (categories), one picked."""
    PAGE = "page"
    """A page of the maintainers' service menu: rows to read (and a picture), actions to pick."""


class Sign(enum.StrEnum):
    """How a result ended, as the result screen signs it (never by colour alone)."""

    SUCCESS = "success"
    PENDING = "pending"
    """Accepted but waiting: queued until the network is back."""
    REFUSED = "refused"
    """Not done: declined, not eligible, a device or back office failed."""


class Event(enum.StrEnum):
    """Something the resident did instead of answering."""

    BACK = "back"
    CANCEL = "cancel"
    HELP = "help"
    TIMEOUT = "timeout"


class PromptOption(msgspec.Struct, frozen=True):
    """One option the resident can pick; `key` is its keypad number (1-based)."""

    value: str
    label: str
    say: str
    key: int
    group: str = ""
    icon: str = ""
    """An icon font name drawn with the option (the menu's service tiles)."""
    """The id of the `OptionGroup` it is listed under (menus), if any."""


class OptionGroup(msgspec.Struct, frozen=True):
    """A heading options are listed under (a category of the service menu)."""

    id: str
    title: str


class PromptRow(msgspec.Struct, frozen=True):
    """A labelled value for review; `shown` is masked when `personal`, `value` is in full."""

    label: str
    shown: str
    value: str
    personal: bool = False


class Prompt(msgspec.Struct, frozen=True):
    """What the resident must know or decide now, ready for any renderer.

    `text` is for the screen and `say` for the voice, both in the session language, both
    already masked where they contain personal data (`say_private` is the headset's speech).
    `error` is a stable error key (translated by the renderer from `locales/`) with
    `error_text` the already-translated fallback.
    """

    flow: str
    step: str
    kind: PromptKind
    text: str
    say: str
    title: str = ""
    help: str = ""
    options: tuple[PromptOption, ...] = ()
    groups: tuple[OptionGroup, ...] = ()
    rows: tuple[PromptRow, ...] = ()
    input: InputRules | None = None
    device: str | None = None
    timeout: float | None = None
    can_go_back: bool = False
    waits: bool = True
    error: str | None = None
    error_text: str = ""
    personal: frozenset[str] = msgspec.field(default_factory=frozenset)
    """Names of the parts (`rows`, `input`, ...) that carry personal data."""
    hints: bool = False
    """The resident asked for help: tell them how the keys work, too."""
    say_private: str = ""
    """`say` with the personal values it masks in full, for the headset only ("": as `say`)."""
    language: str = "zh_CN"
    progress: tuple[int, int] | None = None
    """(this step's number, the number of steps) in the flow, for "step 2 of 5"."""
    round: str = ""
    """Which time round a repeating flow is in ("第 2 件" / "Parcel 2"), shown with the title."""
    sign: Sign | None = None
    """A result's outcome: success, pending or refused."""
    reference: str = ""
    """A result's reference number (受理编号), to be shown large."""
    hold: float | None = None
    """Seconds a result stays on screen before the kiosk returns to its attract screen."""
    image: str = ""
    """A picture to show with the rows (a file path; `page` prompts: a test print's paper)."""
    code: str = ""
    """What a QR_WAIT prompt's QR code encodes."""
    typing: CodeTyping | None = None
    """A DEVICE_WAIT whose code may be typed instead (a scan): what can be typed."""
    reading: bool = False
    """The text is a page of a long text to read (a notice's): shown in large type."""


class Answer(msgspec.Struct, frozen=True):
    """The resident's answer and where it came from (touch, keypad, voice, script)."""

    value: Any
    source: str = "touch"


class Renderer(Protocol):
    """Presents prompts; whichever renderer answers first wins."""

    async def ask(self, prompt: Prompt) -> Answer | Event:
        """Present a waiting prompt and return the resident's answer or event."""
        ...

    async def show(self, prompt: Prompt) -> None:
        """Present a prompt that does not wait (busy, result, error on the way out)."""
        ...
