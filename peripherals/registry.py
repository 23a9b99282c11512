"""One registry of drivers by kind and name; driver modules are imported lazily."""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

import msgspec

from peripherals.errors import DeviceUnavailable, MissingDependency

# Only named in annotations: a kind's driver table (imported by the UI's key maps before the
# kiosk's first frame) stays free of the device machinery until a driver is loaded.
if TYPE_CHECKING:
    from peripherals.device import Device

KINDS: tuple[str, ...] = (
    "id_card",
    "smart_card",
    "printer",
    "lock_board",
    "scanner",
    "keypad",
    "speaker",
    "recognizer",
    "headset",
)
"""Every device kind; each is a subpackage of `peripherals` with a `DRIVERS` table."""

SIMULATED = "simulated"
"""The driver name every kind gives its simulator."""


class DriverSpec(msgspec.Struct, frozen=True):
    """Where a driver lives and what it needs.

    `requires` lists `(python module, what to install)` pairs checked before import, so a
    missing library yields one clear message instead of an ImportError deep in a driver.
    """

    module: str
    cls: str
    requires: tuple[tuple[str, str], ...] = ()
    summary: str = ""


def drivers(kind: str) -> dict[str, DriverSpec]:
    """The drivers of one kind, by name."""
    if kind not in KINDS:
        raise DeviceUnavailable(f"unknown device kind {kind!r}; known: {', '.join(KINDS)}")
    try:
        package = importlib.import_module(f"peripherals.{kind}")
    except ModuleNotFoundError:
        return {}
    table: dict[str, DriverSpec] = getattr(package, "DRIVERS", {})
    return table


def missing_requirements(spec: DriverSpec) -> list[str]:
    """What must be installed before this driver can load (empty when all is present)."""
    missing = []
    for module, install in spec.requires:
        if importlib.util.find_spec(module) is None:
            missing.append(install)
    return missing


def driver_class(kind: str, name: str) -> type[Device]:
    """Import and return the class of driver `name` of `kind`."""
    table = drivers(kind)
    if name not in table:
        known = ", ".join(sorted(table)) or "none yet"
        raise DeviceUnavailable(f"no {kind} driver named {name!r}; known: {known}")
    spec = table[name]
    missing = missing_requirements(spec)
    if missing:
        raise MissingDependency(f"{kind} driver {name!r} needs: {'; '.join(missing)}")
    module = importlib.import_module(spec.module)
    cls: type[Device] = getattr(module, spec.cls)
    return cls


def create(kind: str, driver: str, options: dict[str, Any] | None = None, **kwargs: Any) -> Device:
    """Create (not open) `driver` of `kind` with its configuration options."""
    cls = driver_class(kind, driver)
    try:
        return cls(**(options or {}), **kwargs)
    except TypeError as exc:
        raise DeviceUnavailable(f"{kind} driver {driver!r}: bad options: {exc}") from exc
