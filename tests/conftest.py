"""Suite-wide fixtures: fail any test that leaves a device, thread or server running, or whose
run journals an event the service menu's Journal page cannot name."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator

import pytest

os.environ.setdefault("KIVY_NO_ARGS", "1")
if "KIVY_HOME" not in os.environ:
    os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kivy-home-")
    atexit.register(functools.partial(shutil.rmtree, os.environ["KIVY_HOME"], True))
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")


@pytest.fixture(autouse=True)
def no_idle_collections(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kiosks started by tests leave garbage to Python instead of a full collection at every
    attract screen: in a test process the heap is the whole suite's, so each took ~0.3 s of CPU
    (35 s for tests/kiosk/ui). Tests marked `idle_gc` keep them, as a kiosk in service does."""
    if request.node.get_closest_marker("idle_gc") is None:
        from kiosk.ui import idle_gc

        monkeypatch.setattr(idle_gc, "enable", lambda: None)


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    """Fail the test if it leaves devices open or threads (servers, readers) running."""
    from peripherals.device import open_devices

    before = set(threading.enumerate())
    yield
    leaked_devices = open_devices()
    for device in leaked_devices:
        device.close()
    # Daemon threads count too: a simulator, reader or server thread left behind is a leak.
    new_threads = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for thread in new_threads:
        thread.join(timeout=2)
    still = [t.name for t in new_threads if t.is_alive()]
    assert not leaked_devices, f"test left devices open: {[d.name for d in leaked_devices]}"
    assert not still, f"test left threads running: {still}"


@pytest.fixture(autouse=True)
def journal_events_in_words(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if the kiosk's code journaled an event without a title in both languages
    (`locales/*/journal.yaml`): the whole suite's runs are the code's representative runs."""
    from tests.support.journal_events import WrittenEvents

    written = WrittenEvents(monkeypatch)
    yield
    unknown = written.unknown()
    assert not unknown, f"journal events without words in locales/*/journal.yaml: {unknown}"
