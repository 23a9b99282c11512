"""The linter finds each problem by code at the right line, and nothing in clean flows."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from kiosk.flow.lint import Finding, lint
from kiosk.flow.loader import DEFAULT_FLOWS_DIR, load_flows

CASES_DIR = Path(__file__).parent / "lint_cases"
CASES = sorted(CASES_DIR.glob("*.yaml"))
EXPECT = re.compile(r"^# expect: ([a-z-]+) (\d+)$", re.M)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    receipts = tmp_path / "receipts"
    receipts.mkdir(exist_ok=True)
    shutil.copy(CASES_DIR / "receipts" / "generic.yaml", receipts / "generic.yaml")
    return path


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_each_case_is_found_with_its_code_and_line(case: Path) -> None:
    expected = sorted((code, int(line)) for code, line in EXPECT.findall(case.read_text("utf-8")))
    assert expected, f"{case.name} notes no expected finding"
    findings = lint(load_flows([case]))
    assert sorted((f.code, f.location.line) for f in findings) == expected
    assert all(f.location.path == str(case) for f in findings)


def test_finding_prints_as_path_line_column_code_message(tmp_path: Path) -> None:
    finding = lint(load_flows([CASES[0].parent / "no_timeout.yaml"]))[0]
    assert isinstance(finding, Finding)
    assert re.fullmatch(r".+no_timeout\.yaml:5:5: no-timeout step 'hello' .+", str(finding))
    assert finding.severity == "error"


CLEAN = """\
    id: clean
    title: {zh_CN: 社保证明, en: Certificate}
    needs: [id_card, printer]
    defaults: {timeout: 60}
    steps:
      - id: consent
        kind: consent
        purpose: {zh_CN: 读取身份证, en: Read your ID card}
      - id: identify
        kind: read_id_card
        text: {zh_CN: 请放身份证, en: Place your ID card}
        fields: [id_number, name, birth]
        save_as: resident
      - id: pick
        kind: choose
        text: {zh_CN: 请选择, en: Choose}
        options:
          - {value: a, label: {zh_CN: 甲, en: A}}
          - {value: b, label: {zh_CN: 乙, en: B}, when: "resident.birth < '19660101'"}
        next:
          - {to: extra, when: "pick == 'b'"}
          - {to: review}
      - id: extra
        kind: set
        values: {note: "{{ pick }}-{{ resident.name | mask_name }}", total: "{{ note }}"}
      - id: review
        kind: confirm
        text: {zh_CN: "确认{{ pick }}", en: "Confirm {{ pick }}"}
        rows: [{label: {zh_CN: 姓名, en: Name}, value: "{{ resident.name }}", personal: true}]
        on_decline: pick
      - id: fetch
        kind: http
        backend: social_insurance
        request: {method: POST, path: /c, json: {id: "{{ resident.id_number }}"}}
        on_error: offline
      - id: send
        kind: submit
        backend: social_insurance
        path: /applications
        payload: {cert: "{{ fetch.pages }}"}
      - id: print
        kind: print
        receipt: generic
      - id: done
        kind: finish
        text: {zh_CN: "完成{{ send.reference }}", en: Done}
      - id: offline
        kind: finish
        status: failure
        text: {zh_CN: 网络故障, en: Offline}
