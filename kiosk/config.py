"""The kiosk configuration: one TOML file, validated, with single keys overridable from the
environment.

Environment overrides: a variable named ``KIOSK__<SECTION>__<KEY>[__<KEY>...]`` replaces one key
of the file, the parts separated by double underscores and matched in lower case. Examples::

    KIOSK__TERMINAL__ID=gx-0042                       # [terminal] id = "gx-0042"
    KIOSK__TIMEOUTS__HTTP=5                           # [timeouts] http = 5
    KIOSK__BACKENDS__SOCIAL_INSURANCE__BASE_URL=https://si.example.gov.cn/api
    KIOSK__DEVICES__PRINTER__PORT=9101                # [devices.printer] port = 9101
    KIOSK__DATA_DIR=/var/lib/kiosk

Values are strings and converted like the file's values would be ("5" to 5, "true" to true).
Variables with a single underscore after ``KIOSK`` (``KIOSK_HOME``) are not overrides.

Relative paths (``data_dir``, ``flows_dir``) are relative to the directory of the configuration
file, or to the working directory when there is no file.
"""

from __future__ import annotations

import difflib
import inspect
import json
import logging
import os
import re
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from kiosk.early_config import ENV_PREFIX as ENV_PREFIX  # re-exported: part of this API
from kiosk.early_config import ConfigError as ConfigError  # re-exported: part of this API
from kiosk.early_config import apply_environment as _apply_environment
from kiosk.early_config import lower_first as _lower_first
from kiosk.early_config import read_toml as _read_toml
from peripherals import registry
from peripherals.errors import PeripheralError
from peripherals.hub import DeviceConfig

log = logging.getLogger(__name__)

REPO_FLOWS_DIR = Path(__file__).resolve().parent.parent / "flows"
"""The shipped flows, used when `flows_dir` is not configured."""

DEFAULT_DEVICES: dict[str, tuple[str, ...]] = {
    "government": ("id_card", "smart_card", "printer", "scanner", "keypad", "speaker", "headset"),
    "locker": ("lock_board", "scanner", "keypad", "printer", "speaker", "headset"),
}
"""Devices a kiosk of each mode gets, simulated, when it runs without any configured devices."""

# Constructor parameters every driver takes that are not configuration options.
_NOT_OPTIONS = frozenset({"self", "name", "dispatcher"})
# Keys whose values must never be echoed in an error message.
_SECRET_KEYS = frozenset({"token", "headers", "password", "secret"})


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedName(_Section):
    """A name in both interface languages."""

    zh_CN: str = Field(min_length=1)
    en: str = Field(min_length=1)


class TerminalConfig(_Section):
    """Who this kiosk is and what it does."""

    id: str = Field("kiosk-dev", min_length=1, pattern=r"^[A-Za-z0-9._-]+$")
    name: LocalizedName = LocalizedName(zh_CN="社区自助服务终端", en="Community self-service kiosk")
    mode: Literal["government", "locker"] = "government"
    language: Literal["zh_CN", "en"] = "zh_CN"


class DeviceSection(BaseModel):
    """One `[devices.<name>]` table: a driver name plus that driver's options."""

    model_config = ConfigDict(extra="allow", frozen=True)

    driver: str = Field(min_length=1)
    kind: str | None = None

    def options(self) -> dict[str, Any]:
        """The driver options: every key of the table except `driver` and `kind`."""
        return dict(self.model_extra or {})


class BackendConfig(_Section):
    """One named back office reached over HTTP(S)."""

    base_url: str = Field(pattern=r"^https?://[^\s/]+")
    timeout: float = Field(10.0, gt=0, le=300)
    """Seconds to wait for a reply; `timeouts.http` when not given in the file."""
    headers: dict[str, str] = Field(default_factory=dict)
    token: SecretStr | None = None
    """Sent as `Authorization: Bearer <token>`; never logged."""


class TimeoutsConfig(_Section):
    """Session and network timeouts, in seconds."""

    session_inactivity: float = Field(120.0, gt=0)
    warning_lead: float = Field(30.0, ge=20)
    """How long before the inactivity timeout the resident is warned (at least 20 s)."""
    http: float = Field(10.0, gt=0, le=300)

    @model_validator(mode="after")
    def _warning_fits(self) -> TimeoutsConfig:
        if self.warning_lead >= self.session_inactivity:
            raise ValueError(
                f"warning_lead ({self.warning_lead:g} s) must be shorter than "
                f"session_inactivity ({self.session_inactivity:g} s)"
            )
        return self


class AccessibilityConfig(_Section):
    """What every session starts with; a session's changes are reset when it ends."""

    elder_mode: bool = False
    high_contrast: bool = False
    volume: int = Field(70, ge=0, le=100)


