"""The kiosk's root widget: the session's state drawn as a screen, the service bar and overlays.

`draw(state, what)` is all the session tells the screen. A new view, language or look rebuilds
the screen (the service bar is kept while language and look stay the same); a change of the
answer in progress (typed text, focus, a refused answer) only updates the screen shown; the
notice and the inactivity warning come and go as overlays. What the resident does goes back
to the session through `inputs` (`kiosk.session.renderers.SessionInputs`): the screen keeps
nothing of the answer itself but what only touch has (the pinyin being composed, the category
tab opened), in a `ScreenMemory` that lasts as long as the question on screen.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from kiosk.flow.languages import LANGUAGES
from kiosk.flow.prompt import Event
from kiosk.i18n import t
from kiosk.session.renderers import SessionInputs
from kiosk.session.state import AttractInfo, AttractView, Change, PromptView, SessionState
from kiosk.ui.frame_hold import FRAME_HOLD
from kiosk.ui.idle_gc import collect_after_next_frame
from kiosk.ui.screens.attract import AttractScreen
from kiosk.ui.screens.base import PromptScreen, ScreenContext, ScreenMemory
from kiosk.ui.theme import Look, look
from kiosk.ui.unconnected import Unconnected
from kiosk.ui.widgets.notice_overlay import NoticeOverlay
from kiosk.ui.widgets.service_bar import ServiceBar
from kiosk.ui.widgets.timeout_overlay import TimeoutOverlay
from peripherals.keypad.keys import Key

log = logging.getLogger(__name__)

_REBUILD = Change.VIEW | Change.LANGUAGE | Change.LOOK


class KioskShell(FloatLayout):  # type: ignore[misc]
    """Root widget: screen + persistent service bar + overlays (timeout warning, notices)."""

    def __init__(self, *, language: str = LANGUAGES[0], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state = SessionState(language=language)
        self._early = Unconnected()
        self.inputs: SessionInputs = self._early
        self.memory = ScreenMemory()
        self.screen: Widget | None = None
        self.bar: ServiceBar | None = None
        self._bar_for: tuple[str, Look, bool] | None = None
        self.terminal: Mapping[str, str] = {}
        """The terminal's name by language (from the attract screen's information)."""
        self._frame: BoxLayout | None = None
        self.timeout_overlay: TimeoutOverlay | None = None
        self.notice_overlay: NoticeOverlay | None = None
        self._countdown: Any = None
        self._hold: tuple[float, str, float] = (0.0, "top_right", 120.0)
        self._held: Any = None
        self._held_touch: Any = None
        self._bar_actions: dict[str, Callable[[], None]] = {
            "back": lambda: self.inputs.event(Event.BACK),
            "cancel": lambda: self.inputs.event(Event.CANCEL),
            "language": self._next_language,
            "elder": lambda: self.inputs.toggle_elder(),
            "contrast": lambda: self.inputs.toggle_contrast(),
            "help": lambda: self.inputs.event(Event.HELP),
            "voice": self._voice,
            "call_staff": lambda: self.inputs.call_staff(),
        }
        with self.canvas.before:
            self._bg_colour = Color(1, 1, 1, 1)
            self._bg = Rectangle()
        self.bind(pos=self._paint, size=self._paint)
        # nothing is built before the first `draw`: the kiosk's first is its attract screen,
        # whose service bar differs from a blank screen's (built twice, the first frame waited)

    # -- connecting ------------------------------------------------------------------------

    def connect(self, inputs: SessionInputs) -> None:
        """Send what the resident does to `inputs` from now on (a start tapped before is sent)."""
        self.inputs = inputs
        if self._early.started:
            self._early.started = False
            inputs.start("touch")

    def show_attract(self, info: AttractInfo, language: str | None = None) -> None:
        """Draw the attract screen before the session exists (the kiosk's first frame)."""
        state = dataclasses.replace(
            self.state, view=AttractView(info), language=language or self.state.language
        )
        self.draw(state, Change.VIEW | Change.LANGUAGE)

    # -- drawing the state -------------------------------------------------------------------

    @property
    def look(self) -> Look:
        """The current theme and scale."""
        return look(elder=self.state.elder, high_contrast=self.state.high_contrast)

    @property
    def language(self) -> str:
        """The language on screen."""
        return self.state.language

    @property
    def view_prompt(self) -> PromptView | None:
        """The prompt view on screen, if a prompt is shown."""
        view = self.state.view
        return view if isinstance(view, PromptView) else None

    def draw(self, state: SessionState, what: Change) -> None:
        """Show `state`; `what` says what changed since the last draw."""
        old, self.state = self.state, state
        if what & (Change.VIEW | Change.DRAFT):
            FRAME_HOLD.end()  # the next screen, or the answer refused: draw it
        elif Change.WAITING in what and _answered(old, state):
            FRAME_HOLD.begin()  # the next screen follows: no frame of this one meanwhile
        if isinstance(state.view, AttractView):
            self.terminal = state.view.info.terminal_name
            if Change.VIEW in what and not isinstance(old.view, AttractView):
                collect_after_next_frame()  # no one waits for a screen meanwhile
        if Change.VIEW in what and not _same_question(old, state):
            self.memory = ScreenMemory()
        if what & _REBUILD or self._frame is None:
            self.render()
            return
        screen = self.screen
        if what & (Change.DRAFT | Change.KEYPAD | Change.WAITING) and isinstance(
            screen, PromptScreen
        ):
            view = self.view_prompt
            if view is not None:
                screen.draft_changed(view, keypad=state.keypad_used)
        if Change.WAITING in what:
            self._enable_bar()
        if Change.NOTICE in what:
            self._draw_notice()
        if Change.WARNING in what:
            self._draw_warning()

    def render(self) -> None:
        """Rebuild the screen from the state, the language and the look.

        The service bar is kept while language and look stay the same (only which of its
        controls are enabled changes): its seven labels are most of the text a screen change
        would otherwise draw again.
        """
        for widget in list(self.walk(restrict=True)):
            stop = getattr(widget, "stop_ticking", None)
            if callable(stop):
                stop()
        for widget in list(self.children):
            self.remove_widget(widget)
        if self._frame is not None:
            self._frame.clear_widgets()
        lk, lang = self.look, self.language
        self._bg_colour.rgba = lk.theme.rgba("background")
        frame = self._frame = BoxLayout(orientation="vertical")
        self.screen = self._build_screen(lk, lang)
        frame.add_widget(self.screen)
        attract = isinstance(self.state.view, AttractView)
        if self.bar is None or self._bar_for != (lang, lk, attract):
            self.bar = ServiceBar(
                lk, lang, self._bar_action, can_go_back=False, can_cancel=False, attract=attract
            )
            self._bar_for = (lang, lk, attract)
        self._enable_bar()
        frame.add_widget(self.bar)
        self.add_widget(frame)
        self.notice_overlay = self.timeout_overlay = None
        self._draw_notice()
        self._draw_warning()

    def _build_screen(self, lk: Look, lang: str) -> Widget:
        view = self.state.view
        if isinstance(view, PromptView):
            ctx = ScreenContext(
                view,
                lk,
                lang,
                self.inputs,
                self.memory,
                keypad=self.state.keypad_used,
                rerender=self.render,
                terminal=self.terminal.get(lang) or next(iter(self.terminal.values()), ""),
            )
            from kiosk.ui.screens.kinds import SCREENS

            return SCREENS[view.prompt.kind](ctx)
        if isinstance(view, AttractView):
            return AttractScreen(lk, lang, view.info, self.inputs)
        return BoxLayout()

    def _enable_bar(self) -> None:
        if self.bar is None:
            return
        view = self.view_prompt
        waiting = view is not None and view.waiting
        self.bar.enable(
            can_go_back=waiting and view is not None and view.prompt.can_go_back,
            can_cancel=waiting,
        )

    def _draw_notice(self) -> None:
        notice = self.state.notice
        overlay = self.notice_overlay
        if overlay is not None and (notice is None or overlay.key != notice):
            self._drop(overlay)
            self.notice_overlay = None
        if notice is not None and self.notice_overlay is None:
            self.notice_overlay = NoticeOverlay(
                self.look, self.language, t(notice, self.language), self.inputs.close_notice
            )
            self.notice_overlay.key = notice
            self.notice_overlay.ok.focused = self.state.keypad_used
            self.add_widget(self.notice_overlay)

    def _draw_warning(self) -> None:
        if self.state.warning is None:
            if self._countdown is not None:
                self._countdown.cancel()
                self._countdown = None
            self._drop(self.timeout_overlay)
            self.timeout_overlay = None
            return
        if self.timeout_overlay is None:
            left = self.inputs.remaining()
            self.timeout_overlay = TimeoutOverlay(
                self.look,
                self.language,
                self.state.warning if left is None else left,
                self.inputs.more_time,
            )
            self.add_widget(self.timeout_overlay)
        if self._countdown is None:
            self._countdown = Clock.schedule_interval(self._tick_countdown, 0)

    def _tick_countdown(self, *_: Any) -> None:
        left = self.inputs.remaining()
        if self.timeout_overlay is not None and left is not None:
            self.timeout_overlay.update(left)

    # -- what the resident does ----------------------------------------------------------

    def _bar_action(self, name: str) -> None:
        self._bar_actions[name]()

    def _voice(self) -> None:
        """The bar's voice key: as the tactile voice key (starts a session on the attract)."""
        if isinstance(self.state.view, AttractView):
            self.inputs.start("voice")
        self.inputs.key(Key.VOICE)

    def _next_language(self) -> None:
        current = LANGUAGES.index(self.language) if self.language in LANGUAGES else 0
        self.inputs.set_language(LANGUAGES[(current + 1) % len(LANGUAGES)])

    def _drop(self, widget: Widget | None) -> None:
        if widget is not None and widget.parent is self:
            self.remove_widget(widget)

    def _paint(self, *_: Any) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size

    def hold_corner(self, seconds: float, corner: str, size: float) -> None:
        """A finger held `seconds` in `corner` (a square of `size` dp) asks for the service
        menu (0 seconds: never); the session loop opens it between sessions only."""
        self._hold = (seconds, corner, size)

    def _in_corner(self, touch: Any) -> bool:
        seconds, corner, size = self._hold
        if seconds <= 0:
            return False
        edge = dp(size)
        vertical, horizontal = corner.split("_")
        x_ok = touch.x <= self.x + edge if horizontal == "left" else touch.x >= self.right - edge
        y_ok = touch.y >= self.top - edge if vertical == "top" else touch.y <= self.y + edge
        return bool(x_ok and y_ok)

    def _cancel_hold(self) -> None:
        if self._held is not None:
            self._held.cancel()
        self._held = self._held_touch = None

    def on_touch_down(self, touch: Any) -> bool:
        """Any touch is activity: it extends the session (after the touch has gone where it
        landed, so an overlay it takes down cannot pass the touch on to the screen below).
        A touch in the service corner starts the long-press timer."""
        if self._in_corner(touch):
            self._cancel_hold()
            self._held_touch = touch
            self._held = Clock.schedule_once(lambda _dt: self._held_long(), self._hold[0])
        handled = bool(super().on_touch_down(touch))
        self.inputs.activity()
        return handled

    def on_touch_move(self, touch: Any) -> bool:
        """A held finger that leaves the corner is no long press."""
        if touch is self._held_touch and not self._in_corner(touch):
            self._cancel_hold()
        return bool(super().on_touch_move(touch))

    def on_touch_up(self, touch: Any) -> bool:
        """Lifting the finger before the time ends the long press."""
        if touch is self._held_touch:
            self._cancel_hold()
        return bool(super().on_touch_up(touch))

    def _held_long(self) -> None:
        self._held = self._held_touch = None
        log.info("long press in the service corner")
        self.inputs.maintenance("long_press")

    def close(self) -> None:
        """Stop the clocks this shell runs (the countdown, screens that tick)."""
        self._cancel_hold()
        if self._countdown is not None:
            self._countdown.cancel()
            self._countdown = None
        for widget in list(self.walk(restrict=True)):
            stop = getattr(widget, "stop_ticking", None)
            if callable(stop):
                stop()


def _answered(old: SessionState, new: SessionState) -> bool:
    """Whether the question on screen stopped waiting (answered, or given up)."""
    before, after = old.view, new.view
    return (
        isinstance(before, PromptView)
        and isinstance(after, PromptView)
        and before.waiting
        and not after.waiting
        and before.prompt is after.prompt
    )


def _same_question(old: SessionState, new: SessionState) -> bool:
    before, after = old.view, new.view
    return (
        isinstance(before, PromptView)
        and isinstance(after, PromptView)
        and before.same_question(after.prompt)
    )


def preload_screens() -> None:
    """Import every prompt kind's screen now: the first frame needed only the attract screen,
    and the first question should not wait for its screen's import (~30 ms)."""
    import kiosk.ui.screens.kinds  # noqa: F401
