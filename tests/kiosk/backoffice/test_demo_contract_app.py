"""The light server (the contract document's own checks) answers as the FastAPI app the contract
is generated from: the same status and the same body for valid requests and for every kind of
refusal (property-based contract checks run against the light server in test_contract.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from kiosk.backoffice.demo import DemoBackOffice
from kiosk.clock import ManualClock
from peripherals.id_card.id_number import check_character

NOW = 1_800_000_000.0  # 2027-01-15


def invented_id(first17: str) -> str:
    """An invented resident ID number with a valid GB 11643 check character."""
    return first17 + check_character(first17)


RESIDENT = invented_id("44030419850614123")
ELDER = invented_id("11010519400312231")
WRONG = RESIDENT[:-1] + ("0" if RESIDENT[-1] != "0" else "1")

Case = tuple[str, str, Any, dict[str, str]]
CASES: list[Case] = [
    ("GET", "/health", None, {}),
    ("GET", "/health/", None, {}),  # redirected (never followed by a kiosk)
    ("POST", "/health", None, {}),
    ("HEAD", "/health", None, {}),
    ("GET", "/nowhere", None, {}),
    ("GET", "/bills?account=20240117&kind=gas", None, {}),
    ("GET", "/bills?account=20240117&kind=GAS", None, {}),
    ("GET", "/bills?account=%20", None, {}),
    ("GET", "/bills?account=000123", None, {}),
    ("GET", "/bills?account=" + "1" * 41, None, {}),
    ("GET", "/notices?page=2.0&per_page=1_0", None, {}),
    ("GET", "/notices?page=%202%20", None, {}),
    ("GET", "/notices?page=0", None, {}),
    ("GET", "/notices?page=", None, {}),
    ("GET", "/notices?kind=finance&per_page=51", None, {}),
    ("GET", "/notices/1", None, {}),
    ("GET", "/notices/1.5", None, {}),
    ("GET", "/notices/99999", None, {}),
    ("GET", "/payments/" + "P" * 41, None, {}),
    ("GET", "/requests/SQ%30%30%30%30%30%31", None, {}),
    ("POST", "/certificates", {"id_number": RESIDENT, "type": "payments", "more": [1]}, {}),
    ("POST", "/certificates", {"id_number": RESIDENT, "type": "other"}, {}),
    ("POST", "/certificates", {"id_number": WRONG, "type": "personal"}, {}),
    ("POST", "/certificates", {"id_number": RESIDENT + "\n", "type": "personal"}, {}),
    ("POST", "/certificates", {"id_number": 123, "type": "personal"}, {}),
    ("POST", "/certificates", {"type": "personal"}, {}),
    ("POST", "/medical/status", [RESIDENT], {}),
    ("POST", "/medical/orders", {"id_number": RESIDENT, "year": "2027"}, {}),
    ("POST", "/medical/orders", {"id_number": RESIDENT, "year": 2027.5}, {}),
    ("POST", "/medical/orders", {"id_number": RESIDENT, "year": True}, {}),
    ("POST", "/feedback", {"text": "  "}, {}),
    ("POST", "/feedback", {"text": "路灯不亮", "category": None}, {"Idempotency-Key": "k1"}),
    ("POST", "/feedback", {"text": "路灯不亮", "phone": "1" * 21}, {}),
    ("POST", "/feedback", {"text": "路灯不亮"}, {"Idempotency-Key": ""}),
    ("POST", "/staff-calls", {"terminal": "gx-0001", "screen": ""}, {}),
    ("POST", "/bills/orders", {"account": "20240117", "kind": "water", "amount": "1.5"}, {}),
    ("POST", "/bills/orders", {"account": "20240117", "kind": "water", "amount": 0}, {}),
    ("POST", "/bills/orders", {"account": 20240117, "kind": "water", "amount": 1}, {}),
    ("POST", "/allowance/eligibility", {"id_number": ELDER}, {}),
    (
        "POST",
        "/allowance/applications",
        {"id_number": ELDER, "household": "本市", "bank_card_last4": "12345"},
        {},
    ),
    ("POST", "/requests", {"category": "环境", "place": "3栋", "text": "漏水"}, {}),
    ("POST", "/queue/tickets", {"matter": "medical"}, {}),
    ("POST", "/couriers/sign-in", {"card": "K88000002"}, {}),
    ("POST", "/couriers/sign-in", {}, {}),
    ("POST", "/couriers/waybill", {"waybill": "SF1000000002"}, {}),
    ("POST", "/couriers/consent", {"phone": "1380000000a"}, {}),
    ("POST", "/locker/orders", {"amount": 2}, {}),
    ("POST", "/_demo/payments/PO000001", {"status": "paid"}, {}),
    ("GET", "/payments/PO000001", None, {}),
    ("POST", "/_demo/requests/SQ000002/reply", {"department": "物业", "reply": "已修"}, {}),
    ("POST", "/_demo/waybills/ZT2000000009/refused", {"company": "中通快递"}, {}),
    ("POST", "/_demo/waybills/ZT2000000009/refused", {"company": ""}, {}),
    ("POST", "/couriers/sign-in", {"code": "880002"}, {}),  # lists the refused waybill
    ("POST", "/medical/status", b"\x80", {}),  # not even text
    ("POST", "/medical/status", b"not json", {"Idempotency-Key": ""}),
    (
        "POST",
        "/medical/status",
        json.dumps({"id_number": RESIDENT}),
        {"Content-Type": "text/plain"},
    ),
    ("POST", "/medical/status", b"", {}),
]


@pytest.fixture(scope="module")
def offices() -> Iterator[tuple[DemoBackOffice, DemoBackOffice]]:
    clock = ManualClock(NOW)
    with (
        DemoBackOffice(server="fastapi", clock=clock) as app,
        DemoBackOffice(clock=clock) as light,
    ):
        yield app, light


def _reply(office: DemoBackOffice, session: requests.Session, case: Case) -> tuple[int, str]:
    """The status and the body as JSON text (`400` and `400.0` differ there)."""
    method, path, body, headers = case
    sent = {"data": body} if isinstance(body, str | bytes) else {"json": body}
    reply = session.request(
        method,
        office.url + path,
        headers={"Authorization": f"Bearer {office.token}", **headers},
        allow_redirects=False,
        timeout=5,
        **sent,  # type: ignore[arg-type]
    )
    return reply.status_code, json.dumps(reply.json(), sort_keys=True) if reply.content else ""


def test_the_light_server_answers_as_the_fastapi_app(
    offices: tuple[DemoBackOffice, DemoBackOffice],
) -> None:
    app, light = offices
    with requests.Session() as session:
        answers = [(_reply(app, session, case), _reply(light, session, case)) for case in CASES]
        assert _reply(light, session, ("GET", "/openapi.json", None, {})) == _reply(
            app, session, ("GET", "/openapi.json", None, {})
        )
    differing = [(case[:2], a, b) for case, (a, b) in zip(CASES, answers, strict=True) if a != b]
    assert not differing
    statuses = {status for (status, _), _ in answers}
    assert statuses >= {200, 201, 307, 400, 403, 404, 405, 422}  # every kind of answer compared
