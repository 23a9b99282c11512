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
from dataclasses import dataclass
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
LOOKS = {
    "zh_CN": ("--lang", "zh_CN"),
    "en": ("--lang", "en", "--size", "1080x1920"),
    "elder": ("--elder", "--lang", "zh_CN"),
}
"""English on the portrait panel, as every service's English tour (see `PANELS`: the content
column is as wide as the landscape one's): these are those tours, not two more; the landscape
panel shows English in elder mode (`ELDER_TOURS`)."""
SIZES = {"en": (1080, 1920)}


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


@dataclass(frozen=True)
class Toured:
    """One finished tour: where it wrote, how the process ended and what it printed."""

    out: Path
    returncode: int
    stdout: str
    stderr: str


class Tours:
    """Tours run once per flow, answers and look, and shared by the tests that examine them;
    those not yet run go two at a time (one per core)."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._done: dict[tuple[str, ...], Toured] = {}

    def run(self, wanted: list[tuple[str, Path, tuple[str, ...]]]) -> list[Toured]:
        """The tours of (flow, answers, look arguments), running those not yet run."""
        keys = [(flow, str(answers), *look) for flow, answers, look in wanted]
        running: list[tuple[tuple[str, ...], Path, subprocess.Popen[str]]] = []
        for key in dict.fromkeys(k for k in keys if k not in self._done):
            out = self._root / f"tour-{len(self._done) + len(running):03d}"
            flow, answers, *look = key
            command = [sys.executable, "-m", "kiosk", "flows", "tour", flow, "--answers",
                       answers, "--out", str(out), *look]  # fmt: skip
            env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
            # a home of its own: two Kivy starts racing to create one home fail (FileExistsError)
            env["KIVY_HOME"] = str(out.with_name(out.name + "-kivy-home"))
            running.append((key, out, subprocess.Popen(command, env=env, text=True, **_PIPES)))
            if len(running) == 2:
                self._finish(*running.pop(0))
        for key, out, process in running:
            self._finish(key, out, process)
        return [self._done[key] for key in keys]

    def _finish(self, key: tuple[str, ...], out: Path, process: subprocess.Popen[str]) -> None:
        stdout, stderr = process.communicate(timeout=180)
        self._done[key] = Toured(out, process.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def tours(tmp_path_factory: pytest.TempPathFactory) -> Tours:
    """The tours of this module's tests, each run once."""
    return Tours(tmp_path_factory.mktemp("tours"))


def visited_steps(capsys: pytest.CaptureFixture[str], flow: str, *args: str) -> list[str]:
    """The steps `kiosk flows run` prompts for, in order (the tour must show the same ones)."""
    main(["flows", "run", flow, "--answers", str(EXAMPLES[flow]), "--json", *args])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [line["step"] for line in lines if "step" in line and "kind" in line]


@pytest.mark.parametrize("look", list(LOOKS))
@pytest.mark.parametrize("flow", list(EXAMPLES))
def test_the_example_flows_are_toured_screen_by_screen(
    tours: Tours, capsys: pytest.CaptureFixture[str], flow: str, look: str
) -> None:
    every = [(f, EXAMPLES[f], LOOKS[each]) for f in EXAMPLES for each in LOOKS]
    done = tours.run(every)[every.index((flow, EXAMPLES[flow], LOOKS[look]))]
    out = done.out
    assert done.returncode == 0, done.stdout + done.stderr
    assert "outcome: finished at done" in done.stdout
    data = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    screens = data["screens"]
    lang = "en" if look == "en" else "zh_CN"
    assert data["elder"] is (look == "elder") and {s["language"] for s in screens} == {lang}
    assert [s["step"] for s in screens] == visited_steps(capsys, flow, "--lang", lang)
    assert data["way_in"] == {"attract.png": [], "menu.png": []}, data["way_in"]
    for number, screen in enumerate(screens, start=1):
        picture = out / screen["screenshot"]
        assert picture.name.startswith(f"{number:02d}-{screen['step']}")
        image = Image.open(picture).convert("L")
        assert image.size == SIZES.get(look, (1280, 1024))
        assert ImageStat.Stat(image).stddev[0] > 8, f"{picture.name} is (nearly) blank"
        if screen["waits"]:
            assert screen["how"], f"{screen['step']}: how it was answered is not recorded"
        assert screen["clipped"] == [], (screen["step"], screen["clipped"])
        assert screen["small_targets"] == [], (screen["step"], screen["small_targets"])
    assert sorted(p.name for p in out.glob("[0-9][0-9]-*.png")) == [
        s["screenshot"] for s in screens
    ]
    # the way in, and what the resident takes home, pictured for sign-off
    assert (out / "attract.png").is_file() and (out / "menu.png").is_file()
    assert bool(list(out.glob("receipt-*.png"))) is (flow == "si-certificate")
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
    # one line of error; a device the simulation lacks here (no pcscd) may be logged before it
    lines = done.stderr.strip().splitlines()
    errors = [line for line in lines if not line.startswith("WARNING ")]
    assert len(errors) == 1 and errors[0].startswith("kiosk: ")
    assert "no answer for step 'consent'" in errors[0] and "Traceback" not in done.stderr
    assert (out / "01-consent.png").exists()  # what was shown before the problem is kept
    done = tour(tmp_path, "no-such-flow", "--answers", str(answers), "--out", str(out))
    assert done.returncode == 2 and "no flow 'no-such-flow'" in done.stderr


