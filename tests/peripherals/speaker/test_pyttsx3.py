"""The pyttsx3 speaker against the real espeak-ng: audio written, routed, interrupted."""

from __future__ import annotations

import io
import os
import stat
import wave
from pathlib import Path

import pytest

from peripherals import registry
from peripherals.speaker.base import Route
from peripherals.status import State

pytestmark = pytest.mark.skipif(
    registry.missing_requirements(registry.drivers("speaker")["pyttsx3"]) != [],
    reason="pyttsx3 not installed",
)


def _seconds(audio: bytes) -> float:
    with wave.open(io.BytesIO(audio)) as wav:
        return wav.getnframes() / wav.getframerate()


def test_synthesises_mandarin_and_english_audio(capfd: pytest.CaptureFixture[str]) -> None:
    with registry.create("speaker", "pyttsx3", {"record_dir": None}) as speaker:
        chinese = speaker.synthesize("请插入您的身份证", "zh_CN")
        english = speaker.synthesize("Please insert your ID card", "en")
    assert _seconds(chinese) > 0.8 and _seconds(english) > 0.8
    assert chinese != english
    # pyttsx3's own "Audio saved to" print must not reach stdout (it would corrupt --json).
    assert "Audio saved" not in capfd.readouterr().out


def test_slower_rate_makes_longer_speech() -> None:
    with registry.create("speaker", "pyttsx3", {"rate": 120}) as speaker:
        slow = speaker.synthesize("社会保险参保证明打印", "zh_CN")
        speaker.change_rate(+150)
        fast = speaker.synthesize("社会保险参保证明打印", "zh_CN")
    assert _seconds(slow) > _seconds(fast) * 1.3


def test_queued_speech_is_recorded_per_route(tmp_path: Path) -> None:
    with registry.create("speaker", "pyttsx3", {"record_dir": str(tmp_path)}) as speaker:
        speaker.speak("按1，打印参保证明", "zh_CN")
        speaker.speak("Press 2 for payments", "en", route=Route.HEADSET)
        assert speaker.wait_idle(20)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["0001-loudspeaker-zh_CN.wav", "0002-headset-en.wav"]


def test_plays_through_aplay_on_the_configured_device() -> None:
    with registry.create("speaker", "pyttsx3", {"loudspeaker": "null"}) as speaker:
        speaker.speak("测试", "zh_CN")
        assert speaker.wait_idle(20)
        assert speaker.health().state is State.ONLINE


def test_a_missing_audio_device_is_reported_as_health() -> None:
    with registry.create("speaker", "pyttsx3", {"loudspeaker": "hw:97"}) as speaker:
        speaker.speak("测试", "zh_CN")
        assert speaker.wait_idle(20)
        health = speaker.health()
    assert health.state is State.HARDWARE_ERROR
    assert health.code == "speaker.no_audio_device"


def test_stop_cuts_off_playback_and_drops_the_queue(tmp_path: Path) -> None:
    # A player that would play for a minute stands in for a long announcement.
    player = tmp_path / "slow-player"
    player.write_text("#!/bin/sh\nexec sleep 60\n")
    player.chmod(player.stat().st_mode | stat.S_IEXEC)
    with registry.create("speaker", "pyttsx3", {"player": str(player)}) as speaker:
        speaker.speak("第一句很长的话", "zh_CN")
        speaker.speak("第二句不该播放", "zh_CN")
        assert not speaker.wait_idle(0.5)
        speaker.stop()
        assert speaker.wait_idle(5)
    assert os.path.exists(player)


def test_a_tone_is_a_short_beep_not_speech(tmp_path: Path) -> None:
    with registry.create("speaker", "pyttsx3", {"record_dir": str(tmp_path)}) as speaker:
        speaker.tone(route=Route.HEADSET)
        assert speaker.wait_idle(10)
    (beep,) = tmp_path.iterdir()
    assert beep.name == "0001-headset-tone.wav"
    assert 0.05 < _seconds(beep.read_bytes()) < 0.2
