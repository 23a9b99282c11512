"""What a back office connection must never do: follow a redirect elsewhere with the payload and
credentials, leave the base path, or talk without the TLS identity configured.

Real servers on loopback: a redirecting one, the demo back office as the place it points to, and
an HTTPS server that demands a client certificate, with certificates made by `openssl`.
"""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kiosk.backoffice.client import HttpBackends, endpoint
from kiosk.backoffice.demo import DemoBackOffice
from kiosk.clock import ManualClock
from kiosk.config import BackendConfig, Secret
from kiosk.flow.services import BackendError
from kiosk.storage.database import Database
from kiosk.storage.outbox import SqliteOutbox

SECRET = "s3cret-api-key"


class _Serving:
    """An HTTP(S) server on loopback in a thread, stopped on exit."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], tls: ssl.SSLContext | None = None):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.handle_error = lambda *_: None  # type: ignore[method-assign]  # refused TLS
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> _Serving:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def url(self, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def demo() -> Iterator[DemoBackOffice]:
    with DemoBackOffice() as office:
        yield office


def _redirecting_to(target: str) -> type[BaseHTTPRequestHandler]:
    class Redirect(BaseHTTPRequestHandler):
        def _go(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(307)
            self.send_header("Location", target + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _go

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Redirect


async def test_a_redirect_is_not_followed_with_the_payload_and_the_key(
    demo: DemoBackOffice, tmp_path: Path
) -> None:
    with _Serving(_redirecting_to(demo.url)) as redirecting:
        config = BackendConfig(base_url=redirecting.url(), headers={"X-Api-Key": SECRET})
        with HttpBackends({"si": config}) as client:
            with pytest.raises(BackendError) as caught:
                await client.request("si", "GET", "/health")
            assert caught.value.key == "backend.redirected"
        db = Database.in_dir(tmp_path)
        outbox = SqliteOutbox(db, {"feedback": config}, clock=ManualClock(1_800_000_000.0))
        try:
            sent = await outbox.submit("feedback", "/feedback", {"text": "路灯不亮"}, "k1")
            assert sent.status == "queued"  # kept, to go when the address is put right
            entry = outbox.get(sent.reference)
            assert entry is not None and "redirect" in (entry.last_error or "")
        finally:
            outbox.close()
            db.close()
    # the place it pointed to never saw the payload or the key
    assert demo.received() == []


@pytest.mark.parametrize(
    "path",
    [
        "../../admin",
        "/feedback/../../admin",
        "/a/%2e%2e/admin",
        "/a%2Fb",
        "/x?y=1#frag",
        "/http://evil.example/",
        "/a\r\nHost: evil",
        "/a\\..\\b",
    ],
)
def test_a_path_never_leaves_the_back_office(path: str) -> None:
    config = BackendConfig(base_url="https://si.example/api/v1")
    with pytest.raises(BackendError) as caught:
        endpoint(config, path)
    assert caught.value.key == "backend.bad_path"


def test_ordinary_paths_and_queries_stay_below_the_base() -> None:
    config = BackendConfig(base_url="https://si.example/api/v1/")
    assert endpoint(config, "/certificates?type=personal") == (
        "https://si.example/api/v1/certificates?type=personal"
    )
    assert endpoint(config, "bills/2026-12") == "https://si.example/api/v1/bills/2026-12"


# -- mutual TLS -----------------------------------------------------------------------------


def _openssl(command: str, cwd: Path) -> None:
    subprocess.run(["openssl", *command.split()], cwd=cwd, check=True, capture_output=True)


_NEW_KEY = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A certificate authority, a server certificate for 127.0.0.1, a client certificate, and
    another authority that signed none of them."""
    d = tmp_path_factory.mktemp("pki")
    for ca in ("ca", "other"):
        _openssl(f"req -x509 {_NEW_KEY} -keyout {ca}.key -out {ca}.pem -days 2 -subj /CN={ca}", d)
    for name, extra in (
        ("server", "subjectAltName=IP:127.0.0.1"),
        ("client", "extendedKeyUsage=clientAuth"),
    ):
        _openssl(f"req {_NEW_KEY} -keyout {name}.key -out {name}.csr -subj /CN={name}", d)
        (d / f"{name}.ext").write_text(extra + "\n")
        _openssl(
            f"x509 -req -in {name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
            f"-out {name}.pem -days 2 -extfile {name}.ext",
            d,
        )
    return d


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        peer = self.connection.getpeercert()  # type: ignore[attr-defined]
        who = dict(x[0] for x in peer["subject"])["commonName"] if peer else ""
        body = f'{{"client": "{who}"}}'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def https(pki: Path) -> Iterator[str]:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(pki / "server.pem", pki / "server.key")
    tls.load_verify_locations(pki / "ca.pem")
    tls.verify_mode = ssl.CERT_REQUIRED  # no client certificate, no conversation
    with _Serving(_Hello, tls) as serving:
        yield serving.url("https")


async def test_mutual_tls_with_the_configured_ca_and_client_certificate(
    https: str, pki: Path
) -> None:
    good = BackendConfig(
        base_url=https,
        ca_bundle=pki / "ca.pem",
        client_cert=pki / "client.pem",
        client_key=pki / "client.key",
        token=Secret("t"),
    )
    anonymous = BackendConfig(base_url=https, ca_bundle=pki / "ca.pem")
    untrusted = BackendConfig(
        base_url=https,
        ca_bundle=pki / "other.pem",
        client_cert=pki / "client.pem",
        client_key=pki / "client.key",
    )
    backends = {"good": good, "anonymous": anonymous, "untrusted": untrusted}
    with HttpBackends(backends) as client:
        assert await client.request("good", "GET", "/whoami") == {"client": "client"}
        for refused in ("anonymous", "untrusted"):
            with pytest.raises(BackendError) as caught:
                await client.request(refused, "GET", "/whoami")
            assert caught.value.key in ("backend.unreachable", "backend.failed"), refused
