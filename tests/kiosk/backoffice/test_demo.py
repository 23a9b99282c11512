"""The demo back office serves the flows' contract over real HTTP and can fail on purpose."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from kiosk.backoffice.demo import DemoBackOffice
from peripherals.id_card.id_number import check_character, is_valid


def invented_id(first17: str = "44030419850614123") -> str:
    """An invented resident ID number with a valid GB 11643 check character."""
    return first17 + check_character(first17)


@pytest.fixture
def demo() -> Iterator[DemoBackOffice]:
    with DemoBackOffice() as office:
        yield office


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def test_certificate_for_an_invented_resident(demo: DemoBackOffice, http: requests.Session) -> None:
    body = {"id_number": invented_id(), "type": "personal"}
    reply = http.post(f"{demo.url}/certificates", json=body, timeout=5)
    assert reply.status_code == 200
    cert = reply.json()
    assert set(cert) >= {"pages", "insured_since", "unit", "months"}
    assert cert["pages"] >= 1 and cert["months"] >= 12
    again = http.post(f"{demo.url}/certificates", json=body, timeout=5).json()
    assert again == cert  # the same invented person always has the same record
    bad = invented_id()[:-1] + ("0" if invented_id()[-1] != "0" else "1")
    assert not is_valid(bad)
    refused = http.post(f"{demo.url}/certificates", json={"id_number": bad, "type": "personal"})
    assert (refused.status_code, refused.json()) == (422, {"error": "invalid_id_number"})


def test_bill_by_account(demo: DemoBackOffice, http: requests.Session) -> None:
    bill = http.get(f"{demo.url}/bills", params={"account": "20240117"}, timeout=5)
    assert bill.status_code == 200
    assert bill.json()["amount_due"] > 0
    assert http.get(f"{demo.url}/bills", timeout=5).status_code == 400


def test_idempotency_key_replays_the_first_reply_and_records_once(
    demo: DemoBackOffice, http: requests.Session
) -> None:
    body = {"category": "environment", "text": "路灯不亮"}
    first = http.post(f"{demo.url}/feedback", json=body, headers={"Idempotency-Key": "k1"})
    second = http.post(f"{demo.url}/feedback", json=body, headers={"Idempotency-Key": "k1"})
    other = http.post(f"{demo.url}/feedback", json=body, headers={"Idempotency-Key": "k2"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert other.json() != first.json()
    assert [r.key for r in demo.received("/feedback")] == ["k1", "k2"]
    assert demo.requests_with_key("k1") == 2
    reused = http.post(
        f"{demo.url}/feedback", json={"text": "something else"}, headers={"Idempotency-Key": "k1"}
    )
    assert (reused.status_code, reused.json()) == (422, {"error": "idempotency_key_reused"})


def test_down_refuses_connections_then_comes_back_on_the_same_port(
    demo: DemoBackOffice, http: requests.Session
) -> None:
    port = demo.port
    demo.set_down(True)
    with pytest.raises(requests.ConnectionError):
        http.get(f"{demo.url}/health", timeout=5)
    demo.set_down(False)
    assert demo.port == port
    assert http.get(f"{demo.url}/health", timeout=5).json() == {"ok": True}


def test_down_with_503_and_fail_next(demo: DemoBackOffice, http: requests.Session) -> None:
    demo.set_down(True, how="503")
    assert http.get(f"{demo.url}/health", timeout=5).status_code == 503
    demo.set_down(False)
    demo.fail_next(2)
    codes = [http.get(f"{demo.url}/health", timeout=5).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
