"""人工服务 reaches staff: sent through the outbox to the configured back office, and the resident
is told the truth about it (on its way, arrived, not sent while the network is down)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from kiosk.app import KioskServices
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.session.runtime import KioskRuntime
from kiosk.session.state import AttractInfo, SessionState
from tests.support.session import Recorder


async def until(recorder: Recorder, condition: Callable[[SessionState], bool]) -> None:
    async with asyncio.timeout(10):
        while not recorder.states or not condition(recorder.state):
            recorder.news.clear()
            await recorder.news.wait()


@pytest.fixture
async def kiosk(
    tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[KioskRuntime, Recorder]]:
    env: dict[str, str] = getattr(request, "param", {})
    config = load_config(None, {"KIOSK__TERMINAL__ID": "gx-0042", **env})
    recorder = Recorder()
    with KioskServices(config, data_dir=tmp_path, device_kinds={"printer"}) as services:
        runtime = KioskRuntime(
            services,
            clock=ManualClock(1_700_000_000.0),
            attract=AttractInfo({"zh_CN": "测试", "en": "Test"}),
            renderers=(lambda _inputs, _services: recorder,),
        )
        task = asyncio.ensure_future(runtime.run())
        await until(recorder, lambda state: state.view.__class__.__name__ == "AttractView")
        runtime.core.start("touch")
        await until(recorder, lambda state: state.in_session)
        yield runtime, recorder
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_call_reaches_the_back_office_and_the_resident_is_told(
    kiosk: tuple[KioskRuntime, Recorder],
) -> None:
    runtime, recorder = kiosk
    runtime.core.call_staff()
    assert recorder.state.notice == "ui.notice.staff_calling"  # at once: something is happening
    await until(recorder, lambda state: state.notice == "ui.notice.staff_called")
    demo = runtime.services.demo
    assert demo is not None
    calls = demo.received("/staff-calls")
    assert len(calls) == 1
    assert calls[0].body["terminal"] == "gx-0042" and calls[0].body["screen"] == "menu"
    journal = [e.event for e in runtime.services.journal.recent(20)]
    assert "call_staff" in journal


@pytest.mark.parametrize(
    "kiosk",
    [
        {
            "KIOSK__SIMULATE": "false",
            "KIOSK__BACKENDS__STAFF__BASE_URL": "http://127.0.0.1:9",  # nothing listens there
            "KIOSK__DEVICES__PRINTER__DRIVER": "simulated",
        }
    ],
    indirect=True,
)
async def test_while_the_network_is_down_the_resident_is_told_the_call_waits(
    kiosk: tuple[KioskRuntime, Recorder],
) -> None:
    runtime, recorder = kiosk
    runtime.core.call_staff()
    await until(recorder, lambda state: state.notice == "ui.notice.staff_call_queued")
    pending = runtime.services.outbox.entries("pending")
    assert [(p.backend, p.path) for p in pending] == [("staff", "/staff-calls")]  # kept
