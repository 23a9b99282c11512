"""Map evdev key names to keypad keys (pure: no evdev needed)."""

from __future__ import annotations

from collections.abc import Mapping

from peripherals.keypad.keys import Key

KEY_PRESS = 1
"""evdev value of a key press (0 is release, 2 auto-repeat)."""

DEFAULT_KEYMAP: dict[str, str] = {
    **{f"KEY_KP{d}": f"DIGIT_{d}" for d in range(10)},
    **{f"KEY_{d}": f"DIGIT_{d}" for d in range(10)},
    "KEY_KPENTER": "ENTER",
    "KEY_ENTER": "ENTER",
    "KEY_BACKSPACE": "CLEAR",
    "KEY_DELETE": "CLEAR",
    "KEY_ESC": "CANCEL",
    "KEY_KPPLUS": "PLUS",
    "KEY_KPMINUS": "MINUS",
    "KEY_KPASTERISK": "REPEAT",
    "KEY_KPSLASH": "HELP",
    "KEY_NUMLOCK": "VOICE",
    "KEY_KPDOT": "STAR",
    "KEY_KPEQUAL": "HASH",
    "KEY_KPCOMMA": "HASH",
    "KEY_F1": "LANGUAGE",
    "KEY_F2": "ELDER",
    "KEY_F3": "CONTRAST",
    "KEY_F4": "STAFF",
    "KEY_F12": "SERVICE",
}
"""A plain USB numeric keypad. It has no `*`/`#` legends: its `.` types STAR and a keypad `=`
or `,` (on keypads that have one) types HASH; F1–F4, where a keyboard gives them, are the
bar's language, large text, contrast and staff keys, and F12 the maintainers' SERVICE key
(wire it to a key inside the cabinet, or give it another with `keymap`). Set `keymap` for
keypads that differ (an accessibility keypad with dedicated keys maps them to LANGUAGE, ELDER,
CONTRAST, STAFF)."""


def parse_keymap(mapping: Mapping[str, str] | None) -> dict[str, Key]:
    """Validate a configured keymap (evdev name -> Key name or value); None gives the default.

    A configured map replaces the default entirely, so what is listed is all that works.
    """
    source = DEFAULT_KEYMAP if mapping is None else mapping
    if not source:
        raise ValueError("keymap is empty")
    result: dict[str, Key] = {}
    for name, key in source.items():
        evdev_name = name.strip().upper()
        if not evdev_name.startswith(("KEY_", "BTN_")):
            raise ValueError(f"keymap entry {name!r} is not an evdev key name like KEY_KP5")
        result[evdev_name] = Key.parse(key)
    return result


class KeyMapper:
    """Turns `(evdev name, value)` events into keys: presses only, unmapped keys ignored."""

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        self.keymap = parse_keymap(keymap)
        self.ignored = 0
        """Presses of keys the map does not know."""

    def feed(self, name: str, value: int) -> Key | None:
        """The key pressed, or None for releases, auto-repeat and unmapped keys."""
        if value != KEY_PRESS:
            return None
        key = self.keymap.get(name)
        if key is None:
            self.ignored += 1
        return key

    def name_for(self, key: Key) -> str:
        """An evdev name that types `key` (the simulator presses it)."""
        for name, mapped in self.keymap.items():
            if mapped is key:
                return name
        raise ValueError(f"no key in the keymap types {key.name}")
