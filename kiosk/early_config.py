"""The few settings the kiosk's first frame needs, read before the full configuration.

`kiosk run` draws the attract screen before anything else; validating the whole configuration
with pydantic (`kiosk.config`) costs about a tenth of a second, so it runs right after that
first frame. What the frame needs (the terminal's name and language, the window, the simulate
flag) is read here with `tomllib` and the same ``KIOSK__A__B`` environment overrides, strictly:
a value this reader cannot vouch for (a wrong type, a number out of range, an unknown key in a
section it reads) makes `read_start_settings` return None, and the caller validates the whole
configuration at once, so that most mistakes are still reported before any window opens.

`kiosk.config` stays the single source of truth for key names, defaults and bounds: the copies
below are checked against its models by the tests. This module imports neither pydantic nor the
peripherals, and `kiosk.config` takes the file reading and the overrides from here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.flow.languages import LANGUAGES

if TYPE_CHECKING:
    from kiosk.config import Config

ENV_PREFIX = "KIOSK__"
"""Prefix of environment variables that override single configuration keys."""

CONFIG_KEYS = frozenset(
    {
        "terminal",
        "simulate",
        "devices",
        "backends",
        "data_dir",
        "flows_dir",
        "timeouts",
        "accessibility",
        "display",
        "update",
        "source",
    }
)
"""The top-level keys of `kiosk.config.Config`."""
TERMINAL_KEYS = frozenset({"id", "name", "mode", "language"})
"""The keys of `[terminal]` (`kiosk.config.TerminalConfig`)."""
NAME_KEYS = LANGUAGES
"""The keys of `[terminal.name]` (`kiosk.config.LocalizedName`), all required."""
DISPLAY_KEYS = frozenset({"fullscreen", "borderless", "show_cursor", "width", "height"})
"""The keys of `[display]` (`kiosk.config.DisplayConfig`)."""
SIZE_BOUNDS = {"width": (320, 7680), "height": (240, 4320)}
"""Inclusive bounds of `display.width` and `display.height`."""

# The strings pydantic reads as booleans (case does not matter), as an override's value is.
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


class ConfigError(Exception):
    """The configuration cannot be used; `str()` is one line naming the file, key and problem."""


class _Unsure(Exception):
    """A value the early reader does not vouch for: the full validation must judge it."""


@dataclass(frozen=True)
class DisplaySettings:
    """The `[display]` section: how the kiosk window opens."""

    fullscreen: bool = True
    borderless: bool = True
    show_cursor: bool = False
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class StartSettings:
    """What the first frame needs: the attract screen's name, the language, the window."""

    terminal_name: Mapping[str, str] = field(
        default_factory=lambda: {"zh_CN": "社区自助服务终端", "en": "Community self-service kiosk"}
    )
    language: str = "zh_CN"
    simulate: bool = False
    display: DisplaySettings = DisplaySettings()

    @classmethod
    def from_config(cls, config: Config) -> StartSettings:
        """The same settings, taken from a fully validated configuration."""
        display = config.display
        return cls(
            terminal_name=dict(config.terminal.name.model_dump()),
            language=config.terminal.language,
            simulate=config.simulate,
            display=DisplaySettings(
                fullscreen=display.fullscreen,
                borderless=display.borderless,
                show_cursor=display.show_cursor,
                width=display.width,
                height=display.height,
            ),
        )


@dataclass(frozen=True)
class DeferredConfig:
    """A configuration validated after the first frame: `settings` draw the attract screen,
    `load()` returns the validated whole (or raises `ConfigError`)."""

    settings: StartSettings
    load: Callable[[], Config]


def read_start_settings(
    path: Path | None, environ: Mapping[str, str] | None = None
) -> StartSettings | None:
    """The start settings of the configuration at `path` (None: the embedded defaults).

    Raises `ConfigError` exactly as `kiosk.config.load_config` would for a file that cannot be
    read or is not TOML and for a malformed override; returns None when a key it reads holds a
    value it does not vouch for (the caller then runs the full validation before any window).
    """
    env = os.environ if environ is None else environ
    label = str(path) if path is not None else "(built-in defaults)"
    raw: dict[str, Any] = {"simulate": True} if path is None else read_toml(path)
    apply_environment(raw, env, label)
    try:
        return _settings(raw)
    except _Unsure:
        return None


def _settings(raw: Mapping[str, Any]) -> StartSettings:
    if not set(raw) <= CONFIG_KEYS:
        raise _Unsure
    defaults = StartSettings()
    terminal = _table(raw, "terminal", TERMINAL_KEYS)
    name = defaults.terminal_name
    if "name" in terminal:
        given = _table(terminal, "name", frozenset(NAME_KEYS))
        if set(given) != set(NAME_KEYS):
            raise _Unsure
        name = {key: _text(given[key]) for key in NAME_KEYS}
    language = terminal.get("language", defaults.language)
    if language not in LANGUAGES:
        raise _Unsure
    display = _table(raw, "display", DISPLAY_KEYS)
    shown = defaults.display
    return StartSettings(
        terminal_name=name,
        language=language,
        simulate=_flag(raw.get("simulate", defaults.simulate)),
        display=DisplaySettings(
            fullscreen=_flag(display.get("fullscreen", shown.fullscreen)),
            borderless=_flag(display.get("borderless", shown.borderless)),
            show_cursor=_flag(display.get("show_cursor", shown.show_cursor)),
            width=_size(display.get("width"), "width"),
            height=_size(display.get("height"), "height"),
        ),
    )


def _table(raw: Mapping[str, Any], key: str, known: frozenset[str]) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict) or not set(value) <= known:
        raise _Unsure
    return value


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise _Unsure
    return value


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise _Unsure


def _size(value: object, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Unsure
    low, high = SIZE_BOUNDS[key]
    if not low <= value <= high:
        raise _Unsure
    return value


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML file at `path` as a dict; `ConfigError` (one line) when it cannot be read."""
    import tomllib  # ~3 ms, and not needed by the embedded defaults

    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a TOML file") from None
    except PermissionError:
        raise ConfigError(f"{path}: permission denied") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", message, re.S)
        if match:
            what, line, column = match.groups()
            raise ConfigError(
                f"{path}: line {line}, column {column}: invalid TOML: {lower_first(what)}"
            ) from None
        raise ConfigError(f"{path}: invalid TOML: {lower_first(message)}") from None


_CASED_KEYS = {language.lower(): language for language in LANGUAGES}


def apply_environment(
    raw: dict[str, Any], env: Mapping[str, str], label: str
) -> dict[tuple[str, ...], str]:
    """Set each `KIOSK__A__B` key in `raw`; returns which keys came from which variable."""
    sources: dict[tuple[str, ...], str] = {}
    for variable in sorted(env):
        if not variable.startswith(ENV_PREFIX):
            continue
        words = variable[len(ENV_PREFIX) :].split("__")
        if not all(words):
            raise ConfigError(f"environment {variable}: empty key part (use __ between keys)")
        # Environment names are upper case; keys are lower case except language codes (zh_CN).
        parts = tuple(_CASED_KEYS.get(word.lower(), word.lower()) for word in words)
        table = raw
        for depth, part in enumerate(parts[:-1]):
            child = table.setdefault(part, {})
            if not isinstance(child, dict):
                where = ".".join(parts[: depth + 1])
                raise ConfigError(f"environment {variable}: {where} is a value, not a table")
            table = child
        table[parts[-1]] = env[variable]
        sources[parts] = variable
    return sources


def lower_first(text: str) -> str:
    """`text` with its first letter in lower case (error messages continue a sentence)."""
    return text[:1].lower() + text[1:] if text else text
