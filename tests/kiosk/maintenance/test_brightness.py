"""Screen brightness through a (fake) sysfs backlight folder, and "not supported" without one."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.maintenance.brightness import apply_brightness, find_backlight


def backlight(root: Path, name: str, kind: str, raw: int, maximum: int) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "type").write_text(f"{kind}\n")
    (folder / "max_brightness").write_text(f"{maximum}\n")
    (folder / "brightness").write_text(f"{raw}\n")
    return folder


def test_the_firmware_backlight_is_set_in_percent(tmp_path: Path) -> None:
    backlight(tmp_path, "acpi_video0", "raw", 5, 10)
    panel = backlight(tmp_path, "intel_backlight", "firmware", 960, 1920)
    found = find_backlight(tmp_path)
    assert found is not None and found.folder == panel and found.percent() == 50
    assert found.set_percent(75) == 75 and (panel / "brightness").read_text() == "1440\n"
    with pytest.raises(ValueError, match="10 to 100"):
        found.set_percent(5)  # too dark to be set back by touch
    assert apply_brightness(30, tmp_path) and found.percent() == 30
    assert not apply_brightness(None, tmp_path) and found.percent() == 30


def test_no_backlight_is_not_supported_here(tmp_path: Path) -> None:
    assert find_backlight(tmp_path / "missing") is None
    assert find_backlight(tmp_path) is None  # an empty class folder
    broken = tmp_path / "panel"
    broken.mkdir()
    (broken / "max_brightness").write_text("0\n")
    assert find_backlight(tmp_path) is None
    assert not apply_brightness(50, tmp_path)
