"""Mandarin is spoken as Mandarin: espeak-ng's phonemes for everything the kiosk says in zh_CN.

`espeak-ng -x` prints the phonemes it would speak, without audio; a switch to English phonemes
shows as `(en)`. The `cmn` voice reads every Chinese character as English-spelled pinyin
("(en)kI55NTr'i:55…" for 请选择), which no listener understands; the kiosk's voice must not.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from kiosk.cli import main
from kiosk.flow.loader import DEFAULT_FLOWS_DIR
from kiosk.i18n import LOCALES_DIR
from peripherals.speaker.tts_pyttsx3 import DEFAULT_VOICES

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng missing: scripts/setup.sh installs it"
)


def phonemes(text: str, voice: str) -> str:
    done = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", voice, text],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


def spoken_in_zh(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Everything said while running each shipped flow in zh_CN, then the voice texts."""
    texts: list[str] = []
    for answers in sorted(DEFAULT_FLOWS_DIR.glob("*.answers.yaml")):
        flow = answers.name.removesuffix(".answers.yaml")
        main(
            [
                "flows",
                "run",
                str(DEFAULT_FLOWS_DIR / f"{flow}.yaml"),
                "--answers",
                str(answers),
                "--lang",
                "zh_CN",
                "--json",
            ]
        )
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        texts += [line["say"] for line in lines if line.get("say")]
    voice = yaml.safe_load((LOCALES_DIR / "zh_CN" / "voice.yaml").read_text(encoding="utf-8"))
    # placeholders as the kiosk fills them: a number, a label
    texts += [re.sub(r"\{\w+\}", "1", text) for text in _strings(voice)]
    return texts


def _strings(data: object) -> list[str]:
    if isinstance(data, dict):
        return [s for value in data.values() for s in _strings(value)]
    return [str(data)] if data is not None else []


def test_the_kiosks_mandarin_voice_never_switches_to_english(
    capsys: pytest.CaptureFixture[str],
) -> None:
    texts = spoken_in_zh(capsys)
    assert len(texts) > 20
    voice = DEFAULT_VOICES["zh_CN"]
    # all of it in one espeak-ng run, a paragraph each (~170 runs cost ~3 s); text by text only
    # to name the ones that switch
    if "(en)" not in phonemes("\n\n".join(texts), voice):
        return
    english = [t for t in texts if "(en)" in phonemes(t, voice)]
    assert english == []


def test_the_check_tells_the_voices_apart() -> None:
    """What the test above looks for: the "latin as English" voice does switch, ours does not."""
    assert "(en)" in phonemes("请选择办理的业务", "sit/cmn")
    assert "(en)" not in phonemes("请选择办理的业务", DEFAULT_VOICES["zh_CN"])
