"""Tours: a flow run in the real Kivy app, every screen photographed and transcribed for sign-off.

`TourRenderer` is the engine's `Renderer` for a tour. It asks each prompt through a
`SessionCore` that the app's touch screen draws, saves a PNG of the first frame drawn with it
(`01-consent.png`, ...), notes what the screen showed and what the voice says (the `spoken`
function it is given: `kiosk.voice.script.spoken`), then asks a `ScriptedRenderer` (the answers
file) what the resident does and does it on the real widgets:

- `touch`: a simulated touch on the option button, agree/decline, confirm/change, continue/done,
  or the service bar's back/cancel/help/language button;
- `keys+touch`: numeric inputs typed key by key on the on-screen keypad, then confirm touched;
- `state+touch`: free text (pinyin needs candidate picking) is put into the answer in
  progress and shown, then confirm is touched;
- `device`: a simulated device answered the waiting prompt (card read, code scanned);
- `keyboard`: an answer to a scan (a code the scanner did not read) is typed on the screen's
  code keyboard: "Type it" touched, the keyboard pictured as a screen of its own
  (`04-waybill.keyboard.png`), the code typed key by key and confirm touched;
- `clock`: a scripted timeout moved the run's manual clock past the deadline;
- `resolved`: the UI could not give the answer (no such button, or the screen refused the input
  as invalid), so the pending answer was resolved directly and the engine judged it.

Screenshots are read back in the window's `on_flip` handler, after the frame is drawn and before
the buffers swap, so they show exactly the frame the resident would see.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kiosk.flow.inputs import InputRules, InputType
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.flow.scripted import ScriptedRenderer
from kiosk.flow.services import Clock
from kiosk.flow.session import Session
from kiosk.flow.steps.answers import pick, yes_no
from kiosk.privacy.masking import scrub
from kiosk.session.core import SessionCore
from kiosk.session.state import AttractInfo, Change, PromptView
from kiosk.ui.renderer import TouchRenderer
from kiosk.ui.shell import KioskShell
from kiosk.ui.theme import ELDER_MIN_BODY
from kiosk.ui.widgets.fit import clipped_labels, outside_window, shrunk_text, small_targets

log = logging.getLogger(__name__)

_MARKUP = re.compile(r"\[/?(?:b|i|u|s|sub|sup|color|size|font|ref|anchor)(?:=[^\]]*)?\]")
LANDING_FRAMES = 5
"""Frames a tap may take to reach the session and end its question (else it was refused)."""
LANDING_TURNS = 50
"""Turns of the event loop a tap is given to land before frames are asked for: a resident's
tap does not make the kiosk draw the old screen again (benchmarks time tap to next screen)."""
_ACTIONS = {
    PromptKind.INFO: "action.continue",
    PromptKind.ERROR: "action.continue",
    PromptKind.RESULT: "action.done",
}


def plain(text: str) -> str:
    """Label text without Kivy markup tags."""
    return _MARKUP.sub("", text).strip()


@dataclass
class TourScreen:
    """One screen of a tour: what was shown, what was spoken, and the answer given (masked)."""

    number: int
    flow: str
    step: str
    kind: str
    language: str
    screenshot: str
    title: str = ""
    text: str = ""
    error: str = ""
    options: list[str] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    input_type: str = ""
    on_screen: list[str] = field(default_factory=list)
    spoken: str = ""
    waits: bool = True
    answer: Any = None
    how: str = ""
    clipped: list[str] = field(default_factory=list)
    """Labels cut off on this screen (wrapped out of their box, shortened, off screen) and
    widgets sticking out of the window."""
    small_targets: list[str] = field(default_factory=list)
    """Touch controls below the look's minimum (90 px in elder mode, 44 px otherwise)."""
    small_text: list[str] = field(default_factory=list)
    """In elder mode, controls whose text was set below the elder body size to fit."""


