"""The configuration's raw input: the TOML file and the ``KIOSK__A__B`` environment overrides.

`kiosk.config` validates what these return; both fail with a one-line `ConfigError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk.flow.languages import LANGUAGES

ENV_PREFIX = "KIOSK__"
"""Prefix of environment variables that override single configuration keys."""


class ConfigError(Exception):
    """The configuration cannot be used; `str()` is one line naming the file, key and problem."""


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
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply") from None
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


def apply_environment(raw: dict[str, Any], env: Mapping[str, str]) -> dict[tuple[str, ...], str]:
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
