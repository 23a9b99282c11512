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
    assert "身份证号码：110***********2317" in review["say"]


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


LEAKY_FLOW = """
id: leaky
version: 1
title: {zh_CN: 号码核对, en: Number check}
category: community
defaults: {timeout: 30}
steps:
  - id: consent
    kind: consent
    purpose: {zh_CN: 核对号码, en: Check your numbers}
  - id: phone
    kind: input
    input_type: phone
    text: {zh_CN: 请输入手机号码, en: Enter your mobile number}
  - id: id_number
    kind: input
    input_type: id_number
    text: {zh_CN: 请输入身份证号码, en: Enter your ID number}
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
def test_a_formatted_personal_number_is_masked_in_what_is_said(
    template: str, number: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    flow = tmp_path / "leaky.yaml"
    flow.write_text(LEAKY_FLOW.replace("LEAK", template), encoding="utf-8")
    answers = tmp_path / "leaky.answers.yaml"
    answers.write_text(LEAKY_ANSWERS, encoding="utf-8")
    code, lines = run_json(capsys, str(flow), "--answers", str(answers))
    assert code == 0
    shown = next(line for line in lines if line["step"] == "shown")
    digits = re.sub(r"\D", "", shown["say"])
    assert number not in digits
    assert number[:3] + number[-4:] in digits, "the masked form keeps the first 3 and last 4"


def test_a_result_with_a_spaced_out_phone_number_is_masked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    flow = tmp_path / "leaky.yaml"
    text = LEAKY_FLOW.replace("LEAK", "").replace("RESULT", "{{ phone[:5] }} {{ phone[5:] }}")
    flow.write_text(text, encoding="utf-8")
    answers = tmp_path / "leaky.answers.yaml"
    answers.write_text(LEAKY_ANSWERS, encoding="utf-8")
    code, lines = run_json(capsys, str(flow), "--answers", str(answers))
    assert code == 0
    result = lines[-1]["result"]["number"]
    assert "13912345678" not in re.sub(r"\D", "", result) and result.startswith("139")
