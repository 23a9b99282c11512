"""The kiosk's root widget: the current screen, the service bar and overlays, re-rendered in place.

Everything the resident sees is rebuilt from a small description (`_View`) and the current
look and language, so switching language, elder mode or high contrast re-renders the screen
without losing progress: the screen's `state` (typed text, chosen category) is kept.

The tactile keypad works through the voice renderer's key map; the shell is where that map
keeps its typed text and focus (`load_keys`, `store_keys`), so what is typed on the keypad
shows in the input field, what was typed by touch is what ENTER submits, and keypad focus is
drawn on screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from kiosk.flow.languages import LANGUAGES
from kiosk.flow.prompt import Answer, Event, Prompt
from kiosk.i18n import t
from kiosk.ui.catalogue import AttractInfo, Category, ServiceEntry
from kiosk.ui.screens import SCREENS
from kiosk.ui.screens.attract import AttractScreen
from kiosk.ui.screens.base import ScreenContext
from kiosk.ui.screens.services import CatalogueScreen
from kiosk.ui.theme import Look, look
from kiosk.ui.widgets.notice_overlay import NoticeOverlay
from kiosk.ui.widgets.service_bar import ServiceBar
from kiosk.ui.widgets.timeout_overlay import TimeoutOverlay
from kiosk.voice.keys import Action, KeyResult, KeyState

log = logging.getLogger(__name__)

MENU_FLOW = "$menu"
"""The menu prompt's flow id (`kiosk.ui.menu.MENU_FLOW`; not imported: that module is heavy)."""

Respond = Callable[[Answer | Event], None]
MIN_WARNING_SECONDS = 20.0


@dataclass
class _View:
    """What is on screen, independent of language and look."""

    kind: str = "blank"
    prompt: Prompt | None = None
    respond: Respond | None = None
    state: dict[str, Any] = field(default_factory=dict)
    info: AttractInfo | None = None
    on_start: Callable[[], None] | None = None
    categories: Sequence[Category] = ()
    services: Sequence[ServiceEntry] = ()
    on_choose: Callable[[str], None] | None = None
    on_cancel: Callable[[], None] | None = None


@dataclass
class _Deadline:
    remaining: Callable[[], float]
    on_more_time: Callable[[], None]
    warn_before: float
    shown: float | None = None


