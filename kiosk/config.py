"""The kiosk configuration: one TOML file, validated, with single keys overridable from the
environment.

Environment overrides: a variable named ``KIOSK__<SECTION>__<KEY>[__<KEY>...]`` replaces one key
of the file, the parts separated by double underscores and matched in lower case. Examples::

    KIOSK__TERMINAL__ID=gx-0042                       # [terminal] id = "gx-0042"
    KIOSK__TIMEOUTS__HTTP=5                           # [timeouts] http = 5
    KIOSK__BACKENDS__SOCIAL_INSURANCE__BASE_URL=https://si.example.gov.cn/api
    KIOSK__DEVICES__PRINTER__PORT=9101                # [devices.printer] port = 9101
    KIOSK__DATA_DIR=/var/lib/kiosk

Values are strings and converted to the key's type ("5" to 5, "4.5" to 4.5; "true", "false",
"1" and "0" to booleans). Variables with a single underscore after ``KIOSK`` (``KIOSK_HOME``)
are not overrides.

Relative paths (``data_dir``, ``flows_dir``) are relative to the directory of the configuration
file, or to the working directory when there is no file.

The models are `msgspec` structs: importing this module and validating a file take a few
milliseconds, so `kiosk run` validates the whole configuration before its window opens.
"""

# No `from __future__ import annotations`: msgspec reads a struct's annotations when it first
# converts to it, and each one written as a string costs a compile (~20 ms a process for the
# flow schema and the configuration).

import inspect
import logging
import os
import re
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

from kiosk.config_file import ENV_PREFIX as ENV_PREFIX  # re-exported: part of this API
from kiosk.config_file import ConfigError as ConfigError  # re-exported: part of this API
from kiosk.config_file import apply_environment, read_toml
from kiosk.locker.config import LockerConfig
from peripherals import registry
from peripherals.errors import PeripheralError
from peripherals.keypad.keys import Key

if TYPE_CHECKING:
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
# The keys of a `[devices.<name>]` table that are not the driver's options.
_DEVICE_KEYS = ("driver", "kind")


class Secret:
    """A value that is never shown: `repr()` and `str()` hide it; `get_secret_value()` reads it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """The secret itself, for the one place that sends it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _decode(kind: type, value: Any) -> Any:
    """msgspec's hook for the types it does not know: paths and secrets come from strings."""
    if kind is Path and isinstance(value, str):
        return Path(value)
    if kind is Secret and isinstance(value, str):
        return Secret(value)
    if kind is Secret:
        raise ValueError("expected a string")  # the value itself is never echoed
    if kind is Path:
        raise ValueError("expected a path")
    raise ValueError(f"expected {getattr(kind, '__name__', kind)}")


def _mismatch(pattern: str, phrase: str) -> msgspec.Meta:
    """A pattern and what to tell the operator when a value does not match it."""
    return msgspec.Meta(pattern=pattern, extra={"mismatch": phrase})


_Name = Annotated[str, _mismatch(r"^[a-z][a-z0-9_]*$", "must be lower case letters, digits and _")]
_Seconds = Annotated[float, msgspec.Meta(gt=0, le=300)]
_Text = Annotated[str, msgspec.Meta(min_length=1)]


