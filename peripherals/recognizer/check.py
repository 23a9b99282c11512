"""`kiosk devices test recognizer`: recognise a file or the microphone against given phrases."""

from __future__ import annotations

from pathlib import Path

from peripherals.recognizer.base import Recognizer

PERSONAL_FIELDS: frozenset[str] = frozenset()


def run_check(device: Recognizer, params: dict[str, str]) -> dict[str, object]:
    """Listen once (`wav` file or microphone) and report what was heard and which phrase it is."""
    phrases = [p.strip() for p in params.get("phrases", "").split(",") if p.strip()]
    wav = params.get("wav")
    if wav:
        recognition = device.recognize_wav(Path(wav), phrases or None)
    else:
        recognition = device.listen(phrases, float(params.get("timeout", "10")))
    return {"text": recognition.text, "phrase": recognition.phrase, "phrases": phrases}
