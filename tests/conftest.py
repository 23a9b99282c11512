"""Suite-wide fixtures: fail any test that leaves a device, thread or server running."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator

import pytest

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    """Fail the test if it leaves devices open or non-daemon threads running."""
    from peripherals.device import open_devices

    before = set(threading.enumerate())
    yield
    leaked_devices = open_devices()
    for device in leaked_devices:
        device.close()
    new_threads = [
        t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon
    ]
    for thread in new_threads:
        thread.join(timeout=2)
    still = [t.name for t in new_threads if t.is_alive()]
    assert not leaked_devices, f"test left devices open: {[d.name for d in leaked_devices]}"
    assert not still, f"test left threads running: {still}"
