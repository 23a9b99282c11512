"""`kiosk flows run`: the example flows end to end through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.flow.loader import DEFAULT_FLOWS_DIR

FLOWS = DEFAULT_FLOWS_DIR
PERSONAL = re.compile(r"\d{17}[\dXx]|1\d{10}")


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict]]:
    code = main(["flows", "run", *args, "--json"])
    out = capsys.readouterr().out
    assert not PERSONAL.search(out), "a full ID or phone number was printed"
    return code, [json.loads(line) for line in out.splitlines()]


def test_the_certificate_example_finishes(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run_json(
        capsys,
        str(FLOWS / "si-certificate.yaml"),
        "--answers",
        str(FLOWS / "si-certificate.answers.yaml"),
    )
    assert code == 0
    assert lines[-1]["outcome"] == "finished" and lines[-1]["step"] == "done"
    choose = next(line for line in lines if line["step"] == "choose")
    assert "按1，个人参保证明；按2，缴费明细" in choose["say"]
    review = next(line for line in lines if line["step"] == "review")
    assert "身份证号码：1 1 0，中间11位已隐藏，2 3 1 7" in review["say"]


def test_the_feedback_example_finishes_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    answers = FLOWS / "resident-feedback.answers.yaml"
    code, lines = run_json(capsys, "resident-feedback", "--answers", str(answers), "--lang", "en")
    assert code == 0
    topic = lines[0]
    assert topic["kind"] == "choose" and "press 2 for Public facilities" in topic["say"]
    done = lines[-2]
    assert done["kind"] == "result" and "Your reference is" in done["say"]
    assert lines[-1]["result"]["status"] == "delivered"


def test_feedback_is_queued_with_a_reference_when_the_back_office_is_down(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[backends.feedback]\nbase_url = "http://127.0.0.1:9"\n',
        encoding="utf-8",
    )
    answers = FLOWS / "resident-feedback.answers.yaml"
    code, lines = run_json(
        capsys, "resident-feedback", "--answers", str(answers), "--config", str(config)
    )
    assert code == 0
    result = lines[-1]["result"]
    assert result["status"] == "queued" and result["reference"]
    assert "网络恢复后将自动送达" in lines[-2]["say"]


def test_usage_errors_are_one_line_with_exit_status_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: {zh_CN: 坏, en: Bad}\nsteps:\n  - {id: a, kind: nope}\n")
    answers = tmp_path / "a.answers.yaml"
    answers.write_text("answers: {}\n")
    assert main(["flows", "run", str(bad), "--answers", str(answers)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("kiosk: ") and "bad.yaml:4" in err and "\n" not in err
    flow = str(FLOWS / "si-certificate.yaml")
    assert main(["flows", "run", flow, "--answers", str(answers)]) == 2
    err = capsys.readouterr().err
    assert "no answer for step 'consent'" in err and "Traceback" not in err


def test_a_refused_answer_stops_the_run_instead_of_looping(tmp_path: Path) -> None:
    import subprocess
    import sys

    answers = tmp_path / "refused.answers.yaml"
    wrong = "110105198503122318"  # invented, and its check character is wrong
    answers.write_text(
        f'answers:\n  consent: yes\n  how: typed\n  typed: "{wrong}"\n', encoding="utf-8"
    )
    # a subprocess, so that looping for ever fails the test instead of hanging the suite
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "flows",
            "run",
            "si-certificate",
            "--answers",
            str(answers),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    err = run.stderr.strip().splitlines()[-1]
    assert "step 'typed'" in err and "was refused (input.invalid_id_number)" in err
    assert wrong not in run.stdout + run.stderr


def test_readable_output_and_exit_1_when_the_resident_cancels(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = tmp_path / "cancel.answers.yaml"
    answers.write_text("answers:\n  topic: {event: cancel}\n", encoding="utf-8")
    flow = str(FLOWS / "resident-feedback.yaml")
    assert main(["flows", "run", flow, "--answers", str(answers)]) == 1
    out = capsys.readouterr().out
    assert "[resident-feedback/topic] choose" in out
    assert out.strip().endswith("outcome: cancelled at topic")


@pytest.mark.parametrize(
    "flow", sorted(p.name.removesuffix(".answers.yaml") for p in FLOWS.glob("*.answers.yaml"))
)
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_nothing_spoken_has_an_asterisk_or_template_syntax(
    capsys: pytest.CaptureFixture[str], flow: str, lang: str
) -> None:
    """A listener hears words: no '*' of a masked value, no '{{ }}' of a template."""
    code, lines = run_json(
        capsys,
        str(FLOWS / f"{flow.split('.')[0]}.yaml"),  # `<flow>.<path>.answers.yaml`: a path of it
        "--answers",
        str(FLOWS / f"{flow}.answers.yaml"),
        "--lang",
        lang,
    )
    said = [line["say"] for line in lines if line.get("say")]
    assert said
    assert code == 0, lines[-1]  # it ended as its answers file says: finished, or its refusal
    assert [s for s in said if "*" in s or re.search(r"\{\{|\{%|\{\w+\}", s)] == []


def test_what_a_printed_qr_code_is_for_is_said_while_it_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, lines = run_json(
        capsys,
        str(FLOWS / "si-certificate.yaml"),
        "--answers",
        str(FLOWS / "si-certificate.answers.yaml"),
    )
    printing = next(line for line in lines if line["step"] == "print")
    assert "正在打印，请稍候。凭条上有二维码：扫码核验证明真伪" in printing["say"]  # two sentences


def test_a_personal_result_is_printed_masked(capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.cli.flows_run import _print_outcome
    from kiosk.flow.outcome import Outcome

    ended = Outcome(
        "finished",
        "done",
        {"contact": "13912 345678", "pages": 2},
        None,
        "f",
        frozenset({"contact"}),
    )
    _print_outcome(ended, as_json=True)
    printed = json.loads(capsys.readouterr().out)
    assert printed["result"]["pages"] == 2
    assert "345678" not in printed["result"]["contact"]


def test_a_run_stopped_by_sigterm_leaves_no_temporary_folder(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    temp = tmp_path / "tmp"
    temp.mkdir()
    answers = FLOWS / "si-certificate.answers.yaml"
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "-v",
            "flows",
            "run",
            "si-certificate",
            "--answers",
            str(answers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    assert run.stderr is not None
    for line in run.stderr:  # the run's folder exists once its back office listens
        if "demo back office listening" in line:
            assert [p.name[:10] for p in temp.iterdir()] == ["kiosk-run-"]
            run.send_signal(signal.SIGTERM)
            break
    run.communicate(timeout=30)
    assert run.returncode == 143  # stopped mid-run, and it unwound
    assert list(temp.iterdir()) == []


LEAKY_FLOW = """
id: leaky
title: {zh_CN: 号码核对, en: Number check}
defaults: {timeout: 30}
steps:
  - id: consent
    kind: consent
    purpose: {zh_CN: 核对号码, en: Check your numbers}
  - {id: phone, kind: input, input_type: phone, text: {zh_CN: 手机号码, en: Mobile}}
  - {id: id_number, kind: input, input_type: id_number, text: {zh_CN: 身份证号码, en: ID}}
  - id: shown
    kind: info
    text: {zh_CN: "号码：LEAK", en: "Number: LEAK"}
  - id: done
    kind: finish
    text: {zh_CN: 完成, en: Done}
    result: {number: "RESULT"}
