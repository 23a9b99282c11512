"""Test support: a real pcscd with vsmartcard's vpcd readers, and waits on reader state.

`pcscd` (session fixture) reuses a running pcscd, or starts `pcscd --foreground` with a private
log and stops it by PID at the end. It skips only when pcscd (or pyscard) is not installed;
anything else that goes wrong fails with pcscd's log. Waits use pcsc's own blocking
`SCardGetStatusChange` rather than sleeps: pcscd sees a card come or go only at its next poll.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

VPCD_READERS = ("Virtual PCD 00 00", "Virtual PCD 00 01")
"""The readers vsmartcard-vpcd gives pcscd (card side on TCP 35963 and 35964)."""

START_DEADLINE = 15.0
_PNP = "\\\\?PnP?\\Notification"


@dataclass
class Pcscd:
    """The pcscd the tests talk to."""

    pid: int | None
    """Its PID when started by the fixture; None when a running one was reused."""
    log_path: Path | None
    readers: list[str]

    def log_tail(self, lines: int = 30) -> str:
        """The end of pcscd's log (empty for a reused daemon)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _scard() -> Any:
    from smartcard import scard

    return scard


def _context() -> Any | None:
    scard = _scard()
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    return context if hresult == scard.SCARD_S_SUCCESS else None


def _readers(context: Any) -> list[str]:
    scard = _scard()
    hresult, names = scard.SCardListReaders(context, [])
    return [str(n) for n in names] if hresult == scard.SCARD_S_SUCCESS else []


def wait_for_readers(wanted: tuple[str, ...], timeout: float) -> list[str]:
    """Wait (on pcscd's reader-change notification) until all `wanted` readers are listed."""
    scard = _scard()
    deadline = time.monotonic() + timeout
    context = _context()
    if context is None:
        return []
    try:
        pnp_state = scard.SCARD_STATE_UNAWARE
        while True:
            names = _readers(context)
            remaining = deadline - time.monotonic()
            if all(name in names for name in wanted) or remaining <= 0:
                return names
            hresult, states = scard.SCardGetStatusChange(
                context, int(min(remaining, 1.0) * 1000), [(_PNP, pnp_state)]
            )
            if hresult == scard.SCARD_S_SUCCESS and states:
                pnp_state = states[0][1] & ~scard.SCARD_STATE_CHANGED
    finally:
        scard.SCardReleaseContext(context)


def wait_for_card_state(reader: str, present: bool, timeout: float = 5.0) -> bool:
    """Wait until pcscd reports a card in `reader` (or none); False if it did not in time."""
    scard = _scard()
    deadline = time.monotonic() + timeout
    context = _context()
    if context is None:
        return False
    try:
        state = scard.SCARD_STATE_UNAWARE
        while True:
            hresult, states = scard.SCardGetStatusChange(context, 0, [(reader, state)])
            if hresult not in (scard.SCARD_S_SUCCESS, scard.SCARD_E_TIMEOUT):
                return False
            if hresult == scard.SCARD_S_SUCCESS:
                state = states[0][1] & ~scard.SCARD_STATE_CHANGED
            if bool(state & scard.SCARD_STATE_PRESENT) == present:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            # blocks until pcscd's view of the reader differs from `state`, or the time is up
            scard.SCardGetStatusChange(context, int(remaining * 1000), [(reader, state)])
    finally:
        scard.SCardReleaseContext(context)


def _service_up() -> bool:
    context = _context()
    if context is None:
        return False
    _scard().SCardReleaseContext(context)
    return True


def _start(executable: str, log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [executable, "--foreground", "--info"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    """A running pcscd listing the vpcd readers, for the whole session."""
    if importlib.util.find_spec("smartcard") is None:
        pytest.skip("pyscard is not installed: pip install pyscard")
    if _service_up():
        names = wait_for_readers(VPCD_READERS, 2.0)
        if VPCD_READERS[0] not in names:
            pytest.fail(
                f"a running pcscd lists {names}, not {VPCD_READERS[0]!r}: install "
                "vsmartcard-vpcd and restart pcscd"
            )
        yield Pcscd(None, None, names)  # someone else's daemon: leave it running
        return
    executable = shutil.which("pcscd") or (
        "/usr/sbin/pcscd" if os.access("/usr/sbin/pcscd", os.X_OK) else None
    )
    if executable is None:
        pytest.skip("pcscd is not installed: apt-get install pcscd vsmartcard-vpcd")
    log_path = tmp_path_factory.mktemp("pcscd") / "pcscd.log"
    process = _start(executable, log_path)
    daemon = Pcscd(process.pid, log_path, [])
    try:
        deadline = time.monotonic() + START_DEADLINE
        while not _service_up():
            try:
                # returns at once if pcscd died; otherwise a short bounded pause
                process.wait(timeout=0.02)
            except subprocess.TimeoutExpired:
                pass
            else:
                pytest.fail(f"pcscd exited with {process.returncode}:\n{daemon.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"pcscd did not come up in {START_DEADLINE:g} s:\n{daemon.log_tail()}")
        daemon.readers = wait_for_readers(VPCD_READERS, deadline - time.monotonic())
        if VPCD_READERS[0] not in daemon.readers:
            pytest.fail(
                f"pcscd lists {daemon.readers}, not the vpcd readers: apt-get install "
                f"vsmartcard-vpcd\n{daemon.log_tail()}"
            )
        yield daemon
    finally:
        _stop(process)