class DisplayConfig(_Section):
    """The kiosk window: locked down by default (`kiosk run --windowed` for development)."""

    fullscreen: bool = True
    borderless: bool = True
    show_cursor: bool = False
    width: int | None = Field(None, ge=320, le=7680)
    height: int | None = Field(None, ge=240, le=4320)


class UpdateConfig(_Section):
    """Where flow bundles come from (optional)."""

    repository: str | None = Field(None, pattern=r"^(https?|file)://\S+$")
    poll_interval: float = Field(900.0, ge=10)


class Config(_Section):
    """The whole validated configuration."""

    terminal: TerminalConfig = TerminalConfig()
    simulate: bool = False
    """Swap every device driver for its simulator and every backend for the demo back office."""
    devices: dict[str, DeviceSection] = Field(default_factory=dict)
    backends: dict[str, BackendConfig] = Field(default_factory=dict)
    data_dir: Path = Path("data")
    flows_dir: Path = REPO_FLOWS_DIR
    timeouts: TimeoutsConfig = TimeoutsConfig()
    accessibility: AccessibilityConfig = AccessibilityConfig()
    display: DisplayConfig = DisplayConfig()
    update: UpdateConfig = UpdateConfig()
    source: Path | None = Field(None, exclude=True)
    """The file this configuration was read from, if any."""

    @field_validator("devices", "backends")
    @classmethod
    def _names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(f"name {name!r} must be lower case letters, digits and _")
        return value

    def device_configs(self) -> dict[str, DeviceConfig]:
        """The devices as the peripheral hub wants them."""
        return {
            name: DeviceConfig(
                kind=section.kind or name, driver=section.driver, options=section.options()
            )
            for name, section in self.devices.items()
        }

    @property
    def database_path(self) -> Path:
        """Where the kiosk's SQLite database lives."""
        return self.data_dir / "kiosk.sqlite3"


def load_config(path: Path | None, environ: Mapping[str, str] | None = None) -> Config:
    """Read, merge environment overrides into, and validate the configuration.

    `path=None` means the embedded defaults: simulated devices, the demo back office and the
    database in `./data`. Raises `ConfigError` with a one-line message.
    """
    env = os.environ if environ is None else environ
    label = str(path) if path is not None else "(built-in defaults)"
    if path is None:
        raw: dict[str, Any] = {"simulate": True}
    else:
        raw = _read_toml(path)
    sources = _apply_environment(raw, env, label)
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise _config_error(exc, label, sources) from None
    config = _resolve(config, path)
    devices = _validate_devices(config, label, sources)
    return config.model_copy(update={"devices": devices, "source": path})


def _resolve(config: Config, path: Path | None) -> Config:
    """Resolve relative paths, default backend timeouts and default simulated devices."""
    base = path.parent if path is not None else Path.cwd()
    update: dict[str, Any] = {}
    for key in ("data_dir", "flows_dir"):
        value: Path = getattr(config, key)
        value = value.expanduser()
        update[key] = value if value.is_absolute() else base / value
    update["backends"] = {
        name: backend
        if "timeout" in backend.model_fields_set
        else backend.model_copy(update={"timeout": config.timeouts.http})
        for name, backend in config.backends.items()
    }
    if config.simulate and not config.devices:
        update["devices"] = {
            kind: DeviceSection(driver=registry.SIMULATED)
            for kind in DEFAULT_DEVICES[config.terminal.mode]
        }
    return config.model_copy(update=update)


def _validate_devices(
    config: Config, label: str, sources: Mapping[tuple[str, ...], str]
) -> dict[str, DeviceSection]:
    """Check each device's kind, driver and options against the driver's constructor."""
    checked: dict[str, DeviceSection] = {}
    for name, section in config.devices.items():
        kind = section.kind or name
        where = ("devices", name)
        if kind not in registry.KINDS:
            key = "kind" if section.kind else None
            raise ConfigError(
                _line(
                    label,
                    (*where, key) if key else where,
                    f"unknown device kind {kind!r} (known: {', '.join(registry.KINDS)}); "
                    "name the table after the kind or set kind = ...",
                    sources,
                )
            )
        try:
            table = registry.drivers(kind)
        except PeripheralError as exc:
            raise ConfigError(_line(label, where, str(exc), sources)) from None
        if not table or (section.driver == registry.SIMULATED and registry.SIMULATED not in table):
            # The kind's drivers are not installed in this build; the hub reports it at open.
            checked[name] = section
            continue
        if section.driver not in table:
            known = ", ".join(sorted(table))
            raise ConfigError(
                _line(
                    label,
                    (*where, "driver"),
                    f"unknown {kind} driver {section.driver!r} (known: {known})",
                    sources,
                )
            )
        if section.driver == registry.SIMULATED and not section.options():
            # Nothing to check, and importing every simulator would slow the kiosk's start.
            checked[name] = section
            continue
        options_model = _options_model(kind, section.driver)
        if options_model is None:
            checked[name] = section
            continue
        try:
            validated = options_model.model_validate(section.options())
        except ValidationError as exc:
            raise _config_error(exc, label, sources, prefix=where) from None
        options = {key: getattr(validated, key) for key in validated.model_fields_set}
        checked[name] = DeviceSection(driver=section.driver, kind=section.kind, **options)
    return checked


