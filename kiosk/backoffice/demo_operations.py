"""What each operation of the back-office contract does in the demo back office: plain functions
on a request's validated JSON (no web framework), served by FastAPI (`demo_app`) and by the light
contract server (`demo_contract_app`). Each is named as its operation (`operationId`)."""

from __future__ import annotations

from typing import Any, Protocol

from kiosk.backoffice.demo_data import (
    REQUEST_PREFIX,
    RESIDENT_CONTRIBUTION,
    DemoData,
    resident_key,
    seed,
    valid_id,
)
from kiosk.backoffice.demo_payments import Payments

Json = dict[str, Any]

_CODES = {
    "text": "missing_text",
    "terminal": "missing_terminal",
    "bank_card_last4": "invalid_bank_card",
}
"""Fields whose refusal has its own code; any other is `invalid_<field>`."""

_QUEUE = {"social_security": "A", "medical": "B", "civil": "C", "other": "D"}


class DemoWorld(Protocol):
    """What the operations work on (the running `DemoBackOffice`)."""

    @property
    def data(self) -> DemoData:
        """The invented records."""
        ...

    @property
    def payments(self) -> Payments:
        """The payment orders."""
        ...

    def next_number(self, name: str) -> int:
        """The next number of a counter kept across restarts."""
        ...


class Refusal(Exception):
    """A request refused with a status and a stable code."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


def field_refusal(field: str) -> str:
    """The stable code of a request refused for one field (a parameter or a body's field)."""
    name = field.lower().replace("-", "_")
    return _CODES.get(name, f"invalid_{name}")


def _check_id(id_number: str) -> str:
    """The ID number in capitals; `Refusal` when its check character is wrong."""
    if not valid_id(id_number):
        raise Refusal(422, "invalid_id_number")
    return id_number.upper()


# Common ------------------------------------------------------------------------------------


def health(world: DemoWorld) -> Json:
    """The back office is up."""
    return {"ok": True}


def feedback(world: DemoWorld, body: Json) -> Json:
    """Take a resident's feedback."""
    return {"ticket": f"FB{world.next_number('tickets'):05d}"}


def staff_call(world: DemoWorld, body: Json) -> Json:
    """Pass on a resident's call for staff."""
    return {"call": f"SC{world.next_number('staff_calls'):05d}"}


# Social and medical insurance --------------------------------------------------------------


def certificate(world: DemoWorld, body: Json) -> Json:
    """A social insurance certificate."""
    return world.data.certificate(_check_id(body["id_number"]), body["type"])


def medical_status(world: DemoWorld, body: Json) -> Json:
    """Contribution status and payment records."""
    return world.data.medical_status(_check_id(body["id_number"]))


def medical_order(world: DemoWorld, body: Json) -> Json:
    """An order for the year's resident contribution."""
    id_number = _check_id(body["id_number"])
    status = world.data.medical_status(id_number)
    if body["year"] != status["year"]:
        raise Refusal(422, "invalid_year")
    if status["paid"] or status["category"] != "urban_resident":
        raise Refusal(422, "nothing_due")
    purpose = {"kind": "medical", "resident": resident_key(body["id_number"]), "year": body["year"]}
    return world.payments.create(purpose, RESIDENT_CONTRIBUTION)


# Payments ----------------------------------------------------------------------------------


def payment(world: DemoWorld, order: str) -> Json:
    """Where a payment order stands (a poll)."""
    found = world.payments.poll(order)
    if found is None:
        raise Refusal(404, "unknown_order")
    return found


def settle_payment(world: DemoWorld, order: str, body: Json) -> Json:
    """Demo only: the resident paid, cancelled, or let the order expire."""
    found = world.payments.settle(order, body["status"])
    if found is None:
        raise Refusal(404, "unknown_order")
    return found


# Utility bills -----------------------------------------------------------------------------


def bill(world: DemoWorld, account: str | None, kind: str) -> Json:
    """What an account owes."""
    if account is None or not account.strip():
        raise Refusal(400, "missing_account")
    found = world.data.bill(account.strip(), kind)
    if found is None:
        raise Refusal(404, "unknown_account")
    return found


def bill_order(world: DemoWorld, body: Json) -> Json:
    """An order to pay (part of) a bill; paying it changes no record."""
    found = world.data.bill(body["account"], body["kind"])
    if found is None:
        raise Refusal(422, "unknown_account")
    if found["amount_due"] <= 0:
        raise Refusal(422, "nothing_due")
    amount = round(body["amount"], 2)
    if amount <= 0 or amount > found["amount_due"]:
        raise Refusal(422, "invalid_amount")
    purpose = {"kind": "bill", "account": body["account"], "utility": body["kind"]}
    return world.payments.create(purpose, amount)


# Elderly allowance -------------------------------------------------------------------------


def eligibility(world: DemoWorld, body: Json) -> Json:
    """Whether the elderly allowance can be applied for."""
    return world.data.eligibility(_check_id(body["id_number"]))


def apply_allowance(world: DemoWorld, body: Json) -> Json:
    """Take an application for the elderly allowance."""
    id_number = _check_id(body["id_number"])
    if not world.data.eligibility(id_number)["eligible"]:
        raise Refusal(422, "not_eligible")
    reference = f"GL{world.next_number('allowance'):06d}"
    world.data.apply_allowance(id_number, body["household"], reference)
    return {"reference": reference, "expected_days": 15}


# Resident requests -------------------------------------------------------------------------


def add_request(world: DemoWorld, body: Json) -> Json:
    """Register a resident's request."""
    while True:  # past the requests there from the start
        reference = f"{REQUEST_PREFIX}{world.next_number('requests'):06d}"
        if world.data.request(reference) is None:
            break
    world.data.add_request(reference, body)
    return {"reference": reference}


def request_status(world: DemoWorld, reference: str) -> Json:
    """Where a request stands."""
    found = world.data.request(reference)
    if found is None:
        raise Refusal(404, "unknown_request")
    return found


def reply_request(world: DemoWorld, reference: str, body: Json) -> Json | None:
    """Demo only: a department replies to a request."""
    if not world.data.reply_request(reference, body["department"], body["reply"]):
        raise Refusal(404, "unknown_request")
    return world.data.request(reference)


# Community notices -------------------------------------------------------------------------


def notices(world: DemoWorld, kind: str, page: int, per_page: int) -> Json:
    """Notices of a kind, newest first, a page at a time."""
    return world.data.notices(kind, page, per_page)


def notice(world: DemoWorld, notice_id: int) -> Json:
    """One whole notice."""
    found = world.data.notice(notice_id)
    if found is None:
        raise Refusal(404, "unknown_notice")
    return found


# Queue tickets -----------------------------------------------------------------------------


def queue_ticket(world: DemoWorld, body: Json) -> Json:
    """A numbered ticket for a staff window, with the people ahead."""
    letter = _QUEUE.get(body["matter"], _QUEUE["other"])
    day = world.data.today().isoformat()
    number = world.next_number(f"queue:{letter}:{day}")
    waiting = seed(f"{body['matter']}{number}") % 6
    return {
        "ticket": f"{letter}{number:03d}",
        "window": f"{ord(letter) - 64}号窗口",
        "window_number": ord(letter) - 64,
        "waiting": waiting,
        "expected_minutes": waiting * 4 + 2,
    }
