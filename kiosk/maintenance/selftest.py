"""Self-tests of the service menu: the same checks as `kiosk devices test` (each kind's
`peripherals/<kind>/check.py`) run on the kiosk's open devices, their results masked.

A test print also leaves a picture of what was sent: the test receipt rendered to ESC/POS by
the printer's own renderer and decoded back to paper (`peripherals.printer.decode`), so the
picture shows what any printer, real or simulated, was given.
"""

from __future__ import annotations

import importlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.privacy.results import masked_result
from peripherals.device import Device
from peripherals.errors import PeripheralError

log = logging.getLogger(__name__)

KINDS: tuple[str, ...] = (
    "printer",
    "id_card",
    "smart_card",
    "scanner",
    "speaker",
    "headset",
    "recognizer",
    "keypad",
    "lock_board",
)
"""The kinds that have a self-test, in the order the page lists them."""

WAIT = 20.0
"""Seconds a test waits for the maintainer (a card on the reader, a code, a key)."""

_PARAMS: dict[str, dict[str, str]] = {
    "id_card": {"timeout": str(WAIT)},
    "smart_card": {"timeout": str(WAIT)},
    "scanner": {"timeout": str(WAIT)},
    "keypad": {"timeout": str(WAIT)},
    "speaker": {"timeout": "30"},
    "recognizer": {"phrases": "一,二,三,yes,no", "timeout": "5"},
}

WAITS_FOR_SOMEONE = frozenset({"id_card", "smart_card", "scanner", "keypad"})
"""Tests that wait for the maintainer to do something at the device."""


@dataclass(frozen=True)
class SelfTestResult:
    """How one self-test went: passed or the fault code, masked details, a picture."""

    kind: str
    device: str
    passed: bool
    code: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    picture: Path | None = None
    seconds: float = 0.0


def run_self_test(
    device: Device,
    *,
    terminal: str = "",
    picture_dir: Path | None = None,
    params: dict[str, str] | None = None,
) -> SelfTestResult:
    """Run the kind's check on an open device (blocking) and say how it went, masked; `params`
    add to the check's own (a lock board's `lock`, `BOARD:LOCK`)."""
    kind = device.kind
    check = importlib.import_module(f"peripherals.{kind}.check")
    params = {**_PARAMS.get(kind, {}), **(params or {})}
    if kind == "printer":
        params["terminal"] = terminal
    started = time.monotonic()
    try:
        result: dict[str, Any] = check.run_check(device, params)
    except PeripheralError as exc:
        log.info("self-test of %s failed: %s", device.name, exc.code)
        return SelfTestResult(
            kind, device.name, False, exc.code, seconds=time.monotonic() - started
        )
    except (OSError, ValueError) as exc:
        log.info("self-test of %s failed: %s", device.name, type(exc).__name__)
        return SelfTestResult(
            kind, device.name, False, "device.error", seconds=time.monotonic() - started
        )
    details = masked_result(result, check.PERSONAL_FIELDS)
    passed, code = _verdict(kind, details)
    picture = None
    if kind == "printer" and picture_dir is not None:
        picture = _test_print_picture(device, terminal, picture_dir)
    return SelfTestResult(
        kind, device.name, passed, code, details, picture, time.monotonic() - started
    )


def _verdict(kind: str, details: dict[str, Any]) -> tuple[bool, str]:
    """Whether a check that ran counts as passed (a printer may print yet report paper low)."""
    if kind == "printer":
        status = details.get("status")
        if isinstance(status, dict) and status.get("paper_out"):
            return False, "printer.paper_out"
    return True, ""


def _test_print_picture(device: Device, terminal: str, folder: Path) -> Path | None:
    """A PNG of the test receipt as the printer was sent it, decoded back from its ESC/POS."""
    from peripherals.printer.base import Printer
    from peripherals.printer.check import check_receipt
    from peripherals.printer.decode import decode

    if not isinstance(device, Printer):
        return None
    try:
        data = device.render(check_receipt(terminal))
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("test-print-*.png"):
            old.unlink(missing_ok=True)
        # a new name each time: the screen caches pictures by file name
        path = folder / f"test-print-{time.time_ns()}.png"
        decode(data).preview(device.renderer.paper_width).save(path, format="PNG")
    except (PeripheralError, OSError, ValueError) as exc:
        log.warning("no picture of the test print: %s", type(exc).__name__)
        return None
    return path
