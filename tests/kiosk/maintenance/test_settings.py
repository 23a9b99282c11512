"""Settings written back to kiosk.toml: comments kept, validated, atomic, private."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config
from kiosk.maintenance.settings import Setting, write_setting

TOML = """# the hall kiosk
[terminal]
id = "gx-0042"  # on the door

[accessibility]
volume = 70  # loud enough for the hall
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(TOML, encoding="utf-8")
    path.chmod(0o640)
    return path


def test_a_setting_is_written_keeping_comments_and_mode(config: Path) -> None:
    written = write_setting(config, Setting.VOLUME, 45)
    assert written.accessibility.volume == 45
    text = config.read_text(encoding="utf-8")
    assert "volume = 45  # loud enough for the hall" in text
    assert text.startswith("# the hall kiosk") and 'id = "gx-0042"  # on the door' in text
    write_setting(config, Setting.INACTIVITY, 150)  # a table the file did not have
    write_setting(config, Setting.LANGUAGE, "en")
    loaded = load_config(config, environ={})
    assert loaded.timeouts.session_inactivity == 150 and loaded.terminal.language == "en"
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    assert sorted(os.listdir(config.parent)) == ["kiosk.toml"]


def test_an_invalid_value_leaves_the_file_as_it_was(config: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        write_setting(config, Setting.VOLUME, 999)
    assert "volume" in str(refused.value) and str(config) in str(refused.value)
    assert config.read_text(encoding="utf-8") == TOML
    assert sorted(os.listdir(config.parent)) == ["kiosk.toml"]
