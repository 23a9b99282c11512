"""The headset jack: plugging a headset in starts private voice mode."""

from __future__ import annotations

from peripherals.registry import DriverSpec

DRIVERS: dict[str, DriverSpec] = {
    "headset-alsa": DriverSpec(
        "peripherals.headset.alsa_jack",
        "AlsaJackHeadset",
        summary="polls an ALSA jack control (amixer cget) such as 'Headphone Jack'",
    ),
    "headset-evdev": DriverSpec(
        "peripherals.headset.evdev_switch",
        "EvdevSwitchHeadset",
        requires=(("evdev", "pip install evdev"),),
        summary="an input device's SW_HEADPHONE_INSERT switch, read with evdev",
    ),
    "simulated": DriverSpec(
        "peripherals.headset.simulator",
        "SimulatedHeadset",
        summary="plug() and unplug() by hand",
    ),
}
