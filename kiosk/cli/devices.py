"""`kiosk devices list` and `kiosk devices test`: what drivers exist, and exercising one device."""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.config import ConfigError, load_config
from kiosk.privacy.masking import scrub
from kiosk.privacy.results import masked_result
from peripherals import registry
from peripherals.device import Device
from peripherals.errors import PeripheralError
from peripherals.hub import Hub


def register(sub: Any, words: Sequence[str] = ()) -> None:
    """Add the `devices` group."""
    parser: argparse.ArgumentParser = sub.add_parser("devices", help="list and test devices")
    devices_sub = parser.add_subparsers(dest="devices_command", required=True)

    list_parser = devices_sub.add_parser("list", help="device kinds, drivers and their libraries")
    list_parser.add_argument("--json", action="store_true", help="one JSON object per driver")
    list_parser.set_defaults(func=_list)

    health_parser = devices_sub.add_parser(
        "health", help="open the configured devices and report their health"
    )
    health_parser.add_argument("--config", type=Path, metavar="FILE", help="kiosk.toml to use")
    health_parser.add_argument(
        "--simulate", action="store_true", help="swap every driver for its simulator"
    )
    health_parser.add_argument("--json", action="store_true", help="one JSON object per device")
    health_parser.set_defaults(func=_health)

    test_parser = devices_sub.add_parser("test", help="open one device and exercise it")
    test_parser.add_argument("kind", choices=registry.KINDS)
    test_parser.add_argument("--driver", default=registry.SIMULATED, help="driver name")
    test_parser.add_argument(
        "--opt",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="driver option, VALUE read as in the [devices.KIND] table of kiosk.toml "
        "(e.g. boards=[0,1], timeout=0.5, wire_time=true; plain text needs no quotes)",
    )
    test_parser.add_argument("--lock", help="BOARD:LOCK to open (lock_board)")
    test_parser.add_argument("--phrases", help="comma-separated phrases (recognizer)")
    test_parser.add_argument("--json", action="store_true", help="print the result as JSON")
    test_parser.set_defaults(func=_test)


def _list(args: argparse.Namespace) -> int:
    rows: list[dict[str, Any]] = []
    for kind in registry.KINDS:
        for name, spec in sorted(registry.drivers(kind).items()):
            missing = registry.missing_requirements(spec)
            rows.append(
                {
                    "kind": kind,
                    "driver": name,
                    "available": not missing,
                    "missing": missing,
                    "summary": spec.summary,
                }
            )
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    for row in rows:
        state = "ok" if row["available"] else "needs: " + "; ".join(row["missing"])
        print(f"{row['kind']:<11} {row['driver']:<18} {state}")
    return 0


def _health(args: argparse.Namespace) -> int:
    """Open every configured device, print its health, close them; 1 if any is unusable."""
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"kiosk devices health: {exc}", file=sys.stderr)
        return 2
    with Hub(config.device_configs(), simulate=args.simulate or config.simulate) as hub:
        report = hub.health()
    for name, health in report.items():
        if args.json:
            row = {"device": name, "state": health.state.value, "code": health.code,
                   "detail": scrub(health.detail)}  # fmt: skip
            print(json.dumps(row, ensure_ascii=False))
        else:
            problem = f"  {health.code}: {scrub(health.detail)}" if health.code else ""
            print(f"{name:<14} {health.state.value:<15}{problem}")
    return 0 if all(health.usable for health in report.values()) else 1


class BadOptionValue(ValueError):
    """An `--opt` value that looks like TOML (a list, table, quoted text, a boolean) but is not."""


# Values starting with these were meant as TOML; as plain text they would mean something else.
_MEANT_AS_TOML = ("[", "{", '"', "'")


def option_value(text: str) -> Any:
    """An `--opt` value read as the `[devices.*]` table reads it (TOML: lists, tables, numbers,
    booleans, quoted strings); anything that is not TOML and cannot be mistaken for it is text."""
    stripped = text.strip()
    try:
        parsed = tomllib.loads(f"value = {stripped}") if stripped else {}
    except tomllib.TOMLDecodeError as exc:
        parsed = None
        problem = str(exc).split(" (at line")[0]
    else:
        problem = "more than one value"
    if parsed is not None and parsed.keys() == {"value"}:
        return parsed["value"]
    if stripped.lower() in ("true", "false"):
        raise BadOptionValue(f"{text!r} is not a TOML value: write true or false")
    if "\n" in text or stripped.startswith(_MEANT_AS_TOML):
        raise BadOptionValue(f"{text!r} is not a TOML value ({problem})")
    return text


def _options(pairs: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--opt {pair!r}: expected KEY=VALUE")
        try:
            options[key.strip()] = option_value(value)
        except BadOptionValue as exc:
            raise ValueError(f"--opt {key.strip()}: {exc}") from None
    return options


def _test(args: argparse.Namespace) -> int:
    try:
        options = _options(args.opt)
    except ValueError as exc:
        print(f"kiosk devices test: {exc}", file=sys.stderr)
        return 2
    params: dict[str, str] = {k: str(v) for k, v in options.items()}
    for extra in ("lock", "phrases"):
        if getattr(args, extra):
            params[extra] = getattr(args, extra)
    try:
        check = importlib.import_module(f"peripherals.{args.kind}.check")
    except ModuleNotFoundError:
        print(f"kiosk devices test: no test for {args.kind} devices yet", file=sys.stderr)
        return 2
    device: Device | None = None
    try:
        cls = registry.driver_class(args.kind, args.driver)
        # Options the driver does not take (e.g. `out`, `wav`) are for the check alone.
        accepted = inspect.signature(cls).parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
        driver_options = {k: v for k, v in options.items() if takes_any or k in accepted}
        device = registry.create(args.kind, args.driver, driver_options)
        with device:
            result: dict[str, Any] = check.run_check(device, params)
    except PeripheralError as exc:
        if device is None and isinstance(exc, ValueError):  # e.g. a lock board's bad option
            return _bad_value(args, exc)
        print(f"kiosk devices test {args.kind}: {exc.code}: {scrub(str(exc))}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"kiosk devices test {args.kind}: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # a driver or the check refused an option's value
        return _bad_value(args, exc)
    shown = masked_result(result, check.PERSONAL_FIELDS)
    if args.json:
        print(json.dumps(shown, ensure_ascii=False, default=str))
    else:
        for key, value in shown.items():
            print(f"{key}: {value}")
    return 0


def _bad_value(args: argparse.Namespace, exc: ValueError) -> int:
    """A driver or the check refused an option's value: a usage error."""
    given = " ".join(f"--opt {pair}" for pair in args.opt) or "no --opt"
    print(
        f"kiosk devices test {args.kind}: bad option value ({given}): {scrub(str(exc))}",
        file=sys.stderr,
    )
    return 2
