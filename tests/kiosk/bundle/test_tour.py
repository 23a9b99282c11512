"""`kiosk bundle tour`: the flows a bundle changes, toured for sign-off (and only those)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.bundle.archive import read_archive
from kiosk.bundle.tour import changed_flows
from kiosk.cli import main


def build(content: Path, out: Path, version: int) -> Path:
    assert (
        main(["bundle", "build", str(content), "--out", str(out), "--version", str(version)]) == 0
    )
    return out


def test_only_the_changed_flow_is_toured(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = build(content, tmp_path / "1.tar.gz", 1)
    flow = content / "flows" / "resident-feedback.yaml"
    flow.write_text(flow.read_text().replace("Resident feedback", "Tell us"), encoding="utf-8")
    second = build(content, tmp_path / "2.tar.gz", 2)
    capsys.readouterr()
    out = tmp_path / "tours"
    code = main(["bundle", "tour", str(second), "--since", str(first), "--out", str(out)])
    assert code == 0
    assert "resident-feedback: toured" in capsys.readouterr().out
    assert [p.name for p in out.iterdir()] == ["resident-feedback"]
    pictures = sorted(p.name for p in (out / "resident-feedback").glob("*.png"))
    assert pictures[0] == "01-topic.png" and len(pictures) >= 5
    transcript = json.loads((out / "resident-feedback" / "transcript.json").read_text())
    assert transcript["outcome"]["status"] == "finished"


def test_a_changed_text_or_receipt_changes_the_flows_that_show_it(
    content: Path, tmp_path: Path
) -> None:
    first = read_archive(build(content, tmp_path / "1.tar.gz", 1).read_bytes())
    flows = {
        "resident-feedback": "flows/resident-feedback.yaml",
        "si-certificate": "flows/si-certificate.yaml",
    }
    assert changed_flows(first, first, flows) == []
    assert changed_flows(first, None, flows) == sorted(flows)
    receipt = content / "flows" / "receipts" / "si-certificate.yaml"
    receipt.write_text(receipt.read_text() + "\n", encoding="utf-8")
    second = read_archive(build(content, tmp_path / "2.tar.gz", 2).read_bytes())
    prints = {"si-certificate": {"si-certificate"}}
    assert changed_flows(second, first, flows, prints) == ["si-certificate"]
    (content / "locales" / "en" / "ui.yaml").write_text("attract:\n  start: Go\n", encoding="utf-8")
    third = read_archive(build(content, tmp_path / "3.tar.gz", 3).read_bytes())
    assert changed_flows(third, second, flows) == sorted(flows)
