"""Speech output: text-to-speech on a worker, routed to the loudspeaker or the headset."""

from __future__ import annotations

from peripherals.registry import DriverSpec

DRIVERS: dict[str, DriverSpec] = {
    "pyttsx3": DriverSpec(
        "peripherals.speaker.tts_pyttsx3",
        "Pyttsx3Speaker",
        requires=(("pyttsx3", "pip install pyttsx3; apt-get install espeak-ng alsa-utils"),),
        summary="pyttsx3 with espeak-ng (Mandarin and English), played through aplay",
    ),
    "simulated": DriverSpec(
        "peripherals.speaker.simulator",
        "SimulatedSpeaker",
        summary="records what would be spoken, with language and route",
    ),
}
