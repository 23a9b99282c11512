"""The `--simulate` panel: try every flow on a laptop by acting for the simulated devices.

A small "SIM" button in the top-left corner opens a strip of actions: present the demo ID card,
insert the demo social security card, scan a code, pull out the receipt paper (printer fault
`paper_out`), plug the headset, and press keypad keys. The same actions have hotkeys (below);
the panel exists only when the kiosk runs on simulated devices. All cards and codes are
invented (the simulators' demo data).

Hotkeys: F1 ID card, F2 social security card, F3 scan a code, F4 paper out/in, F5 headset
in/out, F12 show/hide the panel; digits, `*`, `#`, Enter, Backspace (CLEAR), Delete (CANCEL),
`v` (VOICE), `r` (REPEAT), `h` (HELP), `+`/`-` (volume), `l` (LANGUAGE), `e` (ELDER), `c`
(CONTRAST), `s` (STAFF) press the keypad's keys.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label

from kiosk.i18n import t
from kiosk.simulated_devices import SimulatedDevices
from peripherals.keypad.keys import Key

log = logging.getLogger(__name__)

HOTKEYS: dict[int, str] = {
    282: "id_card",
    283: "smart_card",
    284: "scan",
    285: "paper",
    286: "headset",
}
"""Kivy keycodes of F1–F5 → panel actions."""
TOGGLE_KEY = 293
"""F12 shows or hides the panel."""
KEY_CODES: dict[int, Key] = {13: Key.ENTER, 271: Key.ENTER, 8: Key.CLEAR, 127: Key.CANCEL}
"""Keycodes (Enter, keypad Enter, Backspace, Delete) → keypad keys."""
KEY_CHARS: dict[str, Key] = {
    **{str(d): Key(str(d)) for d in range(10)},
    "*": Key.STAR,
    "#": Key.HASH,
    "v": Key.VOICE,
    "r": Key.REPEAT,
    "h": Key.HELP,
    "+": Key.PLUS,
    "-": Key.MINUS,
    "l": Key.LANGUAGE,
    "e": Key.ELDER,
    "c": Key.CONTRAST,
    "s": Key.STAFF,
    "m": Key.SERVICE,
}
"""Typed characters → keypad keys."""
PANEL_KEYS: tuple[Key, ...] = (
    *(Key(str(d)) for d in (1, 2, 3, 4, 5, 6, 7, 8, 9)),
    Key.STAR,
    Key.DIGIT_0,
    Key.HASH,
    Key.ENTER,
    Key.CLEAR,
    Key.CANCEL,
    Key.VOICE,
    Key.REPEAT,
    Key.HELP,
    Key.LANGUAGE,
    Key.ELDER,
    Key.CONTRAST,
    Key.STAFF,
    Key.SERVICE,
)


class SimulatePanel(BoxLayout):  # type: ignore[misc]
    """A collapsible developer panel pinned to the top-left corner of the window."""

    def __init__(self, devices: SimulatedDevices, lang: str = "zh_CN", **kwargs: Any) -> None:
        super().__init__(
            orientation="vertical",
            size_hint=(None, None),
            spacing=dp(4),
            padding=dp(4),
            **kwargs,
        )
        self.devices = devices
        self.lang = lang
        self.open = False
        self.status = Label(text="", size_hint_y=None, height=dp(28), font_size=dp(14))
        self.toggle = Button(
            text="SIM", size_hint=(None, None), size=(dp(64), dp(44)), font_size=dp(16)
        )
        self.toggle.bind(on_release=lambda *_: self.set_open(not self.open))
        self.body = self._build_body()
        self._layout()

    def _button(self, text: str, on_press: Callable[[], Any], width: float = 150) -> Button:
        button = Button(text=text, size_hint=(None, None), size=(dp(width), dp(44)))
        button.font_size = dp(15)
        button.bind(on_release=lambda *_: on_press())
        return button

    def _build_body(self) -> BoxLayout:
        body = BoxLayout(orientation="vertical", spacing=dp(4), size_hint=(None, None))
        actions = GridLayout(cols=5, spacing=dp(4), size_hint=(None, None))
        for action in self.devices.actions:
            actions.add_widget(
                self._button(t(f"ui.simulate.{action}", self.lang), partial(self.act, action))
            )
        keys = GridLayout(cols=9, spacing=dp(4), size_hint=(None, None))
        for key in PANEL_KEYS:
            keys.add_widget(self._button(_key_label(key), partial(self.press, key), width=72))
        for grid in (actions, keys):
            grid.bind(minimum_size=grid.setter("size"))
            body.add_widget(grid)
        body.add_widget(self.status)
        body.bind(minimum_size=body.setter("size"))
        return body

    def _layout(self) -> None:
        self.clear_widgets()
        self.add_widget(self.toggle)
        if self.open:
            self.add_widget(self.body)
            self.size = (
                max(self.body.width, self.toggle.width) + dp(8),
                self.toggle.height + self.body.height + dp(12),
            )
        else:
            self.size = (self.toggle.width + dp(8), self.toggle.height + dp(8))
        if self.parent is not None:
            self.top = self.parent.height
            self.x = 0

    def set_open(self, open_: bool) -> None:
        """Show or hide the actions."""
        self.open = open_
        self._layout()

    def act(self, action: str) -> None:
        """Run a device action and show its status."""
        self.status.text = self.devices.run(action)
        log.info("simulate: %s", self.status.text)

    def press(self, key: Key) -> None:
        """Press a simulated keypad key."""
        self.status.text = self.devices.press(key)

    def on_key_down(
        self, _window: Any, key: int, _scancode: int, codepoint: str | None, modifiers: list[str]
    ) -> bool:
        """Hotkeys (bound to the window's `on_key_down`); True when the key was used."""
        if key == TOGGLE_KEY:
            self.set_open(not self.open)
            return True
        if key in HOTKEYS:
            self.act(HOTKEYS[key])
            return True
        pressed = KEY_CODES.get(key) or (KEY_CHARS.get(codepoint) if codepoint else None)
        if pressed is not None and "ctrl" not in modifiers:
            self.press(pressed)
            return True
        return False

    def attach(self, window: Any) -> None:
        """Pin the panel to the window's top-left corner and listen for hotkeys."""
        window.add_widget(self)
        window.bind(on_key_down=self.on_key_down, size=self._resized)
        self._layout()

    def _resized(self, *_: Any) -> None:
        self._layout()

    def detach(self, window: Any) -> None:
        """Remove the panel and its hotkeys."""
        window.unbind(on_key_down=self.on_key_down, size=self._resized)
        if self.parent is not None:
            self.parent.remove_widget(self)


def _key_label(key: Key) -> str:
    names = {Key.ENTER: "ENTER", Key.CLEAR: "CLR", Key.CANCEL: "CANCEL"}
    return names.get(key, key.value.upper() if len(key.value) > 1 else key.value)


__all__ = ["SimulatePanel"]
