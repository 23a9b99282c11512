"""`kiosk flows check | schema | graph` run in-process: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.flow.loader import DEFAULT_FLOWS_DIR

CLEAN = """\
id: hello
title: {zh_CN: 您好, en: Hello}
defaults: {timeout: 30}
steps:
  - id: greet
    kind: info
    text: {zh_CN: 您好, en: Hello}
  - id: done
    kind: finish
    text: {zh_CN: 再见, en: Bye}
"""


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_check_clean_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "hello.yaml", CLEAN)
    assert main(["flows", "check", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "1 file checked: 0 errors, 0 warnings" in err


def test_check_findings_exit_1_sorted_by_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(
        tmp_path,
        "b.yaml",
        CLEAN.replace("id: hello", "id: other").replace("    text: {zh_CN: 再见, en: Bye}\n", ""),
    )
    _write(
        tmp_path,
        "a.yaml",
        CLEAN.replace("defaults: {timeout: 30}\n", "").replace(
            "    text: {zh_CN: 您好, en: Hello}", "    text: {zh_CN: 您好}"
        ),
    )
    assert main(["flows", "check", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line.split(": ")[1].split()[0] for line in lines] == [
        "no-timeout",
        "nothing-speakable",
        "missing-translation",
        "nothing-speakable",
    ]
    assert lines[0].endswith(
        "a.yaml:4:5: no-timeout step 'greet' (info) waits for the resident "
        "but has no timeout (set `timeout` or `defaults.timeout`)"
    )
    assert "a.yaml:6:5: missing-translation step 'greet': text has no en text" in lines[2]
    assert lines[3].endswith(
        "b.yaml:8:5: nothing-speakable step 'done' (finish) has no text or voice in zh_CN, en"
    )
    assert "2 files checked: 4 errors, 0 warnings" in err


def test_check_unreadable_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "hello.yaml", CLEAN)
    _write(tmp_path, "broken.yaml", "id: x\nsteps: [\n")
    assert main(["flows", "check", str(tmp_path)]) == 2
    out, _ = capsys.readouterr()
    assert "broken.yaml:3:1: yaml-syntax YAML syntax:" in out


def test_check_not_a_flow_and_missing_path_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = _write(tmp_path, "notes.yaml", "- shopping\n- list\n")
    assert main(["flows", "check", str(notes)]) == 2
    assert main(["flows", "check", str(tmp_path / "missing")]) == 2
    _, err = capsys.readouterr()
    assert "missing: no such file or directory" in err


def test_schema_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Kiosk flow"
    assert "steps" in schema["required"]


def test_graph_of_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "hello.yaml", CLEAN)
    assert main(["flows", "graph", str(path), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart TD")
    assert "  s_greet --> s_done" in out.splitlines()
    assert main(["flows", "graph", str(path), "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith('digraph "hello" {')


def test_graph_of_an_unknown_flow_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", "graph", "no-such-flow-id"]) == 2
    assert "no flow 'no-such-flow-id'" in capsys.readouterr().err


def test_graph_of_a_broken_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "x.yaml", CLEAN.replace("kind: info", "kind: inf"))
    assert main(["flows", "graph", str(path)]) == 2
    assert "x.yaml:6:5: step 'greet': kind 'inf'" in capsys.readouterr().err


def test_check_with_a_configuration_warns_about_back_offices_it_does_not_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = Path(__file__).resolve().parents[3]
    assert main(["flows", "check", "--config", str(root / "kiosk.example.toml")]) == 0
    capsys.readouterr()
    config = tmp_path / "kiosk.toml"
    config.write_text('[backends.feedback]\nbase_url = "https://x.example"\n', encoding="utf-8")
    flow = str(root / "flows" / "medical-insurance.yaml")
    assert main(["flows", "check", flow, "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "unknown-backend step 'status' calls back office 'medical_insurance'" in out


def test_a_receipt_reading_a_name_no_step_set_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = Path(__file__).resolve().parents[3] / "flows"
    (tmp_path / "receipts").mkdir()
    (tmp_path / "queue-ticket.yaml").write_text((root / "queue-ticket.yaml").read_text("utf-8"))
    receipt = (root / "receipts" / "queue-ticket.yaml").read_text("utf-8")
    (tmp_path / "receipts" / "queue-ticket.yaml").write_text(
        receipt.replace("ticket.window", "tiket.window"), encoding="utf-8"
    )
    assert main(["flows", "check", str(tmp_path)]) == 1
    assert "receipt 'queue-ticket' reads 'tiket'" in capsys.readouterr().out


def test_check_imports_only_what_checking_needs() -> None:
    """`kiosk flows check` is a whole process each time: it must not import running or touring
    (the app, the engine, asyncio, HTTP), nor pydantic for flows that are valid."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from kiosk.cli import main\n"
        f"code = main(['flows', 'check', {str(DEFAULT_FLOWS_DIR)!r}])\n"
        "heavy = ['kiosk.cli.flows_run', 'kiosk.cli.flows_tour', 'kiosk.app', 'kiosk.flow.engine',"
        " 'asyncio', 'requests', 'pydantic']\n"
        "print(code, [name for name in heavy if name in sys.modules])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == "0 []"


def test_every_command_group_takes_the_words_after_its_name() -> None:
    """`build_parser` passes each group the rest of the command line (so that a group such as
    `flows` imports only the chosen command's module): every group's `register` takes it."""
    import importlib
    import inspect

    from kiosk.cli import GROUPS

    for name in GROUPS:
        parameters = inspect.signature(importlib.import_module(name).register).parameters
        assert list(parameters) == ["sub", "words"], name