class KioskShell(FloatLayout):  # type: ignore[misc]
    """Root widget: screen + persistent service bar + overlays (timeout warning, notices).

    Callbacks (all optional) let the coordinator wire the session: `on_call_staff()`,
    `on_language(lang)`, `on_look(elder, high_contrast)`, `on_activity()` on every touch.
    """

    def __init__(
        self,
        *,
        language: str = LANGUAGES[0],
        elder: bool = False,
        high_contrast: bool = False,
        on_call_staff: Callable[[], None] | None = None,
        on_language: Callable[[str], None] | None = None,
        on_look: Callable[[bool, bool], None] | None = None,
        on_activity: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.language, self.elder, self.high_contrast = language, elder, high_contrast
        self.on_call_staff, self.on_language = on_call_staff, on_language
        self.on_look, self.on_activity = on_look, on_activity
        self.view = _View()
        self.keypad_used = False
        """The tactile keypad was used this session: screens show where ENTER goes."""
        self.notice: str | None = None
        self.deadline: _Deadline | None = None
        self._deadline_event: Any = None
        self._on_warning: Callable[[float], None] | None = None
        self.screen: Widget | None = None
        self.bar: ServiceBar | None = None
        self._bar_for: tuple[str, Look] | None = None
        self._frame: BoxLayout | None = None
        self.timeout_overlay: TimeoutOverlay | None = None
        self.notice_overlay: NoticeOverlay | None = None
        with self.canvas.before:
            self._bg_colour = Color(1, 1, 1, 1)
            self._bg = Rectangle()
        self.bind(pos=self._paint, size=self._paint)
        self.render()

    # -- what is shown -------------------------------------------------------------------

    @property
    def look(self) -> Look:
        """The current theme and scale."""
        return look(elder=self.elder, high_contrast=self.high_contrast)

    def show_prompt(self, prompt: Prompt, respond: Respond | None = None) -> None:
        """Show `prompt`; taps answer through `respond` (once). Same flow and step keep state."""
        old = self.view
        same = (
            old.kind == "prompt"
            and old.prompt is not None
            and (old.prompt.flow, old.prompt.step, old.prompt.kind)
            == (prompt.flow, prompt.step, prompt.kind)
        )
        self.view = _View(
            kind="prompt",
            prompt=prompt,
            respond=respond if respond is not None or not same else old.respond,
            state=old.state if same else {},
        )
        if prompt.language in LANGUAGES:
            self.language = prompt.language
        self.render()

    def release(self, respond: Respond) -> None:
        """Forget `respond` (its question was answered elsewhere or cancelled)."""
        if self.view.respond is respond:
            self.view.respond = None

    def show_attract(self, info: AttractInfo, on_start: Callable[[], None]) -> None:
        """Show the attract screen between sessions."""
        self.view = _View(kind="attract", info=info, on_start=on_start)
        self.render()

    def show_catalogue(
        self,
        categories: Sequence[Category],
        services: Sequence[ServiceEntry],
        on_choose: Callable[[str], None],
        on_cancel: Callable[[], None] | None = None,
    ) -> None:
        """Show the service menu; `on_choose(service_id)` starts one, cancel calls `on_cancel`."""
        self.view = _View(
            kind="catalogue",
            categories=tuple(categories),
            services=tuple(services),
            on_choose=on_choose,
            on_cancel=on_cancel,
        )
        self.render()

    def reset(self, language: str = LANGUAGES[0]) -> None:
        """End of session: wipe screen state and restore language, elder mode and contrast."""
        self.view = _View()
        self.keypad_used = False
        self.notice = None
        self.stop_watching()
        self.language, self.elder, self.high_contrast = language, False, False
        self.render()

    # -- the tactile keypad --------------------------------------------------------------

    def note_keypad(self) -> None:
        """A tactile key was pressed: from now on this session, screens show keypad focus."""
        if self.keypad_used:
            return
        self.keypad_used = True
        self._screen_keys_changed()

    def load_keys(self, prompt: Prompt) -> KeyState | None:
        """Typed text and focus of `prompt` as on screen; None when it is not on screen."""
        view = self.view
        if view.kind == "catalogue" and prompt.flow == MENU_FLOW:
            return KeyState(focus=view.state.get("focus"))
        if not self._showing(prompt):
            return None
        return KeyState(typed=str(view.state.get("value", "")), focus=view.state.get("focus"))

    def store_keys(self, prompt: Prompt, result: KeyResult) -> None:
        """Mirror a key's effect on `prompt` on screen (typed text, focus)."""
        self.note_keypad()
        view, action = self.view, result.action
        if view.kind == "catalogue" and prompt.flow == MENU_FLOW:
            if action is Action.FOCUS and result.option is not None:
                view.state["focus"] = result.state.focus
                view.state["focus_service"] = result.option.value
                view.state["message"] = ""
                self.render()  # the focused service may be in another category
            return
        if not self._showing(prompt):
            return
        if action in (Action.TYPED, Action.DELETED):
            view.state["value"] = result.state.typed
            view.state["problem"] = None
            view.state["page"] = 0
        elif action is Action.FOCUS:
            view.state["focus"] = result.state.focus
        else:
            return
        self._screen_keys_changed()

    def _showing(self, prompt: Prompt) -> bool:
        shown = self.view.prompt
        return (
            self.view.kind == "prompt"
            and shown is not None
            and (shown.flow, shown.step, shown.kind) == (prompt.flow, prompt.step, prompt.kind)
        )

    def _screen_keys_changed(self) -> None:
        screen = self.screen
        ctx = getattr(screen, "ctx", None)
        if isinstance(ctx, ScreenContext):
            ctx.keypad = self.keypad_used
        changed = getattr(screen, "keys_changed", None)
        if callable(changed):
            changed()

    # -- switches --------------------------------------------------------------------------

    def set_language(self, lang: str) -> None:
        """Switch language and re-render in place (typed input survives)."""
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}")
        self.language = lang
        if self.on_language is not None:
            self.on_language(lang)
        self.render()

    def toggle_elder(self) -> None:
        """Elder mode on/off, re-rendered in place."""
        self.elder = not self.elder
        self._look_changed()

    def toggle_high_contrast(self) -> None:
        """High contrast on/off, re-rendered in place."""
        self.high_contrast = not self.high_contrast
        self._look_changed()

    def _look_changed(self) -> None:
        if self.on_look is not None:
            self.on_look(self.elder, self.high_contrast)
        self.render()

    # -- session timeout -----------------------------------------------------------------

    def watch_deadline(
        self,
        remaining: Callable[[], float],
        on_more_time: Callable[[], None],
        warn_before: float = 30.0,
        on_warning: Callable[[float], None] | None = None,
    ) -> None:
        """Warn with a countdown when `remaining()` seconds drop to `warn_before` (≥ 20 s).

        Checked every frame; the warning goes away when the deadline moves out again (the
        resident tapped "more time" and the coordinator extended the session) or passes.
        `on_warning(seconds_left)` is called each time the warning appears (to speak it).
        """
        if warn_before < MIN_WARNING_SECONDS:
            raise ValueError(f"warn at least {MIN_WARNING_SECONDS:.0f} s before the deadline")
        self.stop_watching()
        self.deadline = _Deadline(remaining, on_more_time, warn_before)
        self._on_warning = on_warning
        self._deadline_event = Clock.schedule_interval(self._check_deadline, 0)

    def stop_watching(self) -> None:
        """Stop watching the deadline and take the warning down."""
        if self._deadline_event is not None:
            self._deadline_event.cancel()
            self._deadline_event = None
        self.deadline = None
        self._drop(self.timeout_overlay)
        self.timeout_overlay = None

    def _check_deadline(self, *_: Any) -> None:
        deadline = self.deadline
        if deadline is None:
            return
        left = deadline.remaining()
        if 0 < left <= deadline.warn_before:
            deadline.shown = left
            if self.timeout_overlay is None:
                log.info("inactivity warning shown")
                self._add_timeout_overlay()
                if self._on_warning is not None:
                    self._on_warning(left)
            elif self.timeout_overlay is not None:
                self.timeout_overlay.update(left)
        elif self.timeout_overlay is not None:
            deadline.shown = None
            self._drop(self.timeout_overlay)
            self.timeout_overlay = None

    def _more_time(self) -> None:
        if self.deadline is not None:
            self.deadline.on_more_time()
            self._check_deadline()

    def _add_timeout_overlay(self) -> None:
        assert self.deadline is not None and self.deadline.shown is not None
        self.timeout_overlay = TimeoutOverlay(
            self.look, self.language, self.deadline.shown, self._more_time
        )
        self.add_widget(self.timeout_overlay)

    # -- rendering -----------------------------------------------------------------------

    def render(self) -> None:
        """Rebuild the screen from the view, the language and the look.

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
        lk, lang, view = self.look, self.language, self.view
        self._bg_colour.rgba = lk.theme.rgba("background")
        frame = self._frame = BoxLayout(orientation="vertical")
        self.screen = self._build_screen(view, lk, lang)
        frame.add_widget(self.screen)
        prompt = view.prompt
        can_go_back = bool(prompt and prompt.can_go_back and view.respond)
        can_cancel = bool((prompt and view.respond) or view.kind == "catalogue")
        if self.bar is None or self._bar_for != (lang, lk):
            self.bar = ServiceBar(
                lk, lang, self._bar_action, can_go_back=can_go_back, can_cancel=can_cancel
            )
            self._bar_for = (lang, lk)
        else:
            self.bar.enable(can_go_back=can_go_back, can_cancel=can_cancel)
        frame.add_widget(self.bar)
        self.add_widget(frame)
        if self.notice is not None:
            self.notice_overlay = NoticeOverlay(lk, lang, t(self.notice, lang), self._close_notice)
            self.add_widget(self.notice_overlay)
        else:
            self.notice_overlay = None
        self.timeout_overlay = None
        if self.deadline is not None and self.deadline.shown is not None:
            self._add_timeout_overlay()

    def _build_screen(self, view: _View, lk: Look, lang: str) -> Widget:
        if view.kind == "prompt" and view.prompt is not None:
            ctx = ScreenContext(
                view.prompt, lk, lang, self._respond, view.state, keypad=self.keypad_used
            )
            return SCREENS[view.prompt.kind](ctx)
        if view.kind == "attract" and view.info is not None and view.on_start is not None:
            return AttractScreen(lk, lang, view.info, view.on_start, self.set_language)
        if view.kind == "catalogue" and view.on_choose is not None:
            view.state["rerender"] = self.render
            return CatalogueScreen(
                lk, lang, view.categories, view.services, view.on_choose, view.state
            )
        return BoxLayout()

    def _respond(self, result: Answer | Event) -> None:
        respond = self.view.respond
        if respond is None:
            log.debug("tap with no question pending ignored")
            return
        self.view.respond = None
        log.info("answered %s/%s by touch", *(self._where()))
        respond(result)
        if self.bar is not None:
            self.bar.buttons["back"].disabled = True
            self.bar.buttons["cancel"].disabled = True

    def _where(self) -> tuple[str, str]:
        prompt = self.view.prompt
        return (prompt.flow, prompt.step) if prompt else ("-", "-")

    def _bar_action(self, name: str) -> None:
        if name == "back":
            self._respond(Event.BACK)
        elif name == "cancel":
            if self.view.kind == "catalogue" and self.view.on_cancel is not None:
                self.view.on_cancel()
            else:
                self._respond(Event.CANCEL)
        elif name == "language":
            current = LANGUAGES.index(self.language) if self.language in LANGUAGES else 0
            self.set_language(LANGUAGES[(current + 1) % len(LANGUAGES)])
        elif name == "elder":
            self.toggle_elder()
        elif name == "contrast":
            self.toggle_high_contrast()
        elif name == "help":
            if self.view.respond is not None:
                self._respond(Event.HELP)
            else:
                self._show_notice("ui.notice.help")
        elif name == "call_staff":
            log.info("resident called staff")
            if self.on_call_staff is not None:
                self.on_call_staff()
            self._show_notice("ui.notice.staff_called")

    def _show_notice(self, key: str) -> None:
        self.notice = key
        self.render()

    def _close_notice(self) -> None:
        self.notice = None
        self._drop(self.notice_overlay)
        self.notice_overlay = None

    def _drop(self, widget: Widget | None) -> None:
        if widget is not None and widget.parent is self:
            self.remove_widget(widget)

    def _paint(self, *_: Any) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size

    def on_touch_down(self, touch: Any) -> bool:
        """Any touch is activity: it extends the session."""
        if self.on_activity is not None:
            self.on_activity()
        return bool(super().on_touch_down(touch))
