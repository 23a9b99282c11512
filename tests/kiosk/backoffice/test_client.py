"""HttpBackends over real HTTP: replies decoded, every failure a stable error key."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.backoffice.client import HttpBackends
from kiosk.backoffice.demo import DemoBackOffice
from kiosk.config import BackendConfig, Secret
from kiosk.flow.services import BackendError
from peripherals.id_card.id_number import check_character


def invented_id(first17: str = "32010219900307456") -> str:
    """An invented resident ID number with a valid GB 11643 check character."""
    return first17 + check_character(first17)


@pytest.fixture
def demo() -> Iterator[DemoBackOffice]:
    with DemoBackOffice() as office:
        yield office


@pytest.fixture
def backends(demo: DemoBackOffice) -> Iterator[HttpBackends]:
    config = BackendConfig(
        base_url=demo.url + "/",
        timeout=0.5,
        headers={"X-Terminal-Id": "t1"},
        token=Secret(demo.token),
    )
    with HttpBackends({"social_insurance": config, "utilities": config}) as client:
        yield client


async def key_of(call: object) -> str:
    with pytest.raises(BackendError) as caught:
        await call  # type: ignore[misc]
    return caught.value.key


async def test_post_and_get_return_decoded_json(backends: HttpBackends) -> None:
    cert = await backends.request(
        "social_insurance",
        "POST",
        "/certificates",
        {"id_number": invented_id(), "type": "payments"},
    )
    assert cert["type"] == "payments" and cert["pages"] >= 1
    bill = await backends.request("utilities", "GET", "bills", query={"account": "778899"})
    assert bill["account"] == "778899"


async def test_errors_have_stable_keys(backends: HttpBackends, demo: DemoBackOffice) -> None:
    assert await key_of(backends.request("nope", "GET", "/health")) == "backend.unknown"
    assert await key_of(backends.request("utilities", "GET", "/bills")) == "backend.rejected"
    demo.fail_next(1)
    assert await key_of(backends.request("utilities", "GET", "/health")) == "backend.failed"
    demo.hold()
    try:
        assert await key_of(backends.request("utilities", "GET", "/health")) == "backend.timeout"
    finally:
        demo.release()
    demo.set_down(True)
    assert await key_of(backends.request("utilities", "GET", "/health")) == "backend.unreachable"


async def test_a_missing_route_is_a_configuration_fault_a_missing_record_is_not(
    backends: HttpBackends,
) -> None:
    assert await key_of(backends.request("utilities", "POST", "/allowances", {"a": 1})) == (
        "backend.not_found"
    )
    lookup = backends.request("utilities", "GET", "/bills", query={"account": "abc"})
    assert await key_of(lookup) == "backend.rejected"  # no such account: check the details


async def test_error_details_never_carry_the_id_number(backends: HttpBackends) -> None:
    id_number = invented_id()
    with pytest.raises(BackendError) as caught:
        await backends.request("social_insurance", "GET", f"/residents/{id_number}")
    assert caught.value.key == "backend.rejected"
    assert id_number not in str(caught.value)


async def test_fallback_answers_for_unconfigured_names(demo: DemoBackOffice) -> None:
    with HttpBackends({}, fallback=demo.backend()) as client:
        assert await client.request("anything", "GET", "/health") == {"ok": True}


class _HtmlHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        data = b"<html>maintenance</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


async def test_non_json_reply_is_a_bad_reply() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with HttpBackends({"portal": BackendConfig(base_url=url)}) as client:
            assert await key_of(client.request("portal", "GET", "/")) == "backend.bad_reply"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