"""
LEAKY_ANSWERS = """
answers:
  consent: yes
  phone: "13912345678"
  id_number: "110105198503122317"
  shown: 1
"""


@pytest.mark.parametrize(
    ("template", "number"),
    [
        ("{{ phone | digits }}", "13912345678"),
        ("{{ phone[:3] }}-{{ phone[3:7] }}-{{ phone[7:] }}", "13912345678"),
        ("{{ id_number[:9] }} {{ id_number[9:] }}", "110105198503122317"),
    ],
    ids=["digits-filter", "dashes", "id-in-two-groups"],
)
def test_a_formatted_personal_number_is_masked_in_what_is_shown_and_said(
    template: str, number: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    flow = tmp_path / "leaky.yaml"
    flow.write_text(LEAKY_FLOW.replace("LEAK", template).replace("RESULT", ""), encoding="utf-8")
    answers = tmp_path / "leaky.answers.yaml"
    answers.write_text(LEAKY_ANSWERS, encoding="utf-8")
    code, lines = run_json(capsys, str(flow), "--answers", str(answers))
    assert code == 0
    shown = next(line for line in lines if line["step"] == "shown")
    for public in (shown["say"],):
        assert number not in re.sub(r"\D", "", public), public
    assert number[0] in shown["say"], "the masked form keeps its first digits"


def test_a_refusal_path_that_finishes_instead_is_a_failed_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = tmp_path / "expect.answers.yaml"
    source = (FLOWS / "elderly-allowance.too-young.answers.yaml").read_text(encoding="utf-8")
    answers.write_text(source.replace("step: too_young", "step: done"), encoding="utf-8")
    flow = str(FLOWS / "elderly-allowance.yaml")
    assert main(["flows", "run", flow, "--answers", str(answers)]) == 1
    assert "expected: failed at done; the run ended failed at too_young" in capsys.readouterr().out


def test_a_flow_with_lint_errors_is_not_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    text = (FLOWS / "resident-feedback.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("{{ submission.reference }}", "{{ submision.reference }}"))
    answers = tmp_path / "a.answers.yaml"
    answers.write_text((FLOWS / "resident-feedback.answers.yaml").read_text(encoding="utf-8"))
    assert main(["flows", "run", str(broken), "--answers", str(answers)]) == 2
    err = capsys.readouterr().err
    assert "nothing was run" in err and "'submision'" in err


def test_an_english_queue_ticket_names_the_window_by_its_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The window's sign is Chinese (3号窗口); in English the resident hears "window 3", and an
    empty queue is "no one", not "0 people"."""
    code, lines = run_json(
        capsys,
        str(FLOWS / "queue-ticket.yaml"),
        "--answers",
        str(FLOWS / "queue-ticket.answers.yaml"),
        "--lang",
        "en",
    )
    assert code == 0
    said = next(line["say"] for line in lines if line.get("kind") == "result")
    assert "called to window 3." in said and "号" not in said
    assert "No one is ahead of you" in said