class FrameCamera:
    """Waits for drawn frames and saves one as PNG, read back before the buffers swap."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.flipped_at = 0.0
        """`time.perf_counter()` of the last frame drawn (before its buffers were swapped)."""
        self.flipped_cpu = 0.0
        """`time.process_time()` at the last frame drawn: the CPU time of every thread of the
        process, the GL rasteriser's too (Mesa's llvmpipe draws in threads of its own)."""
        self.drawn_cpu = 0.0
        """`flipped_cpu` of the first frame drawn by the last `photograph`."""
        self._waiting: list[tuple[asyncio.Future[float], Path | None]] = []
        window.bind(on_flip=self._on_flip)

    def close(self) -> None:
        """Stop watching the window."""
        self.window.unbind(on_flip=self._on_flip)

    async def frame(self, path: Path | None = None) -> float:
        """Wait until the next frame is drawn (its `perf_counter` time); save it to `path` too."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting.append((future, path))
        self.window.canvas.ask_update()  # Kivy draws only when something changed
        return await future

    async def tick(self) -> None:
        """Wait for the next turn of Kivy's loop (a frame is drawn only if something changed)."""
        from kivy.clock import Clock

        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def turned(_dt: float) -> None:
            if not future.done():
                future.set_result(None)

        event = Clock.schedule_once(turned, 0)
        try:
            await future
        finally:
            event.cancel()

    async def photograph(self, path: Path | None) -> float:
        """Wait for the first frame drawn with the current widgets (its time); save the next.

        The picture is of the frame after, so that layout and label textures have settled.
        """
        drawn = await self.frame()
        self.drawn_cpu = self.flipped_cpu
        if path is not None:
            await self.frame(path)
        return drawn

    def _on_flip(self, *_: Any) -> None:
        self.flipped_at = time.perf_counter()
        self.flipped_cpu = time.process_time()
        waiting, self._waiting = self._waiting, []
        for future, path in waiting:
            if path is not None:
                try:
                    self.save(path)
                except Exception as exc:  # a failed picture must not leave the tour hanging
                    if not future.done():
                        future.set_exception(exc)
                    continue
            if not future.done():
                future.set_result(self.flipped_at)

    def save(self, path: Path) -> None:
        """Read the drawn (not yet shown) buffer and write it as PNG."""
        from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
        from PIL import Image

        width, height = (int(v) for v in self.window.size)
        data = glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE)
        image = Image.frombytes("RGBA", (width, height), data).convert("RGB")
        image.transpose(Image.Transpose.FLIP_TOP_BOTTOM).save(path)


class LanguageTaps:
    """What the scripted oracle switches languages through: the service bar's language button."""

    def __init__(self, tour: TourRenderer) -> None:
        self.tour = tour

    def set_language(self, language: str) -> None:
        """Tap the language button until the screen is in `language` (it cycles)."""
        shell = self.tour.shell
        for _ in range(4):
            if shell.language == language:
                break
            self.tour.tap("bar.language")
        self.tour.note_how("touch: bar.language")


