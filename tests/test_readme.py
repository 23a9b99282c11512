"""The README's examples work as written: its example flow and its `kiosk flows run` commands."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def test_the_example_flow_checks_clean_and_runs_to_its_finish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (example,) = re.findall(r"```yaml\n(.*?)```", _section("Writing a flow"), re.S)[:1]
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "my-feedback.yaml").write_text(example, encoding="utf-8")
    answers = tmp_path / "my-feedback.answers.yaml"
    answers.write_text(
        "answers:\n  topic: safety\n  consent: yes\n  phone: '13800138000'\n"
        "  review: yes\n  message: 路灯坏了\n",
        encoding="utf-8",
    )
    assert main(["flows", "check", str(flows)]) == 0
    assert main(["flows", "run", str(flows / "my-feedback.yaml"), "--answers", str(answers)]) == 0
    out = capsys.readouterr().out
    assert "受理编号 F B" in out  # (spoken) the back office's own ticket, not the local number


@pytest.mark.parametrize(
    "command", re.findall(r"^kiosk (flows run .*)$", _section("The service catalogue"), re.M)
)
def test_the_catalogue_commands_work_as_written(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(shlex.split(command)) == 0


def test_the_catalogue_tour_command_works_as_written(tmp_path: Path) -> None:
    (command,) = re.findall(r"^kiosk (flows tour .*)$", _section("The service catalogue"), re.M)
    args = shlex.split(command)
    args[args.index("--out") + 1] = str(tmp_path / "tour")  # not the README's /tmp
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["KIVY_HOME"] = str(tmp_path / "kivy-home")
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(list((tmp_path / "tour").glob("*.png"))) >= 6
