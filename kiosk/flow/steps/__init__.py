"""Step executors, one module per kind, each imported the first time a step of its kind runs.

A run imports only the executors of the kinds it meets: a government flow never loads the
locker's step modules (nor `kiosk.flow.locker`). The table names modules, not executors, so
the schema and the linter never need it.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.flow.steps.context import StepContext, StepResult

Executor = Callable[["StepContext", Any], Awaitable["StepResult"]]
"""Runs one step of its kind and says where to go."""

KINDS = (
    "info",
    "choose",
    "input",
    "confirm",
    "consent",
    "set",
    "http",
    "pay",
    "browse",
    "submit",
    "call",
    "finish",
    "read_id_card",
    "read_smart_card",
    "scan_code",
    "print",
    "branch",
    "courier_sign_in",
    "accept_item",
    "pick_compartment",
    "deposit_parcel",
    "find_parcels",
    "refuse_parcels",
    "retrievable_parcels",
    "release_parcels",
)
"""Every step kind: each has a module of its name here (its `KIND` and `execute`)."""

MODULES: dict[str, str] = {kind: f"{__name__}.{kind}" for kind in KINDS}
"""The module of each step kind's executor (its `KIND` and `execute`), by step kind."""


@functools.cache
def executor(kind: str) -> Executor:
    """The executor of a step kind (its module imported on first use), or KeyError."""
    module = importlib.import_module(MODULES[kind])
    run: Executor = module.execute
    return run
