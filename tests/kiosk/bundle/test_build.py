"""`kiosk bundle build`: checks, rehearsals and a deterministic archive."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.bundle.archive import read_archive
from kiosk.cli import main


def build(content: Path, out: Path, *extra: str) -> int:
    return main(["bundle", "build", str(content), "--out", str(out), "--version", "4", *extra])


def test_a_clean_folder_builds_the_same_bytes_twice(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build(content, tmp_path / "a.tar.gz") == 0
    canonical = [p for p in (content / "flows").glob("*.answers.yaml") if p.stem.count(".") == 1]
    out, err = capsys.readouterr()
    assert f"{len(canonical)} flows rehearsed" in out
    assert "warning" not in err  # a flow only called by others (identify) is rehearsed by them
    for path in content.rglob("*.yaml"):
        os.utime(path, (1, 1))  # other times, same content
    assert build(content, tmp_path / "b.tar.gz") == 0
    first = (tmp_path / "a.tar.gz").read_bytes()
    assert first == (tmp_path / "b.tar.gz").read_bytes()
    bundle = read_archive(first)
    assert bundle.manifest.version == 4
    assert set(bundle.manifest.modes) == {"government", "locker"}
    assert "flows/receipts/si-certificate.yaml" in bundle.files
    assert bundle.files["locales/en/ui.yaml"].startswith(b"attract:")


def test_a_flow_that_fails_lint_refuses_the_bundle(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = content / "flows" / "resident-feedback.yaml"
    flow.write_text(flow.read_text().replace("kind: consent", "kind: consentt"), encoding="utf-8")
    assert build(content, tmp_path / "x.tar.gz") == 1
    err = capsys.readouterr().err
    assert "error: flows/resident-feedback.yaml:" in err
    assert "bundle refused" in err
    assert not (tmp_path / "x.tar.gz").exists()


def test_a_broken_receipt_template_refuses_the_bundle(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (content / "flows" / "receipts" / "spare.yaml").write_text("id: other\n", encoding="utf-8")
    assert build(content, tmp_path / "x.tar.gz") == 1
    assert "flows/receipts/spare.yaml" in capsys.readouterr().err


def test_a_flow_whose_canonical_answers_do_not_finish_refuses_the_bundle(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = content / "flows" / "resident-feedback.answers.yaml"
    text = answers.read_text().replace("review: yes", "review: {event: cancel}")
    answers.write_text(text, encoding="utf-8")
    assert build(content, tmp_path / "x.tar.gz") == 1
    assert "resident-feedback: canonical answers ended cancelled" in capsys.readouterr().err


def test_links_and_unknown_texts_in_the_content_refuse_the_bundle(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (content / "flows" / "linked.yaml").symlink_to(content / "flows" / "si-certificate.yaml")
    assert build(content, tmp_path / "x.tar.gz") == 1
    assert "flows/linked.yaml: a symbolic link" in capsys.readouterr().err
    (content / "flows" / "linked.yaml").unlink()
    (content / "locales" / "en" / "ui.yaml").write_text("made_up: x\n", encoding="utf-8")
    assert build(content, tmp_path / "x.tar.gz") == 1
    assert "ui.made_up is not a text of the kiosk" in capsys.readouterr().err
