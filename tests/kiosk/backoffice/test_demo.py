"""The demo back office serves the flows' contract over real HTTP and can fail on purpose."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.backoffice.demo import DemoBackOffice
from kiosk.clock import ManualClock
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


# -- the services of the contract -------------------------------------------------------------

ELDER = invented_id("11010519400312231")  # 86 on 2027-01-15
YOUNGER = invented_id("11010519850312231")
NOW = 1_800_000_000.0  # 2027-01-15


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def office(clock: ManualClock, tmp_path: Path) -> Iterator[DemoBackOffice]:
    with DemoBackOffice(clock=clock, auto_pay_after=None, data=tmp_path / "bo") as demo:
        yield demo


@pytest.fixture
def api(office: DemoBackOffice) -> Iterator[Api]:
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {office.token}"
        yield Api(office.url, session)


class Api:
    """Calls to the demo back office, answering (status, JSON body)."""

    def __init__(self, url: str, session: requests.Session) -> None:
        self.url, self.session = url, session

    def get(self, path: str, **params: object) -> tuple[int, Any]:
        reply = self.session.get(self.url + path, params=params, timeout=5)  # type: ignore[arg-type]
        return reply.status_code, reply.json()

    def post(self, path: str, body: object, key: str | None = None) -> tuple[int, Any]:
        headers = {"Idempotency-Key": key} if key else {}
        reply = self.session.post(self.url + path, json=body, headers=headers, timeout=5)
        return reply.status_code, reply.json()


def test_a_medical_contribution_is_ordered_and_paid_by_qr(api: Api) -> None:
    resident = next(  # an urban resident who owes this year's contribution
        i for i in (invented_id(f"32010219900307{n:03d}") for n in range(200))
        if api.post("/medical/status", {"id_number": i})[1]["amount_due"] > 0
    )  # fmt: skip
    status = api.post("/medical/status", {"id_number": resident})[1]
    assert (status["category"], status["year"], status["paid"]) == ("urban_resident", 2027, False)
    assert [r["period"] for r in status["records"][:2]] == ["2026", "2025"]
    assert api.post("/medical/status", {"id_number": resident})[1] == status  # the same person
    assert api.post("/medical/orders", {"id_number": resident, "year": 2026}) == (
        422,
        {"error": "invalid_year"},
    )
    code, order = api.post("/medical/orders", {"id_number": resident, "year": 2027}, key="m1")
    assert code == 201 and order["amount"] == status["amount_due"]
    assert order["qr"].startswith("https://") and order["expires_in"] > 0
    assert api.get(f"/payments/{order['order']}") == (
        200,
        {"order": order["order"], "status": "pending"},
    )
    assert api.post(f"/_demo/payments/{order['order']}", {"status": "paid"})[1]["status"] == "paid"
    code, paid = api.get(f"/payments/{order['order']}")
    assert paid["status"] == "paid" and paid["receipt_no"] and paid["paid_at"].startswith("2027-01")
    assert api.post(f"/_demo/payments/{order['order']}", {"status": "bribed"}) == (
        422,
        {"error": "invalid_status"},
    )
    employee = next(
        i for i in (invented_id(f"32010219900307{n:03d}") for n in range(200))
        if api.post("/medical/status", {"id_number": i})[1]["category"] == "employee"
    )  # fmt: skip
    assert api.post("/medical/orders", {"id_number": employee, "year": 2027}) == (
        422,
        {"error": "nothing_due"},
    )


def test_an_order_expires_by_the_back_offices_clock(api: Api, clock: ManualClock) -> None:
    code, order = api.post("/bills/orders", {"account": "20240117", "kind": "water", "amount": 1})
    assert code == 201
    clock.advance(order["expires_in"] - 1)
    assert api.get(f"/payments/{order['order']}")[1]["status"] == "pending"
    clock.advance(1)
    assert api.get(f"/payments/{order['order']}")[1]["status"] == "expired"
    # too late to pay, and an ended order stays as it is
    assert api.post(f"/_demo/payments/{order['order']}", {"status": "paid"})[1]["status"] == (
        "expired"
    )
    assert api.get("/payments/PO999999") == (404, {"error": "unknown_order"})


def test_an_order_pays_itself_after_some_polls() -> None:
    with DemoBackOffice(auto_pay_after=3) as demo, requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {demo.token}"
        api = Api(demo.url, session)
        order = api.post("/bills/orders", {"account": "778899", "kind": "gas", "amount": 5})[1]
        seen = [api.get(f"/payments/{order['order']}")[1]["status"] for _ in range(4)]
    assert seen == ["pending", "pending", "paid", "paid"]


def test_a_bill_is_paid_by_an_order_up_to_what_is_due(api: Api) -> None:
    code, bill = api.get("/bills", account="20240117", kind="electricity")
    assert code == 200 and bill["holder"].endswith("**") and len(bill["holder"]) == 3
    assert bill["kind"] == "electricity" and bill["due_date"] > "2027-01-15"
    assert api.get("/bills", account="20240117", kind="electricity")[1] == bill
    too_much = {"account": "20240117", "kind": "electricity", "amount": bill["amount_due"] + 1}
    assert api.post("/bills/orders", too_much) == (422, {"error": "invalid_amount"})
    code, order = api.post("/bills/orders", {**too_much, "amount": bill["amount_due"]})
    assert code == 201 and order["amount"] == bill["amount_due"]
    assert api.get("/bills", account="000123456") == (404, {"error": "unknown_account"})
    unknown = {"account": "000123456", "kind": "gas", "amount": 1}
    assert api.post("/bills/orders", unknown) == (422, {"error": "unknown_account"})
    assert api.get("/bills", kind="gas") == (400, {"error": "missing_account"})
    assert api.get("/bills", account="20240117", kind="steam") == (422, {"error": "invalid_kind"})


def test_the_elderly_allowance_from_80(api: Api) -> None:
    assert api.post("/allowance/eligibility", {"id_number": ELDER}) == (
        200,
        {"eligible": True, "age": 86, "monthly_amount": 100.0},
    )
    young = api.post("/allowance/eligibility", {"id_number": YOUNGER})[1]
    assert (young["eligible"], young["age"], young["reason"]) == (False, 41, "under_age")
    application = {"household": "local", "bank_card_last4": "0427", "phone": "13800138000"}
    refused = api.post("/allowance/applications", {**application, "id_number": YOUNGER})
    assert refused == (422, {"error": "not_eligible"})
    code, accepted = api.post("/allowance/applications", {**application, "id_number": ELDER}, "a")
    assert code == 201 and accepted["reference"].startswith("GL")
    assert accepted["expected_days"] > 0
    bad_card = {**application, "id_number": ELDER, "bank_card_last4": "12345"}
    assert api.post("/allowance/applications", bad_card) == (422, {"error": "invalid_bank_card"})
    no_phone = {**application, "id_number": ELDER, "phone": ""}
    assert api.post("/allowance/applications", no_phone)[0] == 201


def test_a_resident_request_is_answered_by_a_department(api: Api) -> None:
    request = {
        "category": "environment",
        "place": "5号楼",
        "text": "垃圾桶满了",
        "phone": "13800138000",
    }
    code, taken = api.post("/requests", request, key="r1")
    assert code == 201 and taken["reference"] == "SQ000003"  # after the two there from the start
    code, status = api.get(f"/requests/{taken['reference']}")
    assert (status["status"], status["category"]) == ("received", "environment")
    assert "reply" not in status
    reply = {"department": "物业服务中心", "reply": "已清运。"}
    api.post(f"/_demo/requests/{taken['reference']}/reply", reply)
    code, status = api.get(f"/requests/{taken['reference']}")
    assert (status["status"], status["department"], status["reply"]) == (
        "replied",
        "物业服务中心",
        "已清运。",
    )
    assert status["updated_at"].startswith("2027-01-15")
    assert api.get("/requests/SQ000001")[1]["status"] == "replied"
    assert api.get("/requests/SQ000002")[1]["status"] == "assigned"
    assert api.get("/requests/SQ999999") == (404, {"error": "unknown_request"})


def test_a_parcel_refused_in_the_couriers_app_is_listed_at_its_companys_sign_ins(
    api: Api,
) -> None:
    assert api.post("/couriers/sign-in", {"code": "880001"})[1]["refused"] == []
    marked = api.post("/_demo/waybills/SF1000000061/refused", {"company": "顺丰速运"})
    assert marked == (200, {"waybill": "SF1000000061", "company": "顺丰速运"})
    assert api.post("/_demo/waybills/SF1000000061/refused", {"company": "顺丰速运"})[0] == 200
    assert api.post("/couriers/sign-in", {"code": "880001"})[1]["refused"] == ["SF1000000061"]
    assert api.post("/couriers/sign-in", {"code": "880002"})[1]["refused"] == []  # not theirs


def test_notices_page_through_long_texts(api: Api) -> None:
    code, first = api.get("/notices", kind="affairs", page=1, per_page=3)
    assert code == 200 and len(first["items"]) == 3 and first["pages"] >= 2
    published = [item["published"] for item in first["items"]]
    assert published == sorted(published, reverse=True)
    last = api.get("/notices", kind="affairs", page=first["pages"], per_page=3)[1]
    assert 1 <= len(last["items"]) <= 3 and last["total"] == first["total"]
    bodies = [api.get(f"/notices/{n}")[1] for n in range(1, first["total"] + 4)]
    longest = max((b for b in bodies if "body" in b), key=lambda b: len(b["body"]))
    assert len(longest["body"]) >= 2000 and "\n\n" in longest["body"]
    assert api.get("/notices")[1]["total"] == first["total"]  # affairs unless told
    finance = api.get("/notices", kind="finance")[1]["items"]
    table = api.get(f"/notices/{finance[0]['id']}")[1]["body"]
    assert "合计支出" in table and "金额（元）" in table
    assert api.get("/notices/999") == (404, {"error": "unknown_notice"})


def test_queue_tickets_count_up_per_matter(api: Api) -> None:
    first = api.post("/queue/tickets", {"matter": "medical"})[1]
    second = api.post("/queue/tickets", {"matter": "medical"})[1]
    other = api.post("/queue/tickets", {"matter": "social_security"})[1]
    anything = api.post("/queue/tickets", {"matter": "pensions"})[1]
    tickets = [t["ticket"] for t in (first, second, other, anything)]
    assert tickets == ["B001", "B002", "A001", "D001"]
    assert (first["window"], other["window"]) == ("2号窗口", "1号窗口")
    assert first["expected_minutes"] >= 2


def test_no_full_id_or_phone_number_is_kept_on_disk(
    api: Api, office: DemoBackOffice, tmp_path: Path
) -> None:
    application = {"household": "local", "bank_card_last4": "0427", "phone": "13800138000"}
    api.post("/allowance/applications", {**application, "id_number": ELDER})
    api.post("/medical/status", {"id_number": ELDER})
    api.post("/requests", {"category": "x", "place": "y", "text": "z", "phone": "13800138000"})
    office.stop()
    written = list((tmp_path / "bo").iterdir())
    assert {p.name for p in written} >= {"ledger.sqlite3", "backoffice.sqlite3"}
    for path in written:
        data = path.read_bytes()
        assert ELDER.encode() not in data and b"13800138000" not in data, path.name


def test_started_in_the_background_it_answers_what_came_meanwhile() -> None:
    office = DemoBackOffice().start(wait=False)  # as `--simulate` starts it
    try:
        auth = {"Authorization": f"Bearer {office.token}"}
        # sent at once: it waits in the port's backlog while FastAPI is imported
        assert requests.get(f"{office.url}/health", headers=auth, timeout=10).json() == {"ok": True}
    finally:
        office.stop()


def test_an_app_that_cannot_start_refuses_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    import kiosk.backoffice.demo_app

    def broken(world: object) -> None:
        raise ImportError("no FastAPI here")

    monkeypatch.setattr(kiosk.backoffice.demo_app, "build_app", broken)
    office = DemoBackOffice(server="fastapi").start(wait=False)
    try:
        with pytest.raises(RuntimeError, match="did not start"):
            office.ready()
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{office.url}/health", timeout=5)
    finally:
        office.stop()


def test_in_memory_its_tables_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import kiosk.backoffice.demo_data

    monkeypatch.setattr(kiosk.backoffice.demo_data, "KEPT_IN_MEMORY", 5)
    with DemoBackOffice(auto_pay_after=None) as demo, requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {demo.token}"
        api = Api(demo.url, session)
        orders = [
            api.post("/bills/orders", {"account": "778899", "kind": "gas", "amount": 1})[1]
            for _ in range(12)
        ]
        assert api.get(f"/payments/{orders[0]['order']}") == (404, {"error": "unknown_order"})
        assert api.get(f"/payments/{orders[-1]['order']}")[1]["status"] == "pending"


def test_fastapi_is_imported_only_when_a_fastapi_demo_back_office_starts() -> None:
    import subprocess
    import sys

    check = (
        "import sys, urllib.request, kiosk.app, kiosk.backoffice.demo, kiosk.backoffice.client\n"
        "from kiosk.backoffice.demo import DemoBackOffice\n"
        "with DemoBackOffice() as office:  # the light server answers\n"
        "    asked = urllib.request.Request(office.url + '/health',\n"
        "        headers={'Authorization': 'Bearer ' + office.token})\n"
        "    assert urllib.request.urlopen(asked, timeout=10).read() == b'{\"ok\":true}'\n"
        "heavy = {'fastapi', 'uvicorn', 'starlette', 'pydantic'} & set(sys.modules)\n"
        "assert not heavy, sorted(heavy)\n"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", check], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
