"""The attract screen: terminal name, date and time, a big start button, voice guidance, and
the language chosen once (the bar below does not offer it again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.session.renderers import SessionInputs
from kiosk.session.state import AttractInfo
from kiosk.ui.clock_text import format_now
from kiosk.ui.theme import Look
from kiosk.ui.theme.icons import icon_markup
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.label import KioskLabel


class AttractScreen(BoxLayout):  # type: ignore[misc]
    """Shown between sessions; the clock ticks once a second while it is on screen."""

    def __init__(
        self,
        look: Look,
        lang: str,
        info: AttractInfo,
        inputs: SessionInputs,
        now: Callable[[], dt.datetime] = dt.datetime.now,
        **kwargs: Any,
    ) -> None:
        scale = look.scale
        # elder mode's larger text leaves less room: the emblem kept whole on a 4:3 panel
        roomy = 1.0 if look.elder else 2.0
        super().__init__(
            orientation="vertical",
            padding=dp(scale.padding * roomy),
            spacing=dp(scale.spacing * roomy),
            **kwargs,
        )
        self.lang, self._now = lang, now
        self.add_widget(BoxLayout())
        emblem = icon_markup("bank", scale.sign * (0.6 if look.elder else 0.8))
        if emblem:
            self.add_widget(KioskLabel(look, emblem, halign="center", role="icon"))
        self.add_widget(
            KioskLabel(look, f"[b]{_name(info, lang)}[/b]", size="display", halign="center")
        )
        self.clock_label = KioskLabel(look, "", size="action", halign="center", role="muted")
        self.add_widget(self.clock_label)
        start = KioskButton(
            look,
            t("ui.attract.start", lang),
            partial(inputs.start, "touch"),
            role="primary",
            kiosk_id="attract.start",
            font_size=scale.title * 1.3,
            icon="start",
            icon_size=scale.title * 1.3,
            size_hint=(0.7, None),
            height=dp(scale.action_height * (1.5 if look.elder else 2)),
            pos_hint={"center_x": 0.5},
        )
        self.add_widget(start)
        languages = BoxLayout(
            orientation="horizontal",
            spacing=dp(scale.spacing * 2),
            size_hint=(0.7, None),
            height=dp(scale.action_height),
            pos_hint={"center_x": 0.5},
        )
        for code in info.languages:
            languages.add_widget(
                KioskButton(
                    look,
                    t(f"ui.language_name.{code}", lang),
                    partial(inputs.set_language, code),
                    role="primary" if code == lang else "secondary",
                    kiosk_id=f"attract.lang.{code}",
                )
            )
        self.add_widget(languages)
        if info.voice_key_hint:
            self.add_widget(KioskLabel(look, t("ui.attract.voice_hint", lang), halign="center"))
        self.add_widget(BoxLayout())
        self._tick()
        self._event = Clock.schedule_interval(self._tick, 1.0)

    def stop_ticking(self) -> None:
        """Stop the clock callback (the shell calls this when the screen is replaced)."""
        self._event.cancel()

    def _tick(self, *_: Any) -> None:
        self.clock_label.text = format_now(self._now(), self.lang)


def _name(info: AttractInfo, lang: str) -> str:
    names = info.terminal_name
    return names.get(lang) or next(iter(names.values()), "")