"""


def test_a_clean_flow_has_no_findings(tmp_path: Path) -> None:
    assert lint(load_flows([_write(tmp_path, "clean.yaml", CLEAN)])) == []


def test_shipped_flows_are_clean() -> None:
    if not any(DEFAULT_FLOWS_DIR.glob("*.yaml")):
        pytest.skip("no shipped flows yet")
    findings = lint(load_flows([DEFAULT_FLOWS_DIR]))
    assert [str(f) for f in findings] == []


def test_consent_given_by_the_caller_covers_a_sub_flow(tmp_path: Path) -> None:
    caller = _write(
        tmp_path,
        "caller.yaml",
        """\
        id: caller
        title: {zh_CN: 主, en: Main}
        needs: [id_card]
        defaults: {timeout: 30}
        steps:
          - id: consent
            kind: consent
            purpose: {zh_CN: 读卡, en: Read card}
          - id: who
            kind: call
            flow: reader
          - id: done
            kind: finish
            text: {zh_CN: "好{{ who }}", en: OK}
        """,
    )
    callee = _write(
        tmp_path,
        "reader.yaml",
        """\
        id: reader
        title: {zh_CN: 读卡, en: Reader}
        needs: [id_card]
        defaults: {timeout: 30}
        steps:
          - id: identify
            kind: read_id_card
            text: {zh_CN: 请放身份证, en: Place your card}
            fields: [id_number]
          - id: done
            kind: finish
            text: {zh_CN: 好, en: OK}
        """,
    )
    assert lint(load_flows([caller, callee])) == []
    # called without consent: the sub-flow's read is reported, in the sub-flow
    caller.write_text(caller.read_text("utf-8").replace("kind: consent", "kind: info"), "utf-8")
    caller.write_text(caller.read_text("utf-8").replace("purpose:", "text:"), "utf-8")
    findings = lint(load_flows([caller, callee]))
    assert [(f.code, Path(f.location.path).name, f.location.line) for f in findings] == [
        ("consent-missing", "reader.yaml", 6)
    ]


def test_call_needs_the_devices_of_the_sub_flow(tmp_path: Path) -> None:
    caller = _write(
        tmp_path,
        "caller.yaml",
        """\
        id: caller
        title: {zh_CN: 主, en: Main}
        steps:
          - id: slip
            kind: call
            flow: printing
          - id: done
            kind: finish
            text: {zh_CN: 好, en: OK}
        """,
    )
    callee = _write(
        tmp_path,
        "printing.yaml",
        """\
        id: printing
        title: {zh_CN: 打印, en: Print}
        needs: [printer]
        steps:
          - {id: print, kind: print, receipt: generic}
          - {id: done, kind: finish, text: {zh_CN: 好, en: OK}}
        """,
    )
    findings = lint(load_flows([caller, callee]))
    assert [(f.code, f.location.line, f.location.column) for f in findings] == [
        ("undeclared-device", 6, 11)
    ]
    # a caller that can do without the printer (`uses`) and goes on without the call is fine
    spare = (
        caller.read_text(encoding="utf-8")
        .replace("steps:\n", "uses: [printer]\nsteps:\n")
        .replace("flow: printing\n", "flow: printing\n    on_error: done\n")
    )
    caller.write_text(spare, encoding="utf-8")
    assert [f.code for f in lint(load_flows([caller, callee]))] == []
    caller.write_text(spare.replace("    on_error: done\n", ""), encoding="utf-8")
    assert [f.code for f in lint(load_flows([caller, callee]))] == ["undeclared-device"]


def test_a_confirm_declined_does_not_count_as_confirmed(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "decline.yaml",
        """\
        id: decline
        title: {zh_CN: 确认, en: Confirm}
        defaults: {timeout: 30}
        steps:
          - id: review
            kind: confirm
            text: {zh_CN: 确认, en: Confirm}
            on_decline: send
          - id: send
            kind: submit
            backend: b
            path: /x
          - id: done
            kind: finish
            text: {zh_CN: 好, en: OK}
        """,
    )
    findings = lint(load_flows([path]))
    assert [(f.code, f.location.line) for f in findings] == [("confirm-missing", 9)]


def test_load_errors_are_findings_too(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.yaml", "id: x\nsteps: [\n")
    findings = lint(load_flows([path]))
    assert [(f.code, f.location.line) for f in findings] == [("yaml-syntax", 3)]


def test_a_flow_icon_must_be_in_the_icon_font(tmp_path: Path) -> None:
    from kiosk.flow.icons import known_icon

    if known_icon("home") is None:
        pytest.skip("the Material Design Icons font is not installed")
    flow = tmp_path / "iconic.yaml"
    body = (
        "id: iconic\ntitle: {zh_CN: 图标, en: Icon}\nicon: %s\n"
        "steps:\n  - {id: done, kind: finish, text: {zh_CN: 完, en: done}}\n"
    )
    flow.write_text(body % "file-document", encoding="utf-8")
    assert not [f for f in lint(load_flows([flow])) if f.code == "unknown-icon"]
    flow.write_text(body % "no-such-icon", encoding="utf-8")
    assert [f.code for f in lint(load_flows([flow])) if f.code == "unknown-icon"] == [
        "unknown-icon"
    ]