def test_a_flow_with_lint_errors_is_not_toured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Checked before the window opens: an error in the last step, not found after printing."""
    broken = tmp_path / "broken.yaml"
    text = (FLOWS / "resident-feedback.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("{{ submission.reference }}", "{{ submision.reference }}"))
    answers = FLOWS / "resident-feedback.answers.yaml"
    out = tmp_path / "tour"
    args = ["flows", "tour", str(broken), "--answers", str(answers), "--out", str(out)]
    assert main(args) == 2
    assert "nothing was run" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())


CATALOGUE = sorted(
    p.name.removesuffix(".answers.yaml")
    for p in FLOWS.glob("*.answers.yaml")
    if p.name.count(".") == 2  # `<flow>.answers.yaml`: each service's main path
)


PANELS = {"zh_CN": (1280, 1024), "en": (1080, 1920)}
"""Each language on one panel: the content column is 1,000 px wide on both, so English (the
longer texts) wraps alike on either; the portrait panel checks the narrower header and bar."""


@pytest.mark.parametrize("lang", list(PANELS))
def test_every_service_is_toured_in_both_languages(tours: Tours, lang: str) -> None:
    """Each service's main path in the standard look, every screen drawn, legible, whole (no
    text cut off or under the header, nothing outside the window, no control too small) and
    free of personal numbers."""
    width, height = PANELS[lang]
    # the landscape panel is the tour's default: the example flows' tours serve here too
    size = () if (width, height) == (1280, 1024) else ("--size", f"{width}x{height}")
    wanted = [(flow, FLOWS / f"{flow}.answers.yaml", ("--lang", lang, *size)) for flow in CATALOGUE]
    failures = [
        f"{flow}: exit {done.returncode}\n{done.stdout[-500:]}\n{done.stderr[-1500:]}"
        for flow, done in zip(CATALOGUE, tours.run(wanted), strict=True)
        if done.returncode != 0 or "outcome: finished" not in done.stdout
    ]
    assert failures == []
    for flow, done in zip(CATALOGUE, tours.run(wanted), strict=True):
        data = json.loads((done.out / "transcript.json").read_text(encoding="utf-8"))
        assert {s["language"] for s in data["screens"]} == {lang}
        for screen in data["screens"]:
            image = Image.open(done.out / screen["screenshot"]).convert("L")
            assert image.size == (width, height)
            assert ImageStat.Stat(image).stddev[0] > 8, f"{flow}: {screen['screenshot']} blank"
            assert screen["clipped"] == [], (flow, screen["step"], screen["clipped"])
            assert screen["small_targets"] == [], (flow, screen["step"], screen["small_targets"])
        assert data["way_in"]["menu.png"] == [], (flow, data["way_in"])
        text = (done.out / "transcript.md").read_text(encoding="utf-8")
        assert not PERSONAL.search(text), f"{flow}: a full ID or phone number in the transcript"


_PIPES = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}


def _first_answers(flow: Path) -> Path | None:
    main_answers = flow.with_suffix(".answers.yaml")
    return main_answers if main_answers.is_file() else None


PORTRAIT_ELDER = ("resident-feedback", EXAMPLES["resident-feedback"],
                  ("--elder", "--lang", "en", "--size", "1080x1920"))  # fmt: skip
"""English (the longer texts, its common phrases the longest) in elder mode on the portrait
panel; toured beside the elder tours, two at a time."""


ELDER_TOURS = [
    (flow.stem, "zh_CN")
    for flow in sorted(FLOWS.glob("*.yaml"))
    if not flow.name.endswith(".answers.yaml") and _first_answers(flow) is not None
] + [(flow, "en") for flow in EXAMPLES]


@pytest.mark.parametrize("flow,lang", ELDER_TOURS)
def test_elder_mode_cuts_off_no_text_and_keeps_targets_large_on_every_screen(
    tours: Tours, flow: str, lang: str
) -> None:
    """适老模式 on every screen of every shipped flow at 1280×1024, the menu included: no
    label's text is cut off (wrapped out of its box, shortened or pushed off the screen) or set
    below the elder body size to fit (an option's label), and every control is at least 90 px
    either way (the tour measures each screen it photographs)."""
    every = [
        (f, FLOWS / f"{f}.answers.yaml", ("--elder", "--lang", each)) for f, each in ELDER_TOURS
    ]
    # the portrait panel's tour runs in the same pool, beside these (its test reads it)
    done = tours.run([*every, PORTRAIT_ELDER])[ELDER_TOURS.index((flow, lang))]
    data = json.loads((done.out / "transcript.json").read_text(encoding="utf-8"))
    assert data["screens"], done.stdout + done.stderr
    for screen in data["screens"]:
        assert screen["clipped"] == [], (screen["step"], screen["clipped"])
        assert screen["small_targets"] == [], (screen["step"], screen["small_targets"])
        assert screen["small_text"] == [], (screen["step"], screen["small_text"])
    assert data["way_in"]["menu.png"] == [] and data["way_in"]["attract.png"] == []


def test_a_portrait_panel_shows_every_screen_whole(tours: Tours) -> None:
    """1080×1920 portrait, elder mode, English: the same screens, nothing cut off or set below
    the elder body size, controls ≥ 90 px, the menu whole."""
    done = tours.run([PORTRAIT_ELDER])[0]
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((done.out / "transcript.json").read_text(encoding="utf-8"))
    assert {s["language"] for s in data["screens"]} == {"en"}
    for screen in data["screens"]:
        assert Image.open(done.out / screen["screenshot"]).size == (1080, 1920)
        assert screen["clipped"] == [] and screen["small_targets"] == [], screen["step"]
        assert screen["small_text"] == [], (screen["step"], screen["small_text"])
    assert data["way_in"]["menu.png"] == []
