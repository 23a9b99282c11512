"""What locker step kinds share: the locker door, and where a compartment is, in words."""

from __future__ import annotations

from typing import Any

from kiosk.flow.locker import Locker, LockerError, Place
from kiosk.flow.steps.context import StepContext, StepFailed


def locker_of(ctx: StepContext) -> Locker:
    """The parcel locker, or `locker.unavailable` on a kiosk that is not one."""
    locker = ctx.services.locker
    if locker is None:
        raise StepFailed("locker.unavailable", "this kiosk is not a parcel locker")
    return locker


def failed(exc: LockerError) -> StepFailed:
    """A locker refusal as a step failure with the same key."""
    return StepFailed(exc.key, exc.detail)


def ordinal(ctx: StepContext, number: int) -> str:
    """`third` / `三` for 3 (the number itself beyond the translated ones)."""
    key = f"locker.ordinal.{number}"
    text = ctx.translate(key)
    return str(number) if text == key else text


def where(ctx: StepContext, place: Place) -> str:
    """ "cabinet A, third column, second row from the bottom" in the session language."""
    return ctx.translate(
        "locker.where",
        cabinet=place.cabinet,
        column=ordinal(ctx, place.column),
        row=ordinal(ctx, place.row),
    )


def place_data(ctx: StepContext, place: Place) -> dict[str, Any]:
    """A place as flow variables."""
    return {
        "compartment": place.compartment,
        "cabinet": place.cabinet,
        "column": place.column,
        "row": place.row,
        "size": place.size,
        "where": where(ctx, place),
    }


def flag(ctx: StepContext, value: str | bool) -> bool:
    """A step option given as a boolean or a template rendering to one."""
    if isinstance(value, bool):
        return value
    return ctx.render(value).strip().lower() in ("true", "yes", "1")


def hours(value: float) -> int | float:
    """A storage period as said: `72`, not `72.0`."""
    return int(value) if float(value).is_integer() else round(value, 1)
