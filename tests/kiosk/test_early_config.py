"""The early reader agrees with the full configuration on what the first frame shows, and leaves
every value it cannot vouch for to the full validation (so its error still comes first)."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from kiosk.config import (
    Config,
    ConfigError,
    DisplayConfig,
    LocalizedName,
    TerminalConfig,
    load_config,
)
from kiosk.early_config import (
    CONFIG_KEYS,
    DISPLAY_KEYS,
    LANGUAGES,
    NAME_KEYS,
    SIZE_BOUNDS,
    TERMINAL_KEYS,
    StartSettings,
    read_start_settings,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def full(path: Path | None, env: dict[str, str]) -> StartSettings:
    return StartSettings.from_config(load_config(path, env))


# -- one source of truth ---------------------------------------------------------------------------


def test_key_names_and_bounds_are_those_of_the_configuration_models() -> None:
    assert set(Config.model_fields) == CONFIG_KEYS
    assert set(TerminalConfig.model_fields) == TERMINAL_KEYS
    assert tuple(LocalizedName.model_fields) == NAME_KEYS
    assert set(DisplayConfig.model_fields) == DISPLAY_KEYS
    language = TerminalConfig.model_fields["language"].annotation
    assert typing.get_args(language) == LANGUAGES
    for key, (low, high) in SIZE_BOUNDS.items():
        bounds = {type(m).__name__: m for m in DisplayConfig.model_fields[key].metadata}
        assert (bounds["Ge"].ge, bounds["Le"].le) == (low, high)


def test_defaults_are_those_of_the_configuration() -> None:
    assert StartSettings() == StartSettings.from_config(Config())
    # the embedded defaults (no file) simulate
    assert read_start_settings(None, {}) == full(None, {})
    assert read_start_settings(None, {}) == StartSettings(simulate=True)


# -- agreement -------------------------------------------------------------------------------------

AGREEING = {
    "a named English kiosk in a window": (
        """
        simulate = false
        data_dir = "/var/lib/kiosk"
        [terminal]
        id = "xfl-01"
        mode = "locker"
        language = "en"
        name = { zh_CN = "幸福里社区服务站", en = "Xingfuli community station" }
        [display]
        fullscreen = false
        borderless = false
        show_cursor = true
        width = 1280
        height = 1024
        [timeouts]
        session_inactivity = 90
        """,
        {},
    ),
    "overrides from the environment": (
        "[terminal]\nlanguage = 'zh_CN'\n",
        {
            "KIOSK__TERMINAL__LANGUAGE": "en",
            "KIOSK__SIMULATE": "Yes",
            "KIOSK__DISPLAY__FULLSCREEN": "off",
            "KIOSK__DISPLAY__SHOW_CURSOR": "1",
            "KIOSK__DISPLAY__WIDTH": "1920",
            "KIOSK__DISPLAY__HEIGHT": "1080",
            "KIOSK_HOME": "/not/an/override",
        },
    ),
    "an empty file": ("", {}),
}


@pytest.mark.parametrize("case", sorted(AGREEING))
def test_the_early_reader_reads_what_the_full_validation_reads(tmp_path: Path, case: str) -> None:
    text, env = AGREEING[case]
    path = write(tmp_path, text.replace("\n        ", "\n"))
    early = read_start_settings(path, env)
    assert early is not None
    assert early == full(path, env)


UNSURE = {
    # (file, environment, the full validation's complaint or None when it accepts the value)
    "a window too small": ("[display]\nwidth = 100\nheight = 100\n", {}, "display.width"),
    "a language not offered": ("[terminal]\nlanguage = 'fr'\n", {}, "terminal.language"),
    "a word that is no boolean": ("", {"KIOSK__DISPLAY__FULLSCREEN": "maybe"}, "fullscreen"),
    "a misspelt section": ("[dispaly]\nfullscreen = false\n", {}, "did you mean display?"),
    "a misspelt display key": ("[display]\nfulscreen = false\n", {}, "display.fulscreen"),
    "a name in one language": ("", {"KIOSK__TERMINAL__NAME__EN": "7"}, "terminal.name.zh_CN"),
    "an empty name": ("[terminal.name]\nzh_CN = ''\nen = 'x'\n", {}, "terminal.name.zh_CN"),
    "a table for a flag": ("[simulate]\non = true\n", {}, "simulate"),
    "a width as a fraction": ("[display]\nwidth = 1280.0\nheight = 1024\n", {}, None),
    "a flag as a number": ("[display]\nfullscreen = 0\n", {}, None),
}


@pytest.mark.parametrize("case", sorted(UNSURE))
def test_values_it_cannot_vouch_for_are_left_to_the_full_validation(
    tmp_path: Path, case: str
) -> None:
    text, env, complaint = UNSURE[case]
    path = write(tmp_path, text)
    assert read_start_settings(path, env) is None
    if complaint is None:
        load_config(path, env)  # valid after all: only slower to start
    else:
        with pytest.raises(ConfigError, match=complaint):
            load_config(path, env)


@pytest.mark.parametrize(
    ("text", "env"),
    [
        ("[display\nfullscreen = false\n", {}),
        ("simulate = true\nsimulate = false\n", {}),
        ("", {"KIOSK__DISPLAY____WIDTH": "1280"}),
        ("display = 1\n", {"KIOSK__DISPLAY__WIDTH": "1280"}),
    ],
)
def test_unreadable_files_and_bad_overrides_fail_with_the_same_line(
    tmp_path: Path, text: str, env: dict[str, str]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as early:
        read_start_settings(path, env)
    with pytest.raises(ConfigError) as late:
        load_config(path, env)
    assert str(early.value) == str(late.value)
    assert "\n" not in str(early.value)


def test_a_missing_file_fails_with_the_same_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file") as early:
        read_start_settings(tmp_path / "absent.toml", {})
    with pytest.raises(ConfigError) as late:
        load_config(tmp_path / "absent.toml", {})
    assert str(early.value) == str(late.value)
