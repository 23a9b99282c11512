"""The simulated speaker records what a resident would hear, and resets with the session."""

from __future__ import annotations

from peripherals import registry
from peripherals.speaker.base import DEFAULT_RATE, Route
from peripherals.speaker.simulator import SimulatedSpeaker
from peripherals.status import State


def test_records_language_route_rate_and_volume() -> None:
    speaker = registry.create("speaker", "simulated")
    assert isinstance(speaker, SimulatedSpeaker)
    with speaker:
        speaker.route = Route.HEADSET
        speaker.change_volume(-0.5)
        speaker.speak("你好", "zh_CN")
        speaker.change_rate(+40)
        speaker.speak("Hello", "en")
        assert speaker.wait_idle(5)
    first, second = speaker.simulator.spoken
    assert (first.text, first.language, first.route, first.volume) == (
        "你好",
        "zh_CN",
        Route.HEADSET,
        0.5,
    )
    assert second.rate == DEFAULT_RATE + 40


def test_reset_restores_defaults_for_the_next_resident() -> None:
    with registry.create("speaker", "simulated") as speaker:
        assert isinstance(speaker, SimulatedSpeaker)
        speaker.route = Route.HEADSET
        speaker.change_volume(-0.8)
        speaker.change_rate(-60)
        speaker.reset()
        assert (speaker.route, speaker.volume, speaker.rate) == (
            Route.LOUDSPEAKER,
            1.0,
            DEFAULT_RATE,
        )


def test_rate_and_volume_stay_within_bounds() -> None:
    with registry.create("speaker", "simulated") as speaker:
        assert isinstance(speaker, SimulatedSpeaker)
        assert speaker.change_volume(+5) == 1.0
        assert speaker.change_volume(-5) == 0.0
        assert 80 <= speaker.change_rate(-1000)


def test_fault_switch_shows_in_health() -> None:
    with registry.create("speaker", "simulated") as speaker:
        assert isinstance(speaker, SimulatedSpeaker)
        speaker.simulator.fail("no_audio_device")
        speaker.speak("测试")
        assert speaker.wait_idle(5)
        assert speaker.health().state is State.HARDWARE_ERROR
        speaker.simulator.fail(None)
        speaker.speak("测试")
        assert speaker.wait_idle(5)
        assert speaker.health().usable


def test_stop_before_the_worker_starts_leaves_the_speaker_idle() -> None:
    with registry.create("speaker", "simulated") as speaker:
        assert isinstance(speaker, SimulatedSpeaker)
        for _ in range(50):
            speaker.speak("一句话")
            speaker.stop()
            assert speaker.wait_idle(2)
        assert speaker.wait_idle(2)


def test_tones_are_recorded_without_text() -> None:
    with registry.create("speaker", "simulated") as speaker:
        assert isinstance(speaker, SimulatedSpeaker)
        speaker.tone()
        assert speaker.wait_idle(5)
    (beep,) = speaker.simulator.spoken
    assert beep.tone and beep.text == "" and beep.route is Route.LOUDSPEAKER
