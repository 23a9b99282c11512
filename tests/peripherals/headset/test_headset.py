"""Plugging in a headset is seen as an event; jack readings are parsed from ALSA."""

from __future__ import annotations

import pytest

from peripherals import registry
from peripherals.errors import DeviceFault, DeviceUnavailable
from peripherals.events import EventType, QueueDispatcher
from peripherals.headset.alsa_jack import parse_jack
from peripherals.headset.simulator import SimulatedHeadset


def test_plug_and_unplug_post_events_once_per_change() -> None:
    events = QueueDispatcher()
    with registry.create("headset", "simulated", dispatcher=events) as headset:
        assert isinstance(headset, SimulatedHeadset)
        headset.plug()
        headset.plug()
        headset.unplug()
        assert not headset.plugged()
    seen = [events.get(timeout=1) for _ in range(2)]
    assert [(e.type, e.data["plugged"]) for e in seen] == [
        (EventType.HEADSET, True),
        (EventType.HEADSET, False),
    ]
    assert events.queue.empty()


def test_parse_alsa_jack_control() -> None:
    on = (
        "numid=18,iface=CARD,name='Headphone Jack'\n"
        "  ; type=BOOLEAN,access=r-------,values=1\n"
        "  : values=on\n"
    )
    assert parse_jack(on) is True
    assert parse_jack(on.replace("values=on", "values=off")) is False
    with pytest.raises(DeviceFault):
        parse_jack("amixer: Cannot find the given element")


def test_alsa_driver_without_a_card_says_so() -> None:
    with pytest.raises(DeviceUnavailable):
        registry.create("headset", "headset-alsa", {"card": "97"}).open()
