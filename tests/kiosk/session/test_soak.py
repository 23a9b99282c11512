"""A kiosk serving session after session holds no more memory, threads, files or folders.

`benchmarks/soak.py` runs 1,000 sessions and prints the figures; this runs enough of them to
catch a leak of one thread, file or folder per session, or a few kilobytes each.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SESSIONS = 120


def soak_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("soak", ROOT / "benchmarks" / "soak.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


async def test_many_scripted_sessions_in_one_kiosk_leak_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a temporary folder of its own: other processes on this machine come and go in /tmp
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    soak = soak_module()
    report = await soak.soak(SESSIONS, 4, tmp_path)
    assert report.errors == []
    assert report.outcomes == {
        "resident-feedback:finished": SESSIONS // 2,
        "si-certificate:finished": SESSIONS // 2,
    }
    growth = report.growth()  # from the checkpoint after the first 30 sessions to the end
    # a leak grows; one fewer (a pool's idle thread ending on a busy machine) is none
    assert max(growth.threads, growth.open_files, growth.temp_entries) <= 0, report
    assert growth.rss_mb < 4.0, report  # a few KB a session would show here