class TourRenderer:
    """The engine's `Renderer` for a tour: real screens, real taps, a screenshot per screen."""

    name = "tour"

    def __init__(
        self,
        shell: KioskShell,
        core: SessionCore,
        oracle: ScriptedRenderer,
        camera: FrameCamera,
        out: Path | None,
        spoken: Callable[[Prompt], str],
    ) -> None:
        self.shell = shell
        self.core = core
        self.spoken = spoken
        self.oracle = oracle
        self.camera = camera
        self.out = out
        self.screens: list[TourScreen] = []
        self.drawn_at: list[float] = []
        """When each screen's first frame was drawn (`perf_counter`), by screen index."""
        self.tapped_at: list[float | None] = []
        """When each screen was last touched, if it was (tap-to-next-screen benchmarks)."""
        self.drawn_cpu: list[float] = []
        self.tapped_cpu: list[float | None] = []
        """The process's CPU time (`time.process_time()`) at the same moments: what the kiosk
        itself spent, whatever else the machine was running."""
        self.main_flow: str | None = None
        oracle.session = LanguageTaps(self)

    # -- the Renderer protocol --------------------------------------------------------------

    async def show(self, prompt: Prompt) -> None:
        """Show a prompt that does not wait and photograph it."""
        await self.core.show(prompt)
        screen = self._record(prompt, waits=False)
        await self._photograph(screen)

    async def ask(self, prompt: Prompt) -> Answer | Event:
        """Show the prompt, photograph it, then give the scripted answer through the UI."""
        touch = asyncio.ensure_future(self.core.ask(prompt))
        await asyncio.sleep(0)  # the core puts the screen up on its first step
        screen = self._record(prompt, waits=True)
        oracle: asyncio.Future[Answer | Event] | None = None
        try:
            await self._photograph(screen)
            if touch.done():  # answered while being drawn (cannot happen without input)
                return touch.result()
            before = len(self.oracle.transcript)
            oracle = asyncio.ensure_future(self.oracle.ask(prompt))
            done, _ = await asyncio.wait({touch, oracle}, return_when=asyncio.FIRST_COMPLETED)
            if touch in done:
                return touch.result()
            reply = oracle.result()
            self._note_answers(screen, before)
            await self._give(prompt, reply)
            screen = self.screens[-1]  # a code typed: its keyboard's picture, answered last
            for _ in range(LANDING_TURNS):
                if touch.done():
                    break
                await asyncio.sleep(0)
            for _ in range(LANDING_FRAMES):  # let the tap land and the session take it
                if touch.done():
                    break
                await self.camera.frame()
            if touch.done():
                return touch.result()
            if screen.how and not screen.how.startswith("resolved"):
                screen.how = f"resolved (the screen did not accept it after {screen.how})"
            elif not screen.how:
                screen.how = "resolved"
            return reply
        except asyncio.CancelledError:
            if oracle is not None:
                self._note_answers(screen, before)
            if not screen.how:
                screen.how = "device" if prompt.kind is PromptKind.DEVICE_WAIT else "engine"
            raise
        finally:
            for task in (touch, oracle):
                if task is not None and not task.done():
                    task.cancel()
            for task in (touch, oracle):
                if task is not None:
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task

    # -- giving answers through the UI --------------------------------------------------------

    async def _give(self, prompt: Prompt, reply: Answer | Event) -> None:
        if isinstance(reply, Event):
            if reply is Event.TIMEOUT:
                self.note_how("clock")
                return
            self._tap_or_note(f"bar.{reply.value}")
            return
        value = reply.value
        kind = prompt.kind
        if kind is PromptKind.CHOOSE:
            option = pick(prompt.options, value)
            self._tap_or_note(f"option.{option.value}" if option else "")
        elif kind in (PromptKind.CONFIRM, PromptKind.CONSENT):
            yes = yes_no(value)
            names = {
                PromptKind.CONFIRM: ("action.confirm", "action.change"),
                PromptKind.CONSENT: ("action.agree", "action.decline"),
            }[kind]
            self._tap_or_note("" if yes is None else names[0 if yes else 1])
        elif kind is PromptKind.INPUT:
            await self._type(prompt, str(value))
        elif kind is PromptKind.DEVICE_WAIT and prompt.typing is not None:
            await self._type_code(prompt, str(value))
        else:
            self._tap_or_note(_ACTIONS.get(kind, ""))

    async def _type(self, prompt: Prompt, value: str) -> None:
        allowed = (prompt.input or InputRules(InputType.TEXT)).typing.characters
        if allowed and all(ch in allowed for ch in value.upper()):
            for key in value.upper():
                if not self.tap(f"key.{key}"):
                    self.note_how("resolved (a key is missing)")
                    return
            self._tap_or_note("action.confirm", how="keys+touch")
            return
        self.shell.memory.pinyin = ""
        self.core.edit(value)
        await self.camera.frame()
        self._tap_or_note("action.confirm", how="state+touch")

    async def _type_code(self, prompt: Prompt, value: str) -> None:
        """A code typed instead of scanned: "Type it", the keyboard pictured, keys, confirm."""
        if not self.tap("action.type_code"):
            self.note_how("resolved")
            return
        self.note_how("touch: action.type_code")
        await self.camera.frame()  # the keyboard laid out, its keys where they are drawn
        missing = next((key for key in value if not self.tap(f"key.{key}")), None)
        keyboard = self._record(prompt, waits=True, part="keyboard")  # the code typed
        keyboard.answer = scrub(value)
        await self._photograph(keyboard)
        if missing is not None:
            self.note_how(f"resolved (no key {missing})")
            return
        self._tap_or_note("action.confirm", how="keyboard+touch")

    def _tap_or_note(self, kiosk_id: str, how: str = "") -> None:
        if kiosk_id and self.tap(kiosk_id):
            self.note_how(f"{how or 'touch'}: {kiosk_id}")
        else:
            self.note_how("resolved")

    def tap(self, kiosk_id: str) -> bool:
        """Touch down and up in the middle of the enabled widget `kiosk_id`; False if absent."""
        from kiosk.ui.simulated_touch import tap_at

        widget = next(
            (
                w
                for w in self.shell.walk(restrict=True)
                if getattr(w, "kiosk_id", None) == kiosk_id and not w.disabled
            ),
            None,
        )
        if widget is None:
            log.debug("no enabled widget %s on screen", kiosk_id)
            return False
        x, y = widget.to_window(*widget.center)
        if self.tapped_at:
            self.tapped_at[-1] = time.perf_counter()
            self.tapped_cpu[-1] = time.process_time()
        tap_at(x, y)
        return True

    def note_how(self, how: str) -> None:
        """Record how the current screen was answered (the latest screen)."""
        if self.screens:
            current = self.screens[-1]
            current.how = f"{current.how}; {how}" if current.how else how

    # -- recording ----------------------------------------------------------------------------

    def _record(self, prompt: Prompt, *, waits: bool, part: str = "") -> TourScreen:
        """A new screen of the tour; `part` names a second picture of one prompt (its keyboard)."""
        if self.main_flow is None:
            self.main_flow = prompt.flow
        number = len(self.screens) + 1
        name = prompt.step if prompt.flow == self.main_flow else f"{prompt.flow}.{prompt.step}"
        name = f"{name}.{part}" if part else name
        filename = f"{number:02d}-{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.png"
        screen = TourScreen(
            number=number,
            flow=prompt.flow,
            step=prompt.step,
            kind=prompt.kind.value,
            language=prompt.language,
            screenshot=filename,
            title=prompt.title,
            text=scrub(prompt.text),
            error=prompt.error_text or (prompt.error or ""),
            options=[f"{o.key} {o.label}" for o in prompt.options],
            rows=[f"{row.label}: {row.shown}" for row in prompt.rows],
            input_type=prompt.input.input_type if prompt.input else "",
            on_screen=self._screen_texts(),
            spoken=self.spoken(prompt),
            waits=waits,
        )
        self.screens.append(screen)
        self.drawn_at.append(0.0)
        self.tapped_at.append(None)
        self.drawn_cpu.append(0.0)
        self.tapped_cpu.append(None)
        return screen

    def _screen_texts(self) -> list[str]:
        from kivy.uix.label import Label

        root = self.shell.screen
        if root is None:
            return []
        texts = [plain(w.text) for w in root.walk(restrict=True) if isinstance(w, Label)]
        return [scrub(text) for text in texts if text]

    def _note_answers(self, screen: TourScreen, before: int) -> None:
        for entry in self.oracle.transcript[before:]:
            shown = entry.shown_answer
            if isinstance(shown, dict):
                shown = shown.get("event")
            if isinstance(shown, str) and shown.startswith("language:"):
                shown = f"switch language to {shown.split(':', 1)[1]}"
            if shown is None:
                continue
            if isinstance(shown, bool):
                shown = "yes" if shown else "no"
            screen.answer = shown if screen.answer is None else f"{screen.answer}; {shown}"

    async def _photograph(self, screen: TourScreen) -> None:
        path = self.out / screen.screenshot if self.out is not None else None
        shot = asyncio.ensure_future(self.camera.photograph(path))
        try:
            drawn = await asyncio.shield(shot)
        except asyncio.CancelledError:
            # the engine moved on (a device answered): still keep the picture of this screen
            with contextlib.suppress(Exception):
                self.drawn_at[screen.number - 1] = await asyncio.wait_for(shot, 5)
                self.drawn_cpu[screen.number - 1] = self.camera.drawn_cpu
            raise
        self.drawn_at[screen.number - 1] = drawn
        self.drawn_cpu[screen.number - 1] = self.camera.drawn_cpu
        self._inspect(screen)

    def _inspect(self, screen: TourScreen) -> None:
        """Note what a resident would not see whole on the screen just photographed."""
        screen.clipped, screen.small_targets, screen.small_text = inspect(self.shell)


