"""The headset-evdev driver follows the input device's headphone switch, without grabbing it."""

from __future__ import annotations

from typing import Any

from peripherals.events import EventType, QueueDispatcher
from peripherals.headset.evdev_switch import EV_SW, SW_HEADPHONE_INSERT, EvdevSwitchHeadset
from tests.support.evdev_fake import FakeEvent, FakeInput


class FakeSwitchHeadset(EvdevSwitchHeadset):
    fake: FakeInput

    def _open_input(self) -> Any:
        self.fake = FakeInput()
        return self.fake


def test_plugging_and_unplugging_are_events() -> None:
    events = QueueDispatcher()
    headset = FakeSwitchHeadset(dispatcher=events, device="/dev/input/event-fake")
    with headset:
        assert not headset.fake.grabbed  # the sound system may need the same events
        headset.fake.push_events(FakeEvent(EV_SW, SW_HEADPHONE_INSERT, 1))
        plugged = events.get(timeout=2)
        assert (plugged.type, plugged.data) == (EventType.HEADSET, {"plugged": True})
        headset.fake.push_events(
            FakeEvent(EV_SW, 0x04, 1), FakeEvent(EV_SW, SW_HEADPHONE_INSERT, 0)
        )
        unplugged = events.get(timeout=2)
        assert unplugged.data == {"plugged": False}
        assert not headset.plugged()
    assert headset.fake.closed
