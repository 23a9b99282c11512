"""`kiosk devices test scanner`: wait for the next code and report it."""

from __future__ import annotations

from peripherals.scanner.base import CodeScanner

PERSONAL_FIELDS: frozenset[str] = frozenset({"code"})
"""Codes may be health codes, e-ID or pickup codes: the CLI masks them."""


def run_check(device: CodeScanner, params: dict[str, str]) -> dict[str, object]:
    """Wait for the next code (param `timeout`, default 30 s) and return it."""
    code = device.read_code(float(params.get("timeout", "30")))
    return {"code": code, "length": len(code), "ascii": code.isascii()}
