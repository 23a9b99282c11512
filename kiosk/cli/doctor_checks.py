"""The checks of `kiosk doctor`: is this machine set up for the kiosk, what is wrong, and how
to put it right, before a resident finds out.

Each check gives `ok`, `warn` (the kiosk runs, with something missing or risky) or `fail`
(something residents would hit). Checks only look: they open no device and send nothing but a
TCP connection attempt to each configured back office.
"""

from __future__ import annotations

import datetime
import os
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from kiosk.config import Config
from peripherals import registry

Status = Literal["ok", "warn", "fail"]

MIN_FREE_BYTES = 200 * 1024 * 1024
"""Free space the data folder needs (the outbox keeps submissions while offline)."""
ZH_VOICE = "cmn-latn-pinyin"
"""The espeak-ng voice the Mandarin speech needs (`peripherals.speaker.tts_pyttsx3`)."""
PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
UNIT = Path("/etc/systemd/system/kiosk.service")
BUILT = datetime.date(2026, 1, 1)
"""A clock before this is wrong (certificates, references and timestamps depend on it)."""


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, how it stands, what was seen and what to do."""

    name: str
    status: Status
    detail: str
    fix: str = ""


def examine(config: Config, *, network: bool = True) -> list[Check]:
    """Every check of this machine against `config`, in a stable order."""
    checks: list[Check] = []
    for section in (
        _python,
        _clock,
        _data_dir,
        _log_file,
        _flows,
        _font,
        _speech,
        _devices,
        _display,
        _service,
        _updates,
    ):
        checks.extend(section(config))
    if network:
        checks.extend(_backends(config))
    return checks


def _updates(config: Config) -> Iterator[Check]:
    """Signed updates, when configured: the root of trust is there, the last poll went well."""
    settings = config.updates
    if settings.repository is None or settings.trusted_root is None:
        return
    from tuf.api.metadata import Metadata

    from kiosk.i18n import t
    from kiosk.updates.agent import bundle_root
    from kiosk.updates.status import UpdateStatus

    try:
        root = Metadata.from_file(str(settings.trusted_root))
    except Exception as exc:
        yield Check(
            "updates",
            "fail",
            f"trusted_root {settings.trusted_root}: {type(exc).__name__}",
            "install the repository's root metadata (repo/metadata/1.root.json) there",
        )
        return
    if root.signed.type != "root":
        yield Check("updates", "fail", f"{settings.trusted_root} is not root metadata")
        return
    status = UpdateStatus.load(bundle_root(config) / "status.json")
    shown = "-" if status.bundle is None else str(status.bundle)
    text = t(f"updates.status.{status.state.value}", config.terminal.language,
             bundle=shown, detail=status.detail, **status.extra)  # fmt: skip
    if status.needs_attention:
        yield Check("updates", "warn", text, f"kiosk updates check --config {config.source}")
    else:
        yield Check("updates", "ok", text)


def _python(_: Config) -> Iterator[Check]:
    yield Check("python", "ok", ".".join(map(str, sys.version_info[:3])))


def _clock(_: Config) -> Iterator[Check]:
    today = datetime.date.today()
    if today < BUILT:
        yield Check("clock", "fail", f"the date is {today}", "set the clock (timedatectl, NTP)")
    else:
        yield Check("clock", "ok", str(today))


def _data_dir(config: Config) -> Iterator[Check]:
    path = config.data_dir
    if not path.exists():
        parent = next((p for p in path.parents if p.exists()), Path("/"))
        if os.access(parent, os.W_OK):
            yield Check("data folder", "ok", f"{path} (created on first start)")
        else:
            yield Check(
                "data folder",
                "fail",
                f"{path} does not exist and {parent} is not writable",
                f"create it: install -d -m 0700 -o kiosk {path}",
            )
        return
    if not os.access(path, os.W_OK | os.X_OK):
        yield Check("data folder", "fail", f"{path} is not writable", f"chown kiosk {path}")
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        yield Check(
            "data folder",
            "warn",
            f"{path} is open to others (mode {mode:04o}); it holds submissions in flight",
            f"chmod 0700 {path}",
        )
    else:
        yield Check("data folder", "ok", f"{path} (mode {mode:04o})")
    free = shutil.disk_usage(path).free
    if free < MIN_FREE_BYTES:
        yield Check(
            "disk space",
            "warn",
            f"{free // 2**20} MiB free under {path}",
            "free some space: queued submissions need room while the network is down",
        )
    else:
        yield Check("disk space", "ok", f"{free // 2**20} MiB free")


def _log_file(config: Config) -> Iterator[Check]:
    if config.log_file is None:
        return
    folder = config.log_file.parent
    if folder.is_dir() and os.access(folder, os.W_OK):
        yield Check("log file", "ok", str(config.log_file))
    else:
        yield Check(
            "log file",
            "fail",
            f"cannot write in {folder}",
            f"install -d -m 0750 -o kiosk {folder} (or remove log_file)",
        )


def _flows(config: Config) -> Iterator[Check]:
    from kiosk.flow.lint import lint
    from kiosk.flow.loader import load_flows

    flows = load_flows([config.flows_dir])
    errors = [str(e) for e in flows.errors]
    errors += [str(f) for f in lint(flows) if f.severity == "error"]
    if errors:
        yield Check(
            "flows",
            "fail",
            f"{len(errors)} problem(s), first: {errors[0]}",
            f"kiosk flows check {config.flows_dir}",
        )
    elif not flows.loaded:
        yield Check("flows", "fail", f"no flows in {config.flows_dir}", "set flows_dir")
    else:
        yield Check("flows", "ok", f"{len(flows.loaded)} services in {config.flows_dir}")


def _font(_: Config) -> Iterator[Check]:
    from kiosk.ui.fonts import FontNotFoundError, find_cjk_font, missing_glyphs

    try:
        path = find_cjk_font()
    except FontNotFoundError as exc:
        yield Check("chinese font", "fail", "none found", str(exc))
        return
    try:
        rare = missing_glyphs(path, "𠀋㐀䶵鿃")  # names use characters beyond the common set
    except ImportError:
        rare = set()
    if rare:
        yield Check(
            "chinese font",
            "warn",
            f"{path} lacks {''.join(sorted(rare))}: some names would show as boxes",
            "apt-get install fonts-noto-cjk, or put a fuller font in assets/fonts",
        )
    else:
        yield Check("chinese font", "ok", str(path))


def _speech(config: Config) -> Iterator[Check]:
    speaker = config.devices.get("speaker")
    if speaker is not None and speaker.driver == registry.SIMULATED:
        return
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        yield Check("speech", "fail", "espeak-ng is not installed", "apt-get install espeak-ng")
        return
    voices = subprocess.run(
        [espeak, "--voices=cmn"], capture_output=True, text=True, timeout=10
    ).stdout.lower()
    if ZH_VOICE not in voices:
        yield Check(
            "speech",
            "fail",
            f"espeak-ng has no {ZH_VOICE} voice: Mandarin would be read as English letters",
            "apt-get install --reinstall espeak-ng-data",
        )
    else:
        yield Check("speech", "ok", f"espeak-ng with {ZH_VOICE}")


def _devices(config: Config) -> Iterator[Check]:
    simulated = sorted(n for n, s in config.devices.items() if s.driver == registry.SIMULATED)
    if simulated and config.simulate:
        yield Check("devices", "ok", "simulated (demo mode): " + ", ".join(simulated))
    elif simulated:
        yield Check(
            "devices",
            "warn",
            "simulated: " + ", ".join(simulated),
            "give each a real driver in [devices.<name>]",
        )
    if "smart_card" in simulated and not PCSCD_SOCKET.exists():
        yield Check(
            "device smart_card",
            "warn",
            "the simulated social security card needs pcscd with vsmartcard-vpcd",
            "apt-get install pcscd vsmartcard-vpcd; systemctl start pcscd.socket",
        )
    for name, section in sorted(config.devices.items()):
        kind = section.kind or name
        label = f"device {name}"
        if section.driver == registry.SIMULATED:
            continue
        spec = registry.drivers(kind).get(section.driver)
        if spec is None:
            continue  # the configuration check reports unknown drivers
        missing = registry.missing_requirements(spec)
        if missing:
            yield Check(
                label,
                "fail",
                f"{section.driver}: missing {', '.join(missing)}",
                f"install {', '.join(missing)}",
            )
            continue
        yield from _device_paths(label, section.options)
        if section.driver == "pcsc" and not PCSCD_SOCKET.exists():
            yield Check(
                label,
                "fail",
                "pcscd is not running",
                "apt-get install pcscd && systemctl enable --now pcscd.socket",
            )
        elif section.driver == "vosk":
            model = Path(str(section.options.get("model", "")))
            if not model.is_dir():
                yield Check(
                    label,
                    "fail",
                    f"no vosk model at {model}",
                    "unpack a model (e.g. vosk-model-small-cn-0.22) and set model",
                )


def _device_paths(label: str, options: dict[str, object]) -> Iterator[Check]:
    paths = [str(v) for k, v in options.items() if k in ("port", "device", "path")]
    paths = [p for p in paths if p.startswith("/dev/")]
    for path in paths:
        if not Path(path).exists():
            yield Check(
                label,
                "fail",
                f"{path} does not exist",
                "check the cable and the names in deploy/udev/99-kiosk.rules",
            )
        elif not os.access(path, os.R_OK | os.W_OK):
            yield Check(
                label,
                "fail",
                f"{path} is not accessible to this user",
                "add the kiosk user to the device's group (dialout, input) via udev",
            )
        else:
            yield Check(label, "ok", path)
    if not paths:
        yield Check(label, "ok", "configured")


def _display(config: Config) -> Iterator[Check]:
    if not config.display.fullscreen or config.simulate:
        return
    if shutil.which("cage") is None:
        yield Check(
            "display",
            "warn",
            "cage (the kiosk compositor) is not installed",
            "apt-get install cage (deploy/systemd/kiosk.service starts it)",
        )
    else:
        yield Check("display", "ok", "cage installed")


def _service(config: Config) -> Iterator[Check]:
    if config.simulate:
        return  # a demonstration machine
    if UNIT.exists():
        yield Check("service", "ok", f"{UNIT} installed")
    else:
        yield Check(
            "service",
            "warn",
            "the kiosk is not installed as a service",
            "deploy/install.sh (restarts the kiosk if it crashes or freezes)",
        )


def _backends(config: Config) -> Iterator[Check]:
    for name, backend in sorted(config.backends.items()):
        where = urlsplit(backend.base_url)
        port = where.port or (443 if where.scheme == "https" else 80)
        yield _reach(f"back office {name}", where.hostname or "", port, backend.timeout)


def _reach(label: str, host: str, port: int, timeout: float) -> Check:
    try:
        with socket.create_connection((host, port), timeout=min(timeout, 5.0)):
            pass
    except OSError as exc:
        return Check(
            label,
            "warn",
            f"{host}:{port} unreachable ({exc.strerror or exc})",
            "check the network; submissions wait in the outbox meanwhile",
        )
    return Check(label, "ok", f"{host}:{port} reachable")


def worst(checks: list[Check]) -> Status:
    """The worst status among `checks`."""
    order: dict[Status, int] = {"ok": 0, "warn": 1, "fail": 2}
    return max((c.status for c in checks), key=order.__getitem__, default="ok")