class _Section(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A table of the file: unknown keys are errors, values never change once read.

    Each section repeats `frozen=True`: msgspec inherits it, but type checkers want it spelled out.
    """


class LocalizedName(_Section, frozen=True):
    """A name in both interface languages."""

    zh_CN: _Text
    en: _Text


class TerminalConfig(_Section, frozen=True):
    """Who this kiosk is and what it does."""

    id: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            pattern=r"^[A-Za-z0-9._-]+$",
            extra={"mismatch": "use only letters, digits, '.', '_' and '-'"},
        ),
    ] = "kiosk-dev"
    name: LocalizedName = LocalizedName(zh_CN="社区自助服务终端", en="Community self-service kiosk")
    mode: Literal["government", "locker"] = "government"
    language: Literal["zh_CN", "en"] = "zh_CN"


class DeviceSection(_Section, frozen=True):
    """One `[devices.<name>]` table: a driver name, the device kind when the table is not named
    after it, and every other key as the driver's options."""

    driver: _Text
    kind: str | None = None
    options: dict[str, Any] = {}


_HeaderName = Annotated[
    str, _mismatch(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", "is not an HTTP header name")
]
_HeaderValue = Annotated[
    str, _mismatch(r"^[^\x00-\x08\x0a-\x1f\x7f]*$", "must be one line without control characters")
]
_LOOPBACK = ("localhost", "127.", "[::1]")


class BackendConfig(_Section, frozen=True):
    """One named back office reached over HTTP(S).

    Credentials (`token`, `headers`, a client certificate) go only over https, or plain http to
    this machine (loopback); `client_cert`/`client_key` authenticate the kiosk (mutual TLS) and
    `ca_bundle` names the certificate authorities trusted for this back office.
    """

    base_url: Annotated[
        str,
        _mismatch(
            r"^https?://[A-Za-z0-9.\-\[\]:]+(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$",
            "expected an http:// or https:// URL (no spaces, query or fragment)",
        ),
    ]
    timeout: _Seconds = 10.0
    """Seconds to wait for a reply; `timeouts.http` when not given in the file."""
    headers: dict[_HeaderName, _HeaderValue] = {}
    token: Secret | None = None
    """Sent as `Authorization: Bearer <token>`; never logged."""
    client_cert: Path | None = None
    """PEM certificate the kiosk presents (mutual TLS); with `client_key` unless it holds both."""
    client_key: Path | None = None
    ca_bundle: Path | None = None
    """PEM file of the authorities to trust for this back office (default: the system's)."""

    def __post_init__(self) -> None:
        host = self.base_url.split("://", 1)[1].split("/", 1)[0]
        plain = self.base_url.startswith("http://")
        loopback = host.split(":", 1)[0] == "localhost" or host.startswith(_LOOPBACK)
        if plain and not loopback and (self.token is not None or self.headers):
            raise ValueError(
                "credentials (token, headers) would travel in clear text: use https://"
            )
        if self.client_key is not None and self.client_cert is None:
            raise ValueError("client_key without client_cert")
        if plain and (self.client_cert is not None or self.ca_bundle is not None):
            raise ValueError("client_cert and ca_bundle need an https:// base_url")


class TimeoutsConfig(_Section, frozen=True):
    """Session and network timeouts, in seconds."""

    session_inactivity: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 120.0
    warning_lead: Annotated[float, msgspec.Meta(ge=20)] = 30.0
    """How long before the inactivity timeout the resident is warned (at least 20 s)."""
    http: _Seconds = 10.0

    def __post_init__(self) -> None:
        if self.warning_lead >= self.session_inactivity:
            raise ValueError(
                f"warning_lead ({self.warning_lead:g} s) must be shorter than "
                f"session_inactivity ({self.session_inactivity:g} s)"
            )


class AccessibilityConfig(_Section, frozen=True):
    """What every session starts with; a session's changes are reset when it ends."""

    elder_mode: bool = False
    high_contrast: bool = False
    volume: Annotated[int, msgspec.Meta(ge=0, le=100)] = 70


class DisplayConfig(_Section, frozen=True):
    """The kiosk window: locked down by default (`kiosk run --windowed` for development)."""

    fullscreen: bool = True
    borderless: bool = True
    show_cursor: bool = False
    width: Annotated[int, msgspec.Meta(ge=320, le=7680)] | None = None
    height: Annotated[int, msgspec.Meta(ge=240, le=4320)] | None = None
    multisamples: Annotated[int, msgspec.Meta(ge=0, le=8)] = 0
    """Antialiasing samples per pixel (Kivy's default is 2): 0 smooths nothing but button
    corners' edges and makes each frame 2.5x cheaper under Mesa's software renderer; raise it
    on a kiosk with a GPU."""
    brightness: Annotated[int, msgspec.Meta(ge=10, le=100)] | None = None
    """Screen brightness in percent, set at start where the panel has a Linux backlight (the
    service menu's settings change it); none: left as it is."""
    backlight: Path = Path("/sys/class/backlight")
    """Where the kernel lists backlight devices (tests point it at a folder of their own)."""


class UpdatesConfig(_Section, frozen=True):
    """Where signed flow bundles come from and how they are taken on (optional)."""

    repository: (
        Annotated[
            str,
            _mismatch(r"^(https?|file)://\S+$", "expected an http://, https:// or file:// URL"),
        ]
        | None
    ) = None
    """The TUF repository (its `metadata/` and `targets/` below it); none: never update."""
    trusted_root: Path | None = None
    """The repository's root metadata installed with the kiosk: the anchor of all trust."""
    group: _Name = "all"
    """The kiosk group for staged rollouts, as named in the signed targets metadata."""
    poll_interval: Annotated[float, msgspec.Meta(ge=10, le=86400)] = 900.0
    jitter: Annotated[float, msgspec.Meta(ge=0, le=0.5)] = 0.1
    """Each wait is the interval give or take this fraction, so a fleet does not poll at once."""
    timeout: _Seconds = 10.0
    max_bundle_bytes: Annotated[int, msgspec.Meta(ge=1024, le=1 << 30)] = 16 * 1024 * 1024
    bundle_dir: Path | None = None
    """Where bundles are kept (default: `bundles` in the data folder)."""
    watch_sessions: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 20
    """A new bundle is watched for its first this many sessions that run a flow..."""
    max_failure_rate: Annotated[float, msgspec.Meta(ge=0, le=1)] = 0.3
    """...and rolled back when more than this share of them fail."""

    def __post_init__(self) -> None:
        if self.repository is not None and self.trusted_root is None:
            raise ValueError("a repository needs trusted_root (its root metadata, installed)")


_ApiPath = Annotated[str, _mismatch(r"^/[A-Za-z0-9/_-]*$", "expected a path such as /staff-calls")]


class HeartbeatConfig(_Section, frozen=True):
    """The heartbeat to the fleet server, sent through the outbox to a back office in
    `[backends]` (its `token` is this kiosk's own, from `kiosk fleet add-kiosk`)."""

    backend: _Name = "fleet"
    """No heartbeat unless a back office of this name is configured."""
    interval: Annotated[float, msgspec.Meta(ge=10, le=86400)] = 300.0
    jitter: Annotated[float, msgspec.Meta(ge=0, le=0.5)] = 0.2


class StaffConfig(_Section, frozen=True):
    """Where a resident's call for staff (人工服务) is sent, through the outbox."""

    backend: _Name = "staff"
    """A back office named in `[backends]` (the demo back office when simulating)."""
    path: _ApiPath = "/staff-calls"


_Role = Literal["technician", "administrator"]
_Corner = Literal["top_left", "top_right", "bottom_left", "bottom_right"]
_KEY_NAMES = "|".join(re.escape(key.value) for key in Key)


class MaintainerPin(_Section, frozen=True):
    """One maintainer's PIN, as `kiosk menu-pin` writes it: a role and a salted argon2 hash."""

    role: _Role
    hash: Annotated[
        str, _mismatch(r"^\$argon2(id|i|d)\$\S+$", "must be an argon2 hash (kiosk menu-pin)")
    ]


class MaintenanceConfig(_Section, frozen=True):
    """The maintainers' service menu: how it is entered, who may enter, and for how long."""

    key: Annotated[str, _mismatch(f"^({_KEY_NAMES})$", "must be a keypad key such as service")] = (
        "service"
    )
    """The keypad key that opens the menu between sessions (`keymap` gives it a physical key)."""
    long_press: Annotated[float, msgspec.Meta(ge=0, le=60)] = 5.0
    """Seconds a finger held in `corner` opens the menu between sessions (0: never)."""
    corner: _Corner = "top_right"
    corner_size: Annotated[float, msgspec.Meta(ge=40, le=400)] = 120.0
    """Width and height in dp of the corner that is held."""
    inactivity: Annotated[float, msgspec.Meta(gt=20, le=3600)] = 120.0
    """Seconds without a touch or key after which the menu closes by itself."""
    lockout_after: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3
    """Wrong PINs in a row before the PIN is locked out."""
    lockout_seconds: Annotated[float, msgspec.Meta(ge=1, le=3600)] = 30.0
    """The first lock-out; each further wrong PIN doubles it (at most an hour)."""
    cards: dict[Annotated[str, msgspec.Meta(min_length=4, max_length=32)], _Role] = {}
    """Maintainer cards read over PC/SC: card number → role."""
    pins: dict[_Name, MaintainerPin] = {}
    """Maintainers' PINs by name (`kiosk menu-pin NAME --role ...` sets one; never in clear)."""
    export_dir: Path | None = None
    """Where the journal is exported (a USB stick's mount point); default: `data_dir/exports`."""


class Config(_Section, frozen=True):
    """The whole validated configuration."""

    terminal: TerminalConfig = TerminalConfig()
    simulate: bool = False
    """Swap every device driver for its simulator and every backend for the demo back office."""
    devices: dict[_Name, DeviceSection] = {}
    backends: dict[_Name, BackendConfig] = {}
    data_dir: Path = Path("data")
    flows_dir: Path = REPO_FLOWS_DIR
    timeouts: TimeoutsConfig = TimeoutsConfig()
    accessibility: AccessibilityConfig = AccessibilityConfig()
    display: DisplayConfig = DisplayConfig()
    updates: UpdatesConfig = UpdatesConfig()
    staff: StaffConfig = StaffConfig()
    heartbeat: HeartbeatConfig = HeartbeatConfig()
    maintenance: MaintenanceConfig = MaintenanceConfig()
    locker: LockerConfig | None = None
    """The parcel locker's layout and rules (`mode = "locker"`; a simulated locker without
    one gets the demo layout)."""
    log_file: Path | None = None
    """Also log (INFO and up, personal numbers masked) to this file; rotate it with
    deploy/logrotate/kiosk (it is reopened when moved). Default: standard error only."""
    source: Path | None = None
    """The file this configuration was read from, if any (set by `load_config`, not a key)."""

    def device_configs(self) -> dict[str, "DeviceConfig"]:
        """The devices as the peripheral hub wants them."""
        from peripherals.hub import DeviceConfig  # the hub's machinery: not for the first frame

        return {
            name: DeviceConfig(
                kind=section.kind or name, driver=section.driver, options=dict(section.options)
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
    raw: dict[str, Any] = {"simulate": True} if path is None else read_toml(path)
    sources = apply_environment(raw, env)
    if "source" in raw:
        raise ConfigError(_line(label, ("source",), "unknown key", sources))
    _nest_driver_options(raw)
    try:
        config = msgspec.convert(raw, Config, strict=False, dec_hook=_decode)
    except msgspec.ValidationError as exc:
        raise _config_error(exc, raw, Config, label, sources) from None
    config = _resolve(config, raw, path)
    if config.data_dir.exists() and not config.data_dir.is_dir():
        message = f"{config.data_dir} is a file, not a folder"
        raise ConfigError(_line(label, ("data_dir",), message, sources))
    _check_backend_files(config, label, sources)
    devices = _validate_devices(config, label, sources)
    config = msgspec.structs.replace(config, devices=devices, source=path)
    return _check_locker(config, label, sources)


def _check_locker(config: Config, label: str, sources: Mapping[tuple[str, ...], str]) -> Config:
    """A locker's layout must fit itself and the configured lock boards (one line if not)."""
    if config.terminal.mode != "locker" and config.locker is None:
        return config
    # locker mode only: keeps other kiosks' start quick
    from kiosk.locker.layout import LayoutError, build_layout

    try:
        buses = locker_buses(config)
        locker = config.locker
        if locker is None or not locker.cabinets:
            if not config.simulate:
                message = "locker mode needs a [locker] layout (see kiosk.example.toml)"
                raise ConfigError(_line(label, ("locker",), message, sources))
            from kiosk.locker.demo_layout import demo_locker

            bus = buses.get("lock_board")
            demo = demo_locker() if bus is None else demo_locker(bus.family, bus.addresses[:2])
            if locker is not None:  # its rules kept, only the layout is the demo's
                demo = msgspec.structs.replace(locker, boards=demo.boards, cabinets=demo.cabinets)
            locker = demo
            config = msgspec.structs.replace(config, locker=locker)
        build_layout(locker, buses)
    except LayoutError as exc:
        raise ConfigError(_line(label, exc.where, str(exc), sources)) from None
    return config


def locker_buses(config: Config) -> dict[str, Any]:
    """The configured lock-board devices, as the locker's layout sees them."""
    from kiosk.locker.layout import lock_buses

    return lock_buses(
        {
            name: (section.kind or name, section.driver, section.options)
            for name, section in config.devices.items()
        }
    )


def _nest_driver_options(raw: dict[str, Any]) -> None:
    """Move each device table's driver options under `options`, as `DeviceSection` has them."""
    devices = raw.get("devices")
    if not isinstance(devices, dict):
        return  # not a table: the validation says so
    for name, table in devices.items():
        if isinstance(table, dict):
            nested = {key: table[key] for key in _DEVICE_KEYS if key in table}
            nested["options"] = {k: v for k, v in table.items() if k not in _DEVICE_KEYS}
            devices[name] = nested


def _resolve(config: Config, raw: Mapping[str, Any], path: Path | None) -> Config:
    """Resolve relative paths, default backend timeouts and default simulated devices."""
    base = path.parent if path is not None else Path.cwd()
    paths: dict[str, Path] = {}
    for key in ("data_dir", "flows_dir", "log_file"):
        value: Path | None = getattr(config, key)
        if value is not None:
            value = value.expanduser()
            paths[key] = value if value.is_absolute() else base / value
    given = raw.get("backends", {})
    backends = {}
    for name, backend in config.backends.items():
        changes: dict[str, Any] = {}
        if "timeout" not in given[name]:
            changes["timeout"] = config.timeouts.http
        for key in ("client_cert", "client_key", "ca_bundle"):
            file: Path | None = getattr(backend, key)
            if file is not None and not file.expanduser().is_absolute():
                changes[key] = base / file.expanduser()
        backends[name] = msgspec.structs.replace(backend, **changes)
    maintenance = config.maintenance
    export_dir = maintenance.export_dir
    if export_dir is not None and not export_dir.expanduser().is_absolute():
        maintenance = msgspec.structs.replace(maintenance, export_dir=base / export_dir)
    updates = config.updates
    for key in ("trusted_root", "bundle_dir"):
        where: Path | None = getattr(updates, key)
        if where is not None and not where.expanduser().is_absolute():
            updates = msgspec.structs.replace(updates, **{key: base / where.expanduser()})
    devices = config.devices
    if config.simulate and not devices:
        devices = {
            kind: DeviceSection(driver=registry.SIMULATED)
            for kind in DEFAULT_DEVICES[config.terminal.mode]
        }
    return msgspec.structs.replace(
        config,
        backends=backends,
        devices=devices,
        maintenance=maintenance,
        updates=updates,
        **paths,
    )


def _check_backend_files(
    config: Config, label: str, sources: Mapping[tuple[str, ...], str]
) -> None:
    """Certificates and CA bundles named for back offices must be readable files."""
    for name, backend in config.backends.items():
        for key in ("client_cert", "client_key", "ca_bundle"):
            file: Path | None = getattr(backend, key)
            if file is not None and not file.is_file():
                where = ("backends", name, key)
                raise ConfigError(_line(label, where, f"no such file: {file}", sources))


def _validate_devices(
    config: Config, label: str, sources: Mapping[tuple[str, ...], str]
) -> dict[str, DeviceSection]:
    """Check each device's kind, driver and options against the driver's constructor."""
    checked: dict[str, DeviceSection] = {}
    for name, section in config.devices.items():
        kind = section.kind or name
        where = ("devices", name)
        if kind not in registry.KINDS:
            raise ConfigError(
                _line(
                    label,
                    (*where, "kind") if section.kind else where,
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
        if section.driver == registry.SIMULATED and not section.options:
            # Nothing to check, and importing every simulator would slow the kiosk's start.
            checked[name] = section
            continue
        checked[name] = _check_options(section, kind, label, sources, where)
    return checked


def _check_options(
    section: DeviceSection,
    kind: str,
    label: str,
    sources: Mapping[tuple[str, ...], str],
    where: tuple[str, ...],
) -> DeviceSection:
    """`section` with its options converted to the types the driver's constructor declares."""
    options_struct = _options_struct(kind, section.driver)
    if options_struct is None:
        return section
    try:
        validated = msgspec.convert(section.options, options_struct, strict=False, dec_hook=_decode)
    except msgspec.ValidationError as exc:
        raise _config_error(exc, section.options, options_struct, label, sources, where) from None
    except TypeError as exc:  # a type msgspec cannot build a decoder for: accepted as-is
        log.debug("cannot check options of %s driver %s: %s", kind, section.driver, exc)
        return section
    options = {key: getattr(validated, key) for key in section.options}
    return msgspec.structs.replace(section, options=options)


def _options_struct(kind: str, driver: str) -> type[msgspec.Struct] | None:
    """A struct of the driver's keyword options, from its constructor's signature and those it
    passes `**options` on to (a driver's base class), so `port = "abc"` is caught here."""
    try:
        cls = registry.driver_class(kind, driver)
    except (PeripheralError, ImportError) as exc:
        # A missing optional library: the options cannot be checked here; the hub says why.
        log.debug("cannot check options of %s driver %s: %s", kind, driver, exc)
        return None
    fields: dict[str, tuple[str, Any] | tuple[str, Any, Any]] = {}
    open_ended = True
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        try:
            hints = typing.get_type_hints(init)
        except Exception:  # an annotation naming a type-checking-only import
            hints = {}
        open_ended = False
        for parameter in inspect.signature(init).parameters.values():
            if parameter.kind is inspect.Parameter.VAR_KEYWORD:
                open_ended = True  # the rest goes on to the base class: look there too
                continue
            if parameter.name in _NOT_OPTIONS or parameter.name in fields:
                continue
            if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
                continue
            annotation = hints.get(parameter.name, Any)
            if annotation is object:
                annotation = Any  # "any value, the driver checks it" (msgspec reads a table)
            if not _decodable(annotation):
                annotation = Any  # e.g. `Callable[..] | str`: msgspec cannot check it
            if parameter.default is inspect.Parameter.empty and klass is cls:
                fields[parameter.name] = (parameter.name, annotation)
            else:
                # a base class's required parameters are the driver's to give, not the file's;
                # only the options given are kept, so the default itself never matters here
                fields[parameter.name] = (parameter.name, annotation, None)
        if not open_ended:
            break
    # required fields first, as a struct wants them
    ordered = sorted(fields.values(), key=len)
    return msgspec.defstruct(
        f"{kind}_{driver.replace('-', '_')}_options",
        ordered,
        forbid_unknown_fields=not open_ended,
        kw_only=True,
    )


def _decodable(annotation: Any) -> bool:
    """Whether msgspec can check values against `annotation`."""
    try:
        msgspec.json.Decoder(annotation, dec_hook=_decode)
    except TypeError:
        return False
    return True


def _config_error(
    exc: msgspec.ValidationError,
    raw: object,
    root: Any,
    label: str,
    sources: Mapping[tuple[str, ...], str],
    prefix: tuple[str, ...] = (),
) -> ConfigError:
    from kiosk.config_errors import explain  # only when something is wrong

    loc, message = explain(exc, raw, root, _decode)
    return ConfigError(_line(label, (*prefix, *loc), message, sources))


def _line(
    label: str,
    loc: tuple[str, ...],
    message: str,
    sources: Mapping[tuple[str, ...], str],
) -> str:
    key = ".".join(loc)
    # keys are matched in lower case, as the variables name them (ZH_CN for zh_CN)
    lowered = {tuple(part.lower() for part in parts): name for parts, name in sources.items()}
    variable = lowered.get(tuple(part.lower() for part in loc))
    where = f"environment {variable}" if variable else label
    return f"{where}: {key}: {message}" if key else f"{where}: {message}"
