"""`kiosk flows tour`: both example flows toured in the real UI, headless, in every look.

Each tour runs in its own process (as a reviewer would run it): Kivy creates one window per
process, and the UI tests of this process own theirs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from kiosk.cli import main
from kiosk.flow.loader import DEFAULT_FLOWS_DIR

FLOWS = DEFAULT_FLOWS_DIR
PERSONAL = re.compile(r"\d{17}[\dXx]|1\d{10}")
EXAMPLES = {
    "si-certificate": FLOWS / "si-certificate.answers.yaml",
    "resident-feedback": FLOWS / "resident-feedback.answers.yaml",
}
LOOKS = {"zh_CN": ["--lang", "zh_CN"], "en": ["--lang", "en"], "elder": ["--elder"]}


def tour(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["KIVY_HOME"] = str(tmp_path / "kivy-home")
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "flows", "tour", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def visited_steps(capsys: pytest.CaptureFixture[str], flow: str, *args: str) -> list[str]:
    """The steps `kiosk flows run` prompts for, in order (the tour must show the same ones)."""
    main(["flows", "run", flow, "--answers", str(EXAMPLES[flow]), "--json", *args])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [line["step"] for line in lines if "step" in line and "kind" in line]


@pytest.mark.parametrize("look", list(LOOKS))
@pytest.mark.parametrize("flow", list(EXAMPLES))
def test_the_example_flows_are_toured_screen_by_screen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flow: str, look: str
) -> None:
    out = tmp_path / "tour"
    done = tour(tmp_path, flow, "--answers", str(EXAMPLES[flow]), "--out", str(out), *LOOKS[look])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "outcome: finished at done" in done.stdout
    data = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    screens = data["screens"]
    lang = "en" if look == "en" else "zh_CN"
    assert data["elder"] is (look == "elder") and {s["language"] for s in screens} == {lang}
    assert [s["step"] for s in screens] == visited_steps(capsys, flow, "--lang", lang)
    for number, screen in enumerate(screens, start=1):
        picture = out / screen["screenshot"]
        assert picture.name.startswith(f"{number:02d}-{screen['step']}")
        image = Image.open(picture).convert("L")
        assert image.size == (1280, 1024)
        assert ImageStat.Stat(image).stddev[0] > 8, f"{picture.name} is (nearly) blank"
        if screen["waits"]:
            assert screen["how"], f"{screen['step']}: how it was answered is not recorded"
    assert sorted(p.name for p in out.glob("*.png")) == [s["screenshot"] for s in screens]
    markdown = (out / "transcript.md").read_text(encoding="utf-8")
    for text in (markdown, json.dumps(data, ensure_ascii=False)):
        assert not PERSONAL.search(text), "a full ID or phone number is in the transcript"
    for screen in screens:
        assert f"`{flow}/{screen['step']}`" in markdown
    if flow == "resident-feedback":
        phone = next(s for s in screens if s["step"] == "phone")
        assert phone["answer"] == "138****8000" and phone["how"].startswith("keys+touch")
    else:
        review = next(s for s in screens if s["step"] == "review")
        assert any("110***********2317" in row for row in review["rows"])


def test_a_cancelled_tour_exits_1_with_what_was_shown(tmp_path: Path) -> None:
    answers = tmp_path / "cancel.answers.yaml"
    answers.write_text("answers:\n  topic: {event: cancel}\n", encoding="utf-8")
    out = tmp_path / "tour"
    done = tour(tmp_path, "resident-feedback", "--answers", str(answers), "--out", str(out))
    assert done.returncode == 1, done.stderr
    data = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    assert data["outcome"]["status"] == "cancelled"
    assert data["screens"][0]["how"] == "touch: bar.cancel"


def test_usage_errors_are_one_line_with_exit_status_2(tmp_path: Path) -> None:
    answers = tmp_path / "empty.answers.yaml"
    answers.write_text("answers: {}\n", encoding="utf-8")
    out = tmp_path / "tour"
    done = tour(tmp_path, "si-certificate", "--answers", str(answers), "--out", str(out))
    assert done.returncode == 2
    err = done.stderr.strip()
    assert err.startswith("kiosk: ") and "no answer for step 'consent'" in err
    assert "\n" not in err and "Traceback" not in err
    assert (out / "01-consent.png").exists()  # what was shown before the problem is kept
    done = tour(tmp_path, "no-such-flow", "--answers", str(answers), "--out", str(out))
    assert done.returncode == 2 and "no flow 'no-such-flow'" in done.stderr


LOCKER = [("parcel-deposit", "zh_CN"), ("parcel-pickup", "en"), ("parcel-retrieval", "en")]
"""One look each (a tour takes ~10 s); `kiosk flows tour` makes the other language's alike."""


@pytest.mark.parametrize(("flow", "lang"), LOCKER)
def test_the_locker_flows_are_toured_on_a_simulated_locker(
    tmp_path: Path, flow: str, lang: str
) -> None:
    out = tmp_path / "tour"
    answers = str(FLOWS / f"{flow}.answers.yaml")
    done = tour(tmp_path, flow, "--answers", answers, "--out", str(out), "--lang", lang)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    screens = data["screens"]
    assert {s["language"] for s in screens} == {lang}
    for screen in screens:
        image = Image.open(out / screen["screenshot"]).convert("L")
        assert ImageStat.Stat(image).stddev[0] > 8, f"{screen['screenshot']} is (nearly) blank"
    markdown = (out / "transcript.md").read_text(encoding="utf-8")
    assert not PERSONAL.search(markdown), "a full phone number is in the transcript"
    doors = " ".join(
        json.dumps(s, ensure_ascii=False) for s in screens if s["kind"] == "device_wait"
    )
    assert ("从下往上" if lang == "zh_CN" else "row from the bottom") in doors
