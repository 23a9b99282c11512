"""Key names, the default USB keypad map and configured maps."""

from __future__ import annotations

import pytest

from peripherals.keypad.keymap import DEFAULT_KEYMAP, KeyMapper, parse_keymap
from peripherals.keypad.keys import Key


def test_default_map_covers_every_key() -> None:
    assert set(parse_keymap(None).values()) == set(Key)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("KEY_KP0", Key.DIGIT_0),
        ("KEY_KP9", Key.DIGIT_9),
        ("KEY_KPENTER", Key.ENTER),
        ("KEY_BACKSPACE", Key.CLEAR),
        ("KEY_ESC", Key.CANCEL),
        ("KEY_KPPLUS", Key.PLUS),
        ("KEY_KPMINUS", Key.MINUS),
        ("KEY_KPASTERISK", Key.REPEAT),
        ("KEY_KPSLASH", Key.HELP),
        ("KEY_NUMLOCK", Key.VOICE),
    ],
)
def test_default_usb_numeric_keypad(name: str, key: Key) -> None:
    assert KeyMapper().feed(name, 1) is key


def test_only_presses_count() -> None:
    mapper = KeyMapper()
    assert mapper.feed("KEY_KP5", 0) is None
    assert mapper.feed("KEY_KP5", 2) is None
    assert mapper.feed("KEY_F7", 1) is None
    assert mapper.ignored == 1


def test_configured_map_replaces_the_default_and_accepts_names_or_values() -> None:
    mapper = KeyMapper({"key_f1": "help", "KEY_F2": "REPEAT", "KEY_3": "#", "KEY_8": "STAR"})
    assert mapper.feed("KEY_F1", 1) is Key.HELP
    assert mapper.feed("KEY_F2", 1) is Key.REPEAT
    assert mapper.feed("KEY_3", 1) is Key.HASH
    assert mapper.feed("KEY_8", 1) is Key.STAR
    assert mapper.feed("KEY_KP1", 1) is None
    assert mapper.name_for(Key.HASH) == "KEY_3"
    with pytest.raises(ValueError):
        mapper.name_for(Key.DIGIT_1)


@pytest.mark.parametrize("bad", [{"KEY_KP1": "DIGIT_11"}, {"kp1": "DIGIT_1"}, {}])
def test_bad_maps_are_refused(bad: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        parse_keymap(bad)


def test_key_values_are_what_events_carry() -> None:
    assert [k.value for k in (Key.DIGIT_0, Key.STAR, Key.HASH, Key.ENTER)] == [
        "0",
        "*",
        "#",
        "enter",
    ]
    assert Key.parse("digit_7") is Key.DIGIT_7 and Key.parse("7") is Key.DIGIT_7
    assert "KEY_KPDOT" in DEFAULT_KEYMAP