def inspect(shell: KioskShell) -> tuple[list[str], list[str], list[str]]:
    """What a resident would not see whole on the screen drawn: text cut off and widgets
    outside the window, controls below the look's minimum (90 px in elder mode, 44 px
    otherwise), and in elder mode text set below the elder body size."""
    from kivy.core.window import Window

    look = shell.look
    minimum = 90.0 if look.elder else 44.0
    clipped = [
        *clipped_labels(shell, Window.height),
        *outside_window(shell, Window.width, Window.height),
    ]
    small = [scrub(t) for t in shrunk_text(shell, ELDER_MIN_BODY)] if look.elder else []
    return [scrub(t) for t in clipped], list(small_targets(shell, minimum)), small


@dataclass(frozen=True)
class TourOptions:
    """Where the pictures go and how the screen looks."""

    out: Path | None
    """Where the screenshots go; None takes none (benchmarks)."""
    language: str
    elder: bool = False
    contrast: bool = False
    size: tuple[int, int] = (1280, 1024)
    timeout: float = 120.0
    """Real seconds the whole tour may take before it is abandoned (nothing should wait)."""


@dataclass
class TourResult:
    """The screens of a finished (or abandoned) tour and the engine's outcome, if any."""

    screens: list[TourScreen]
    outcome: Any = None
    error: BaseException | None = None
    way_in: dict[str, list[str]] = field(default_factory=dict)
    """What is not seen whole on the attract screen and the menu, by picture name."""


