"""Short beeps, as WAV bytes: what a secret keypress sounds like instead of its digit."""

from __future__ import annotations

import array
import io
import math
import wave

RATE = 22050
"""Samples per second, the same as espeak-ng's output."""


def beep(frequency: float = 880.0, seconds: float = 0.08, volume: float = 1.0) -> bytes:
    """A sine beep with 5 ms fades (no clicks), as a mono 16-bit WAV file's bytes."""
    count = int(RATE * seconds)
    fade = max(1, int(RATE * 0.005))
    peak = 0.5 * 32767 * max(0.0, min(1.0, volume))
    samples = array.array("h")
    for n in range(count):
        envelope = min(1.0, n / fade, (count - 1 - n) / fade)
        samples.append(int(peak * envelope * math.sin(2 * math.pi * frequency * n / RATE)))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(samples.tobytes())
    return out.getvalue()
