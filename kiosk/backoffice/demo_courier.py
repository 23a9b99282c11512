"""The demo courier back office's routes on the demo app: courier sign-in, recipients' phones by
waybill and their consent to locker delivery, pickup notices, parcel records, a locker's
storage-fee orders, and (demo control) parcels refused in the courier's app."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Path
from pydantic import BaseModel, Field

from kiosk.backoffice import demo_courier_operations as run
from kiosk.backoffice.demo_app import IdempotencyKey
from kiosk.backoffice.demo_models import Order, Request
from kiosk.backoffice.demo_openapi import errors


class SignIn(Request):
    """A courier's code typed at the locker, or the number of a courier card read there."""

    code: str | None = Field(None, max_length=40)
    card: str | None = Field(None, max_length=40)


class Courier(BaseModel):
    """Who signed in."""

    courier: str
    company: str
    refused: list[str] = Field(
        default_factory=list,
        description="Waybills of the company's parcels that their recipients refused in the "
        "courier's app (newest first): the locker treats such a parcel as refused (拒收)",
    )


class WaybillQuestion(Request):
    """The recipient of a parcel, asked by its waybill."""

    waybill: str = Field(max_length=60)


class Recipient(BaseModel):
    """The recipient's phone as the courier system has it (null when it has none)."""

    phone: str | None = None


class ConsentQuestion(Request):
    """Whether the recipient of a parcel agreed to locker delivery."""

    phone: str = Field(pattern=r"^[0-9]{5,20}$")
    waybill: str = Field("", max_length=60)


class Consent(BaseModel):
    """The recipient's answer."""

    consent: bool


class PickupNotice(Request):
    """A pickup notice for the courier back office to send to the recipient."""

    code: str = Field(pattern=r"^[0-9]{4,10}$")


class Notified(BaseModel):
    """The notice taken."""

    notice: str


class ParcelRecord(Request):
    """A parcel's event (picked up, refused, retrieved, ...) for the courier's records."""

    parcel: str = Field(max_length=60)
    event: str = Field(max_length=40)


class Recorded(BaseModel):
    """The record taken."""

    record: str


class WaybillRefusal(Request):
    """Demo control: the recipient refused a parcel of this courier company in its app."""

    company: str = Field(min_length=1, max_length=40)


class WaybillRefused(BaseModel):
    """The refusal taken."""

    waybill: str
    company: str


class LockerFee(Request):
    """A locker's storage fee to pay by QR code."""

    amount: float = Field(gt=0, le=10000)


def add_routes(app: FastAPI, world: Any) -> None:
    """Add the courier back office's routes to the demo app (`world`: the `DemoWorld`)."""

    @app.post(
        "/couriers/sign-in",
        response_model=Courier,
        tags=["parcel locker"],
        responses=errors(400, 403, 422, body=True),
    )
    async def sign_in(body: SignIn) -> Any:
        """A courier's code or card number (403 `unknown_courier`)."""
        return run.sign_in(world, body.model_dump())

    @app.post(
        "/couriers/waybill",
        response_model=Recipient,
        tags=["parcel locker"],
        responses=errors(400, 422, body=True),
    )
    async def waybill(body: WaybillQuestion) -> Any:
        """The recipient's phone for a waybill, if the courier system has it (the courier types
        it otherwise)."""
        return run.waybill(world, body.model_dump())

    @app.post(
        "/couriers/consent",
        response_model=Consent,
        tags=["parcel locker"],
        responses=errors(400, 422, body=True),
    )
    async def consent(body: ConsentQuestion) -> Any:
        """Whether the recipient agreed to locker delivery (the phone is not kept)."""
        return run.consent(world, body.model_dump())

    @app.post(
        "/locker/notifications",
        status_code=201,
        response_model=Notified,
        tags=["parcel locker"],
        responses=errors(400, 422, body=True),
    )
    async def notify(body: PickupNotice, key: IdempotencyKey = None) -> Any:
        """A pickup notice to send to the recipient (the demo sends nothing)."""
        return run.notify(world, body.model_dump())

    @app.post(
        "/locker/records",
        status_code=201,
        response_model=Recorded,
        tags=["parcel locker"],
        responses=errors(400, 422, body=True),
    )
    async def record(body: ParcelRecord, key: IdempotencyKey = None) -> Any:
        """A parcel's event for the courier's records."""
        return run.record(world, body.model_dump())

    @app.post(
        "/_demo/waybills/{waybill}/refused",
        response_model=WaybillRefused,
        tags=["demo control"],
        responses=errors(400, 422, body=True),
    )
    async def refuse_waybill(
        waybill: Annotated[str, Path(max_length=60)], body: WaybillRefusal
    ) -> Any:
        """Demo only: the recipient refused a parcel in the courier company's app (its
        couriers' sign-ins list the waybill from now on)."""
        return run.refuse_waybill(world, waybill, body.model_dump())

    @app.post(
        "/locker/orders",
        status_code=201,
        response_model=Order,
        tags=["parcel locker"],
        responses=errors(400, 422, body=True),
    )
    async def fee_order(body: LockerFee, key: IdempotencyKey = None) -> Any:
        """An order to pay a locker's storage fee by QR code."""
        return run.fee_order(world, body.model_dump())
