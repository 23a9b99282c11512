"""`kiosk devices test speaker`: speak (or write) a test phrase in each language."""

from __future__ import annotations

from pathlib import Path

from peripherals.errors import DeviceTimeout, DeviceUnavailable
from peripherals.speaker.base import Speaker

PERSONAL_FIELDS: frozenset[str] = frozenset()
PHRASES = {"zh_CN": "您好，这是语音播报测试。", "en": "Hello, this is a speech test."}


def run_check(device: Speaker, params: dict[str, str]) -> dict[str, object]:
    """Speak the test phrase in each language, or write WAVs when `out` names a file."""
    out = params.get("out")
    result: dict[str, object] = {}
    if out:
        target = Path(out)
        for language, text in PHRASES.items():
            path = target if language == "zh_CN" else target.with_suffix(f".{language}.wav")
            audio = device.synthesize(text, language)
            path.write_bytes(audio)
            result[language] = {"file": str(path), "bytes": len(audio)}
        return result
    for language, text in PHRASES.items():
        device.speak(text, language)
        result[language] = text
    if not device.wait_idle(float(params.get("timeout", "30"))):
        raise DeviceTimeout("speech did not finish in time", code="speaker.timeout")
    health = device.health()
    if not health.usable:
        raise DeviceUnavailable(health.detail, code=health.code)
    return result
