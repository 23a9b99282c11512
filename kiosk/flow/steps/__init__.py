"""Step executors, one module per kind, looked up in one table built at import."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Any

from kiosk.flow.steps import (
    accept_item,
    branch,
    browse,
    call,
    choose,
    confirm,
    consent,
    courier_sign_in,
    deposit_parcel,
    find_parcels,
    finish,
    http,
    info,
    pay,
    pick_compartment,
    read_id_card,
    read_smart_card,
    refuse_parcels,
    release_parcels,
    retrievable_parcels,
    scan_code,
    submit,
)
from kiosk.flow.steps import input as input_step
from kiosk.flow.steps import print as print_step
from kiosk.flow.steps import set as set_step
from kiosk.flow.steps.context import StepContext, StepResult

Executor = Callable[[StepContext, Any], Awaitable[StepResult]]
"""Runs one step of its kind and says where to go."""

EXECUTORS: Mapping[str, Executor] = MappingProxyType(
    {
        module.KIND: module.execute
        for module in (
            info,
            choose,
            input_step,
            confirm,
            consent,
            set_step,
            http,
            pay,
            browse,
            submit,
            call,
            finish,
            read_id_card,
            read_smart_card,
            scan_code,
            print_step,
            branch,
            courier_sign_in,
            accept_item,
            pick_compartment,
            deposit_parcel,
            find_parcels,
            refuse_parcels,
            retrievable_parcels,
            release_parcels,
        )
    }
)
"""Executors by step kind."""


def executor(kind: str) -> Executor:
    """The executor of a step kind, or KeyError."""
    return EXECUTORS[kind]
