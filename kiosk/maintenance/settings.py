"""Settings the service menu changes, written back to the configuration file atomically.

The file is edited with tomlkit, so its comments and layout stay; the new text is validated by
the one configuration reader (`kiosk.config.load_config`) from a temporary file beside the
original, then renamed over it: the file is always either the old one or the new, valid one.
`kiosk menu pin` writes maintainers' PIN hashes the same way.
"""

from __future__ import annotations

import contextlib
import enum
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from kiosk.config import Config, ConfigError, load_config


class Setting(enum.StrEnum):
    """A setting the service menu offers."""

    VOLUME = "volume"
    INACTIVITY = "session_inactivity"
    WARNING = "warning_lead"
    LANGUAGE = "language"
    ELDER = "elder_mode"


@dataclass(frozen=True)
class Place:
    """Where a setting lives in the file, and its bounds when it is a number."""

    keys: tuple[str, ...]
    minimum: int = 0
    maximum: int = 0


PLACES: dict[Setting, Place] = {
    Setting.VOLUME: Place(("accessibility", "volume"), 0, 100),
    Setting.INACTIVITY: Place(("timeouts", "session_inactivity"), 30, 3600),
    Setting.WARNING: Place(("timeouts", "warning_lead"), 20, 300),
    Setting.LANGUAGE: Place(("terminal", "language")),
    Setting.ELDER: Place(("accessibility", "elder_mode")),
}


def current(config: Config) -> dict[Setting, Any]:
    """Each setting's value in `config`."""
    return {
        Setting.VOLUME: config.accessibility.volume,
        Setting.INACTIVITY: config.timeouts.session_inactivity,
        Setting.WARNING: config.timeouts.warning_lead,
        Setting.LANGUAGE: config.terminal.language,
        Setting.ELDER: config.accessibility.elder_mode,
    }


def _document(path: Path) -> tomlkit.TOMLDocument:
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def write_values(path: Path, values: Mapping[tuple[str, ...], Any]) -> Config:
    """Set `values` (key path → value) in the TOML file at `path` (made if missing), keeping
    its comments; validate the result and rename it into place. Raises `ConfigError` (file
    unchanged)."""
    document = _document(path)
    for keys, value in values.items():
        table: Any = document
        for depth, key in enumerate(keys[:-1]):
            if key not in table:  # `[a.b]` alone, rather than an empty `[a]` above it
                table[key] = tomlkit.table(is_super_table=depth < len(keys) - 2)
            table = table[key]
        table[keys[-1]] = value
    return _replace(path, document)


def remove_key(path: Path, keys: tuple[str, ...]) -> Config:
    """Remove the key or table at `keys` from the TOML file (checked, atomic, comments kept)."""
    document = _document(path)
    table: Any = document
    for key in keys[:-1]:
        if key not in table:
            raise ConfigError(f"{path}: no {'.'.join(keys)}")
        table = table[key]
    if keys[-1] not in table:
        raise ConfigError(f"{path}: no {'.'.join(keys)}")
    del table[keys[-1]]
    return _replace(path, document)


def _replace(path: Path, document: tomlkit.TOMLDocument) -> Config:
    """Write `document` beside `path`, check it with the configuration reader, rename it."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        # private from the start: the file holds back-office tokens and PIN hashes
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(descriptor, "w", encoding="utf-8") as out:
            out.write(tomlkit.dumps(document))
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(partial, stat.S_IMODE(path.stat().st_mode))
        try:
            load_config(partial, environ={})
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(str(partial), str(path))) from None
        os.replace(partial, path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return load_config(path, environ={})


def write_setting(path: Path, setting: Setting, value: Any) -> Config:
    """Write one setting back to the file (validated, atomic)."""
    return write_values(path, {PLACES[setting].keys: value})
