"""Voice mode: started by the VOICE key or a headset plug, reset with the session."""

from __future__ import annotations

import asyncio

from voice_rig import RigFactory

from kiosk.voice.mode import KeyEvents
from peripherals.events import DeviceEvent, EventType
from peripherals.keypad.keys import Key
from peripherals.speaker.base import Route


async def until(condition: object) -> None:
    for _ in range(1000):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


async def test_the_voice_key_starts_voice_mode_on_the_loudspeaker(make_rig: RigFactory) -> None:
    rig = make_rig()
    assert not rig.mode.active
    rig.press(Key.VOICE)
    assert await asyncio.wait_for(rig.keys.get(), 5) is Key.VOICE  # and reaches the renderer
    assert rig.mode.active and rig.speaker.route is Route.LOUDSPEAKER


async def test_plugging_the_headset_starts_voice_mode_privately_and_end_resets_it(
    make_rig: RigFactory,
) -> None:
    rig = make_rig()
    rig.headset.plug()
    await until(lambda: rig.mode.active)
    assert rig.speaker.route is Route.HEADSET and rig.mode.private()
    rig.speaker.change_volume(-0.5)
    rig.mode.end()
    assert not rig.mode.active
    assert (rig.speaker.route, rig.speaker.volume) == (Route.LOUDSPEAKER, 1.0)


async def test_unknown_keys_are_ignored_not_fatal() -> None:
    keys = KeyEvents()
    keys.handle(DeviceEvent(EventType.KEY_PRESSED, "keypad", {"key": "F13"}))
    keys.handle(DeviceEvent(EventType.KEY_PRESSED, "keypad", {"key": "5"}))
    assert await asyncio.wait_for(keys.get(), 1) is Key.DIGIT_5
