"""The demo back office serves the flows' contract over real HTTP and can fail on purpose."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
def http(demo: DemoBackOffice) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {demo.token}"
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


# -- hostile clients --------------------------------------------------------------------------


def _raw(demo: DemoBackOffice, request: bytes) -> bytes:
    """Send raw bytes and read the whole reply (the server closes the connection)."""
    import socket

    with socket.create_connection(("127.0.0.1", demo.port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _post(demo: DemoBackOffice, length: str, body: bytes = b"", auth: bool = True) -> bytes:
    head = f"POST /feedback HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n"
    if auth:
        head += f"Authorization: Bearer {demo.token}\r\n"
    return _raw(demo, head.encode() + b"Connection: close\r\n\r\n" + body)


def test_other_local_processes_can_neither_submit_nor_read(demo: DemoBackOffice) -> None:
    assert requests.get(f"{demo.url}/health", timeout=5).status_code == 401
    wrong = {"Authorization": "Bearer guess"}
    reply = requests.post(f"{demo.url}/feedback", json={"text": "x"}, headers=wrong, timeout=5)
    assert reply.status_code == 401 and demo.received() == []


def test_a_huge_or_bad_content_length_is_refused_unread(demo: DemoBackOffice) -> None:
    assert _post(demo, str(1536 << 20)).startswith(b"HTTP/1.1 413")  # 1.5 GiB announced
    assert _post(demo, "abc").startswith(b"HTTP/1.1 400")
    assert _post(demo, "-5").startswith(b"HTTP/1.1 400")
    assert b'"ticket"' in _post(demo, "13", b'{"text": "x"}')  # and it still serves


def test_silent_connections_are_capped_and_time_out(demo: DemoBackOffice) -> None:
    import socket
    import threading

    from kiosk.backoffice.demo_server import MAX_CONNECTIONS

    before = threading.active_count()
    idle = [socket.create_connection(("127.0.0.1", demo.port)) for _ in range(120)]
    try:
        # beyond the cap a connection is closed at once instead of being kept
        idle[-1].settimeout(5)
        assert idle[-1].recv(1) == b""
        assert MAX_CONNECTIONS < 120
        assert threading.active_count() == before  # no thread per connection
    finally:
        for sock in idle:
            sock.close()
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {demo.token}"
    assert http.get(f"{demo.url}/health", timeout=10).json() == {"ok": True}
    http.close()


def test_a_silent_connection_is_dropped_after_the_idle_timeout() -> None:
    import socket

    with DemoBackOffice(idle_timeout=0.2) as demo:
        with socket.create_connection(("127.0.0.1", demo.port)) as silent:
            silent.settimeout(5)
            assert silent.recv(1) == b""  # closed by the server, not by this 5 s timeout


def test_a_ledger_on_disk_remembers_keys_and_tickets_across_a_restart(tmp_path: Path) -> None:
    ledger = tmp_path / "demo-ledger.sqlite3"
    body = {"category": "safety", "text": "楼道灯不亮"}
    replies = []
    for _ in range(2):  # the back office is stopped and started again in between
        with DemoBackOffice(ledger=ledger) as demo, requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {demo.token}"
            first = http.post(f"{demo.url}/feedback", json=body, headers={"Idempotency-Key": "k"})
            fresh = http.post(f"{demo.url}/feedback", json=body, timeout=5)
            replies.append((first.json(), fresh.json()))
            taken = demo.received("/feedback")
    (first_a, fresh_a), (first_b, fresh_b) = replies
    assert first_b == first_a  # the key answered before the restart gets the same reply
    assert fresh_b != fresh_a  # ticket numbers go on, never repeat
    assert [r.key for r in taken] == ["k", None, None]  # recorded once per key