@dataclass
class RunningApp:
    """The started kiosk app's parts a tour drives."""

    app: Any
    shell: KioskShell
    core: SessionCore
    camera: FrameCamera


@contextlib.asynccontextmanager
async def running_app(options: TourOptions, clock: Clock) -> AsyncIterator[RunningApp]:
    """Start the real `KioskApp` in a window of `options.size` with its look, its screen drawn
    by a `SessionCore` on `clock`; stop it after."""
    from kiosk.ui.app import KioskApp
    from kiosk.ui.lockdown import WindowOptions

    width, height = options.size
    window_options = WindowOptions(
        fullscreen=False, borderless=True, show_cursor=False, width=width, height=height
    )
    app = KioskApp(options=window_options, language=options.language)
    started: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_start(*_: Any) -> None:
        if not started.done():
            started.set_result(None)

    app.bind(on_start=on_start)
    app_task = asyncio.ensure_future(app.async_run(async_lib="asyncio"))
    camera: FrameCamera | None = None
    try:
        await asyncio.wait({started, app_task}, return_when=asyncio.FIRST_COMPLETED)
        if app_task.done():
            app_task.result()  # raises why the app could not start
            raise RuntimeError("the kiosk app stopped before it started")
        from kivy.core.window import Window

        shell = app.shell
        assert shell is not None  # built before on_start
        core = SessionCore(clock, language=options.language)
        core.attach(TouchRenderer(shell, core))
        if options.elder:
            core.toggle_elder()
        if options.contrast:
            core.toggle_contrast()
        camera = FrameCamera(Window)
        await camera.frame()  # the window is up and drawing
        from kiosk.ui.pinyin_index import build_in_background
        from kiosk.ui.shell import preload_screens

        preload_screens()  # as the kiosk does after its first frame
        build_in_background()  # as the kiosk does: the first free-text screen need not wait
        yield RunningApp(app, shell, core, camera)
        core.close()
    finally:
        if camera is not None:
            camera.close()
        app.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(app_task, 10)


