"""What the demo courier back office's operations do (courier sign-in, recipients' phones and
consent, pickup notices, parcel records, storage-fee orders, parcels refused in the courier's
app): plain functions on a request's
validated JSON, served by FastAPI (`demo_courier`) and by the light contract server."""

from __future__ import annotations

from kiosk.backoffice.demo_operations import DemoWorld, Json, Refusal

COURIERS: dict[str, tuple[str, str]] = {
    "880001": ("C0001", "顺丰速运"),
    "880002": ("C0002", "中通快递"),
}
"""Demo courier codes: code → (courier id, company)."""

COURIER_CARDS: dict[str, tuple[str, str]] = {
    "K88000002": ("C0002", "中通快递"),
}
"""Demo courier cards the back office knows: card number → (courier id, company)."""

RECIPIENTS: dict[str, str] = {
    "SF1000000002": "13800138000",
}
"""Demo waybills whose recipient's phone the courier system has (invented): waybill → phone."""

NO_CONSENT_SUFFIX = "0000"
"""Recipients whose phone ends in this have not agreed to locker delivery."""


def sign_in(world: DemoWorld, body: Json) -> Json:
    """Who a courier's code or card number belongs to."""
    if body["card"] is not None:
        known = COURIER_CARDS.get(body["card"])
    else:
        known = COURIERS.get(body["code"] or "")
    if known is None:
        raise Refusal(403, "unknown_courier")
    refused = world.data.refused_waybills(known[1])
    return {"courier": known[0], "company": known[1], "refused": refused}


def waybill(world: DemoWorld, body: Json) -> Json:
    """The recipient's phone for a waybill, if the courier system has it."""
    return {"phone": RECIPIENTS.get(body["waybill"])}


def consent(world: DemoWorld, body: Json) -> Json:
    """Whether the recipient agreed to locker delivery."""
    return {"consent": not body["phone"].endswith(NO_CONSENT_SUFFIX)}


def notify(world: DemoWorld, body: Json) -> Json:
    """Take a pickup notice (the demo sends nothing)."""
    return {"notice": f"N{world.next_number('locker_notices'):05d}"}


def record(world: DemoWorld, body: Json) -> Json:
    """Take a parcel's event for the courier's records."""
    return {"record": f"R{world.next_number('locker_records'):05d}"}


def refuse_waybill(world: DemoWorld, waybill: str, body: Json) -> Json:
    """Demo only: the recipient refused a parcel in the courier company's app; the company's
    couriers' sign-ins list it from now on."""
    world.data.refuse_waybill(waybill, body["company"])
    return {"waybill": waybill, "company": body["company"]}


def fee_order(world: DemoWorld, body: Json) -> Json:
    """An order to pay a locker's storage fee by QR code."""
    return world.payments.create({"kind": "locker_fee"}, round(body["amount"], 2))
