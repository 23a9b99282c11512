"""Receipt templates: read as hardened as flows; whatever a template holds, a clear error.

Hostile templates (deep nesting, not UTF-8, tags, a NUL in a name) and a hypothesis target that
mutates the shipped template: loading, linting and rendering each end in a receipt or a
`ReceiptError`, never a crash.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.flow.lint import lint
from kiosk.flow.loader import DEFAULT_FLOWS_DIR, load_flows
from kiosk.flow.receipts import ReceiptError, ReceiptLibrary

SHIPPED = DEFAULT_FLOWS_DIR / "receipts" / "si-certificate.yaml"
VARIABLES = {
    "certificate_type": "personal",
    "resident": {"name": "林晓测", "id_number": "110105198503122317"},
    "how": "card",
    "cert": {"unit": "示例单位", "insured_since": "2015-01", "months": 120, "verify_code": "V1"},
}
FLOW = """\
id: slip
title: {zh_CN: 回执, en: Slip}
needs: [printer]
steps:
  - {id: print, kind: print, receipt: si-certificate}
  - {id: done, kind: finish, text: {zh_CN: 好, en: OK}}
"""


def _library(tmp_path: Path, content: bytes) -> ReceiptLibrary:
    receipts = tmp_path / "receipts"
    receipts.mkdir(exist_ok=True)
    (receipts / "si-certificate.yaml").write_bytes(content)
    (tmp_path / "slip.yaml").write_text(FLOW, encoding="utf-8")
    return ReceiptLibrary(receipts)


def _outcome(tmp_path: Path, content: bytes) -> str:
    """What printing and linting a template gives: "printed" or the error key."""
    library = _library(tmp_path, content)
    lint(load_flows([tmp_path / "slip.yaml"]))  # the linter reads it too, and must not crash
    try:
        library.render("si-certificate", VARIABLES, "zh_CN")
    except ReceiptError as exc:
        assert "\n" not in str(exc)
        return exc.key
    return "printed"


def test_the_shipped_template_prints(tmp_path: Path) -> None:
    assert _outcome(tmp_path, SHIPPED.read_bytes()) == "printed"


@pytest.mark.parametrize(
    "content",
    [
        b"id: si-certificate\ntitle: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        b"id: si-certificate\ntitle: {zh_CN: \xff\xfe, en: x}\n",
        b"id: si-certificate\ntitle: !!python/object:os.system x\n",
        b"id: si-certificate\x00\n",
        b"- a list\n",
    ],
    ids=["deep", "not-utf8", "tag", "nul", "list"],
)
def test_a_hostile_template_is_invalid_not_a_crash(tmp_path: Path, content: bytes) -> None:
    assert _outcome(tmp_path, content) == "receipt.invalid"
    findings = lint(load_flows([tmp_path / "slip.yaml"]))
    assert [f.code for f in findings] == ["unknown-receipt"]


def test_a_receipt_name_cannot_leave_the_receipts_folder(tmp_path: Path) -> None:
    (tmp_path / "slip.yaml").write_text(
        FLOW.replace("receipt: si-certificate", "receipt: ../../etc/passwd"), encoding="utf-8"
    )
    flows = load_flows([tmp_path / "slip.yaml"])
    assert [e.code for e in flows.errors] == ["schema"]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = SHIPPED.read_bytes()
    at = draw(st.integers(0, len(data)))
    kind = draw(st.sampled_from(["insert", "cut", "replace"]))
    junk = draw(
        st.binary(max_size=20)
        | st.sampled_from([b"{{", b"}}", b"{%", b"[", b"!!binary", b"*a", b"\x00", b"\t", b": "])
    )
    if kind == "insert":
        return data[:at] + junk + data[at:]
    if kind == "cut":
        return data[:at]
    return data[:at] + junk + data[at + len(junk) :]


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(mutated())
def test_any_receipt_template_prints_or_is_refused(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    folder = tmp_path_factory.mktemp("receipt")
    outcome = _outcome(folder, data)
    assert outcome in {"printed", "receipt.invalid", "receipt.template", "receipt.missing"}
    shutil.rmtree(folder)


def test_every_receipt_says_where_and_when_it_was_printed(tmp_path: Path) -> None:
    import datetime

    library = _library(tmp_path, SHIPPED.read_bytes())
    library.terminal = {"zh_CN": "幸福里社区服务站", "en": "Xingfuli station"}
    moment = datetime.datetime(2026, 12, 5, 9, 30).timestamp()
    library._now = lambda: moment
    receipt = library.render("si-certificate", VARIABLES, "zh_CN")
    assert receipt.footer[-1].text == "幸福里社区服务站  2026-12-05 09:30"
    english = library.render("si-certificate", VARIABLES, "en")
    assert english.footer[-1].text == "Xingfuli station  2026-12-05 09:30"


def test_a_row_with_nothing_to_print_is_left_out_not_a_bare_label(tmp_path: Path) -> None:
    template = (
        b"id: si-certificate\ntitle: {zh_CN: \xe5\x9b\x9e\xe6\x89\xa7, en: Slip}\nrows:\n"
        b"  - {label: {zh_CN: A, en: Applicant}, value: \"{{ resident.name if how == 'card' "
        b"else '' }}\", personal: true, mask: name}\n"
        b'  - {label: {zh_CN: B, en: Kind}, value: "{{ certificate_type }}"}\n'
    )
    library = _library(tmp_path, template)
    typed = library.render("si-certificate", {**VARIABLES, "how": "typed"}, "en")
    assert [(row.key, row.value) for row in typed.rows] == [("Kind", "personal")]
    carded = library.render("si-certificate", VARIABLES, "en")
    assert [row.key for row in carded.rows] == ["Applicant", "Kind"]