async def run_tour(
    flow_id: str,
    engine: Any,
    session: Session,
    oracle: ScriptedRenderer,
    options: TourOptions,
    spoken: Callable[[Prompt], str],
    *,
    attract: AttractInfo | None = None,
    menu: Prompt | None = None,
) -> TourResult:
    """Start the real `KioskApp`, run `flow_id` on it with `TourRenderer`, stop the app.

    With `attract` and `menu`, the attract screen and the service menu are pictured first
    (`attract.png`, `menu.png`), as a resident meets them before the service.

    `engine` is the kiosk's `Engine`; `session` the resident's `Session` (the language button
    switches it, as in `kiosk run`); `oracle` answers from the answers file; `spoken` says what
    the voice says for a prompt (for the transcript).
    """
    result = TourResult([])
    async with running_app(options, session.clock) as running:
        result.way_in = await _picture_the_way_in(running, options, attract, menu)
        running.core.open(session)
        tour = TourRenderer(
            running.shell, running.core, oracle, running.camera, options.out, spoken
        )
        result.screens = tour.screens
        try:
            result.outcome = await asyncio.wait_for(
                engine.run(flow_id, session, tour), options.timeout
            )
        except Exception as exc:  # reported by the caller with the screens so far
            result.error = exc
    return result


async def _picture_the_way_in(
    running: RunningApp, options: TourOptions, attract: AttractInfo | None, menu: Prompt | None
) -> dict[str, list[str]]:
    """The attract screen and the menu, each drawn and photographed once; what on each is
    not seen whole (text cut off or set too small, controls too small), by picture."""
    shell, out = running.shell, options.out
    found: dict[str, list[str]] = {}
    if attract is not None:
        shell.show_attract(attract, options.language)
        await running.camera.photograph(out / "attract.png" if out else None)
        found["attract.png"] = [p for part in inspect(shell) for p in part]
    if menu is not None:
        state = dataclasses.replace(shell.state, view=PromptView(menu))
        shell.draw(state, Change.VIEW)
        await running.camera.photograph(out / "menu.png" if out else None)
        found["menu.png"] = [p for part in inspect(shell) for p in part]
    return found


def write_transcript(
    out: Path, screens: list[TourScreen], header: dict[str, Any], outcome: dict[str, Any]
) -> tuple[Path, Path]:
    """Write `transcript.json` and `transcript.md` into `out`; returns both paths."""
    data = {**header, "outcome": outcome, "screens": [asdict(s) for s in screens]}
    json_path = out / "transcript.json"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    look = ", ".join(
        name
        for name, on in (
            ("elder mode", header.get("elder")),
            ("high contrast", header.get("contrast")),
        )
        if on
    )
    lines = [
        f"# Tour of `{header.get('flow')}` ({header.get('language')}{', ' + look if look else ''})",
        "",
        f"Outcome: **{outcome.get('status')}** at `{outcome.get('step')}`"
        + (f" ({outcome['error']})" if outcome.get("error") else ""),
        "",
    ]
    for picture, problems in header.get("way_in", {}).items():
        if problems:
            lines += [f"- **{picture} NOT SEEN WHOLE:** {' | '.join(problems)}", ""]
    for s in screens:
        lines += [
            f"## {s.number:02d} `{s.flow}/{s.step}` — {s.kind}",
            "",
            f"![{s.step}]({s.screenshot})",
            "",
        ]
        fields = (
            ("Title", s.title),
            ("Text", s.text),
            ("Error", s.error),
            ("Options", "; ".join(s.options)),
            ("Rows", "; ".join(s.rows)),
            ("Input", s.input_type),
            ("On screen", " | ".join(s.on_screen)),
            ("Spoken", s.spoken),
            ("CUT OFF", " | ".join(s.clipped)),
            ("TARGETS TOO SMALL", " | ".join(s.small_targets)),
            ("TEXT SET TOO SMALL", " | ".join(s.small_text)),
        )
        for label, value in fields:
            if value:
                lines.append(f"- **{label}:** {' '.join(value.split())}")
        if s.waits:
            answer = "—" if s.answer is None else str(s.answer)
            lines.append(f"- **Answer:** {answer} ({s.how or 'not answered'})")
        else:
            lines.append("- **Answer:** none (the screen does not wait)")
        lines.append("")
    md_path = out / "transcript.md"
    md_path.write_text("\n".join(lines), encoding="utf-8")
    return md_path, json_path
