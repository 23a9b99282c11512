"""A content folder to build bundles from: a copy of the shipped flows and locales."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.flow.loader import DEFAULT_FLOWS_DIR


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A content folder (flows/, flows/receipts/, locales/) that builds cleanly."""
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_FLOWS_DIR, root / "flows")
    locales = root / "locales" / "en"
    locales.mkdir(parents=True)
    (locales / "ui.yaml").write_text("attract:\n  start: Touch to begin\n", encoding="utf-8")
    return root