def _options_model(kind: str, driver: str) -> type[BaseModel] | None:
    """A pydantic model of the driver's keyword options, from its constructor's signature."""
    try:
        cls = registry.driver_class(kind, driver)
    except (PeripheralError, ImportError) as exc:
        # A missing optional library: the options cannot be checked here; the hub says why.
        log.debug("cannot check options of %s driver %s: %s", kind, driver, exc)
        return None
    init = cls.__init__
    signature = inspect.signature(init)
    try:
        hints = typing.get_type_hints(init)
    except Exception:  # an annotation naming a type-checking-only import
        hints = {}
    fields: dict[str, Any] = {}
    for parameter in signature.parameters.values():
        if parameter.name in _NOT_OPTIONS:
            continue
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            return None  # accepts anything: nothing to check
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        annotation = hints.get(parameter.name, Any)
        default = ... if parameter.default is inspect.Parameter.empty else parameter.default
        fields[parameter.name] = (annotation, default)
    return create_model(
        f"{kind}_{driver}_options",
        __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=True),
        **fields,
    )


def _config_error(
    exc: ValidationError,
    label: str,
    sources: Mapping[tuple[str, ...], str],
    prefix: tuple[str, ...] = (),
) -> ConfigError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = (*prefix, *(str(part) for part in first["loc"]))
    message = _describe(first, loc)
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ConfigError(_line(label, loc, message, sources))


def _line(
    label: str,
    loc: tuple[str, ...],
    message: str,
    sources: Mapping[tuple[str, ...], str],
) -> str:
    key = ".".join(loc)
    variable = sources.get(tuple(part.lower() for part in loc))
    where = f"environment {variable}" if variable else label
    return f"{where}: {key}: {message}" if key else f"{where}: {message}"


_EXPECTED = {
    "int": "expected an integer",
    "float": "expected a number",
    "bool": "expected true or false",
    "string": "expected a string",
    "dict": "expected a table",
    "model": "expected a table",
    "model_attributes": "expected a table",
    "list": "expected a list",
    "path": "expected a path",
}


def _describe(error: Mapping[str, Any], loc: tuple[str, ...]) -> str:
    kind: str = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key" + _suggestion(loc)
    base = kind.removesuffix("_type").removesuffix("_parsing")
    if base in _EXPECTED and (kind.endswith("_type") or kind.endswith("_parsing")):
        text = _EXPECTED[base]
    elif kind == "literal_error":
        text = f"expected {ctx.get('expected', 'one of the allowed values')}"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {
            "greater_than": "more than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        bound = next(iter(ctx.values()), "?")
        text = (
            f"must be {words} {bound:g}"
            if isinstance(bound, int | float)
            else f"must be {words} {bound}"
        )
    elif kind == "string_pattern_mismatch":
        text = _PATTERN_HINTS.get(loc[-1], f"does not match {ctx.get('pattern', '')}")
    elif kind == "string_too_short":
        text = "must not be empty"
    elif kind == "value_error":
        text = str(ctx.get("error", error.get("msg", "invalid value")))
    else:
        text = _lower_first(str(error.get("msg", "invalid value")))
    if loc and loc[-1] not in _SECRET_KEYS and isinstance(value, str | int | float | bool):
        if kind != "value_error":
            text += f", got {json.dumps(value, ensure_ascii=False)}"
    return text


_PATTERN_HINTS = {
    "base_url": "expected an http:// or https:// URL",
    "repository": "expected an http://, https:// or file:// URL",
    "id": "use only letters, digits, '.', '_' and '-'",
}


def _suggestion(loc: tuple[str, ...]) -> str:
    """` (did you mean x?)` when an unknown key is a typo of a known one."""
    model: type[BaseModel] | None = Config
    for part in loc[:-1]:
        field = model.model_fields.get(part) if model else None
        annotation = field.annotation if field else None
        model = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
        if model is None:
            return ""
    if model is None:
        return ""
    close = difflib.get_close_matches(loc[-1], list(model.model_fields), n=1)
    return f" (did you mean {close[0]}?)" if close else ""
