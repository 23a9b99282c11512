"""A real nginx on loopback, as a child process of the test (not a daemon): serving a folder, or
in front of servers as the README's scaled fleet set-up puts it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

_HEAD = """
daemon off;
master_process on;
worker_processes 1;
{user}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections {connections}; }}
http {{
    client_body_temp_path {prefix}/tmp;
    proxy_temp_path {prefix}/tmp;
    fastcgi_temp_path {prefix}/tmp;
    uwsgi_temp_path {prefix}/tmp;
    scgi_temp_path {prefix}/tmp;
"""

CONFIG = (
    _HEAD
    + """
    log_format bytes '$request_method $uri $status $request_length $bytes_sent';
    access_log {prefix}/access.log bytes;
    types {{ application/json json; application/gzip gz; }}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        etag on;
    }}
}}
"""
)

PROXY = (
    _HEAD
    + """
    access_log off;
    upstream fleet {{ {servers} keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://fleet; proxy_http_version 1.1; proxy_set_header Connection "";
        }}
    }}
}}
"""
)
"""As the README's scaled fleet set-up (without TLS: loopback)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def nginx_serving(root: Path, prefix: Path) -> Iterator[str]:
    """Serve `root` over HTTP on loopback; the base URL. nginx is stopped on leaving."""
    with _nginx(prefix, CONFIG, root=root, connections=64) as (url, _pid):
        yield url


@contextmanager
def nginx_proxying(servers: list[str], prefix: Path) -> Iterator[tuple[str, int]]:
    """nginx in front of `servers` (`host:port`), keeping its connections to them alive as the
    README's scaled fleet set-up does; its base URL and its master's process id."""
    upstreams = " ".join(f"server {server};" for server in servers)
    with _nginx(prefix, PROXY, servers=upstreams, connections=4096) as running:
        yield running


@contextmanager
def _nginx(prefix: Path, config: str, **values: object) -> Iterator[tuple[str, int]]:
    if NGINX is None:
        pytest.skip("nginx is not installed (scripts/setup.sh installs it)")
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    port = _free_port()
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the test's private tmp
    conf = prefix / "nginx.conf"
    conf.write_text(config.format(prefix=prefix, port=port, user=user, **values))
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_serving(process, url)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _wait_until_serving(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"nginx exited {process.returncode}: {err}")
        try:
            with urllib.request.urlopen(url + "nginx-probe", timeout=1):
                return
        except urllib.error.HTTPError as exc:
            exc.close()
            return  # it answers (404): serving
        except OSError:
            time.sleep(0.02)  # polling with a deadline: not yet listening
            continue
    raise RuntimeError("nginx did not start within 10 s")


def access_log(prefix: Path) -> list[str]:
    """The requests nginx logged so far: `METHOD URI STATUS REQUEST_BYTES RESPONSE_BYTES`."""
    path = prefix / "access.log"
    return path.read_text().splitlines() if path.exists() else []
