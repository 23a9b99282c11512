"""A real PostgreSQL (the Debian package) in a temporary directory, started and stopped here."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def postgres_bin() -> Path | None:
    """The folder of initdb and postgres, if PostgreSQL is installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_postgres(deadline: float = 30.0) -> Iterator[str]:
    """Start a PostgreSQL server with its data in a new temporary folder (removed afterwards);
    yields its SQLAlchemy URL."""
    folder = Path(tempfile.mkdtemp(prefix="kiosk-postgres-"))
    try:
        with _running(folder, deadline) as url:
            yield url
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _running(folder: Path, deadline: float) -> Iterator[str]:
    bin_dir = postgres_bin()
    assert bin_dir is not None, "PostgreSQL is not installed (scripts/setup.sh installs it)"
    user: str | None = None
    if os.geteuid() == 0:  # postgres refuses to run as root: run it as the package's user
        user = "postgres"
        pwd.getpwnam(user)
    data = folder / "data"
    if user is not None:
        shutil.chown(folder, user)
    subprocess.run(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", "fleet", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
        user=user,
    )
    port = _free_port()
    log = open(folder / "postgres.log", "wb")
    process = subprocess.Popen(
        [
            str(bin_dir / "postgres"),
            "-D",
            str(data),
            "-k",
            str(folder),
            "-p",
            str(port),
            "-h",
            "127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=200",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
        user=user,
    )
    url = f"postgresql+psycopg://fleet@127.0.0.1:{port}/postgres"
    try:
        import psycopg

        until = time.monotonic() + deadline
        while True:
            try:
                psycopg.connect(f"host=127.0.0.1 port={port} user=fleet dbname=postgres").close()
                break
            except psycopg.OperationalError:
                if process.poll() is not None or time.monotonic() > until:
                    raise RuntimeError((folder / "postgres.log").read_text()) from None
                time.sleep(0.05)  # polling with a deadline for the server to accept connections
        yield url
    finally:
        process.terminate()
        try:
            process.wait(deadline)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
