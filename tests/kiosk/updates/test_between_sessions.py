"""A running kiosk takes a new bundle only between sessions, and gives one up that fails."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from kiosk.app import KioskServices
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.flow.loader import FlowSet
from kiosk.flow.outcome import Outcome
from kiosk.flow.prompt import Event
from kiosk.i18n import t, use_overrides
from kiosk.session.runtime import KioskRuntime
from kiosk.session.state import AttractInfo, SessionState
from kiosk.updates.agent import UpdateAgent
from kiosk.updates.status import UpdateState
from tests.support.session import Recorder

from .conftest import (
    BundleMaker,
    FakeHost,
    ListJournal,
    Served,
    poll_and_activate,
    release,
    write_kiosk_config,
)


async def until(recorder: Recorder, condition: Callable[[SessionState], bool]) -> None:
    async with asyncio.timeout(10):
        while not recorder.states or not condition(recorder.state):
            recorder.news.clear()
            await recorder.news.wait()


def title(services: KioskServices) -> str:
    return services.flows.flow("resident-feedback").title.root["en"]


async def test_a_bundle_found_during_a_session_starts_when_it_ends(
    served: Served, make_bundle: BundleMaker, tmp_path: Path
) -> None:
    release(served.repo, make_bundle(1))
    config = load_config(write_kiosk_config(tmp_path, served), environ={})
    agent = UpdateAgent(config)
    recorder = Recorder()
    services = KioskServices(config, device_kinds={"printer"}, flows_dir=agent.recover())
    with services:
        runtime = KioskRuntime(
            services,
            clock=ManualClock(1_700_000_000.0),  # the schedule never comes: polls are asked here
            attract=AttractInfo({"zh_CN": "测试", "en": "Test"}),
            renderers=(lambda _inputs, _services: recorder,),
            updates=agent,
        )
        assert runtime.poller is not None
        task = asyncio.ensure_future(runtime.run())
        try:
            await until(recorder, lambda state: type(state.view).__name__ == "AttractView")
            runtime.core.start("touch")
            await until(recorder, lambda state: state.in_session)

            status = await runtime.poller.poll_now()  # a resident is on the menu

            assert status.state is UpdateState.READY
            assert agent.store.current() is None
            assert title(services) == "Resident feedback"  # unchanged under the resident
            runtime.core.event(Event.CANCEL)
            await until(recorder, lambda state: not state.in_session)
            await until(recorder, lambda state: agent.store.current() == 1)
            assert title(services) == "Feedback v1"
            assert agent.status.state is UpdateState.ACTIVATED
            events = [entry.event for entry in services.journal.recent(10)]
            assert "bundle_activated" in events
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            agent.close()


def finished(flow: str = "resident-feedback") -> Outcome:
    return Outcome("finished", "done", flow=flow)


def failed(flow: str = "resident-feedback") -> Outcome:
    return Outcome("failed", "send", error="unknown", flow=flow)


def on_v2(
    served: Served, make_bundle: BundleMaker, kiosk: Callable[..., UpdateAgent]
) -> tuple[UpdateAgent, FakeHost, ListJournal]:
    release(served.repo, make_bundle(1))
    agent, host, journal = kiosk(watch_sessions=4, max_failure_rate=0.25), FakeHost(), ListJournal()
    poll_and_activate(agent, host, journal)
    for _ in range(4):
        agent.session_ended(finished(), host, journal)
    assert agent.status.state is UpdateState.CURRENT  # bundle 1 confirmed
    release(served.repo, make_bundle(2))
    assert poll_and_activate(agent, host, journal).state is UpdateState.ACTIVATED
    assert agent.store.current() == 2 and agent.store.previous() == 1
    return agent, host, journal


def test_a_bundle_whose_flows_fail_too_often_is_rolled_back(
    served: Served, make_bundle: BundleMaker, kiosk: Callable[..., UpdateAgent]
) -> None:
    agent, host, journal = on_v2(served, make_bundle, kiosk)
    agent.session_ended(failed(), host, journal)  # 1 of 4 allowed (25 %)
    agent.session_ended(None, host, journal)  # left at the menu: not a flow's failure
    assert agent.store.current() == 2
    agent.session_ended(failed(), host, journal)  # 2 of at most 4: over 25 % whatever follows
    assert agent.store.current() == 1
    assert host.flows_dir == agent.store.folder(1) / "flows"
    assert agent.status.state is UpdateState.ROLLED_BACK
    assert "2 of its first 2 sessions failed" in agent.status.detail
    assert journal.events[-1][0] == "bundle_rolled_back"
    assert journal.events[-1][1] == {"bundle": 2, "to": 1, "reason": agent.status.detail}
    # bundle 2 is not taken again at the next poll
    assert poll_and_activate(agent, host, journal).state is UpdateState.ROLLED_BACK
    assert agent.store.current() == 1


def test_a_bundle_that_fails_at_the_allowed_rate_stays(
    served: Served, make_bundle: BundleMaker, kiosk: Callable[..., UpdateAgent]
) -> None:
    agent, host, journal = on_v2(served, make_bundle, kiosk)
    for outcome in (failed(), finished(), finished(), finished()):
        agent.session_ended(outcome, host, journal)
    assert agent.store.current() == 2
    assert journal.names()[-1] == "bundle_confirmed"
    assert not agent.store.folder(1).exists() or agent.store.previous() == 1


def test_an_unreachable_repository_keeps_the_last_good_bundle(
    served: Served, make_bundle: BundleMaker, kiosk: Callable[..., UpdateAgent], tmp_path: Path
) -> None:
    release(served.repo, make_bundle(1))
    agent, host, journal = kiosk(), FakeHost(), ListJournal()
    poll_and_activate(agent, host, journal)
    agent.client.base = "http://127.0.0.1:9/"  # nothing listens there
    status = poll_and_activate(agent, host, journal)
    assert status.state is UpdateState.UNREACHABLE
    assert status.needs_attention
    assert agent.store.current() == 1
    assert journal.names()[-1] == "update_unreachable"


def test_a_bundle_brings_its_texts_and_takes_them_away_when_rolled_back(
    served: Served,
    make_bundle: BundleMaker,
    kiosk: Callable[..., UpdateAgent],
    shipped_files: dict[str, bytes],
) -> None:
    shipped = t("ui.attract.start", "en")
    files = {**shipped_files, "locales/en/ui.yaml": b"attract:\n  start: Tap here\n"}
    release(served.repo, make_bundle(1, files))
    agent = kiosk(watch_sessions=1, max_failure_rate=0.0)
    with KioskServices(agent.config, device_kinds=set(), flows_dir=agent.recover()) as services:
        try:
            poll_and_activate(agent, services, services.journal)  # type: ignore[arg-type]
            assert t("ui.attract.start", "en") == "Tap here"
            assert t("ui.attract.start", "zh_CN") == "开始办理"  # only what the bundle replaces
            agent.session_ended(failed(), services, services.journal)
            assert agent.store.current() is None  # back to the shipped flows and texts
            assert services.flows_dir == agent.config.flows_dir
            assert t("ui.attract.start", "en") == shipped
        finally:
            use_overrides(None)


def test_the_watch_of_a_new_bundle_survives_a_restart(
    served: Served, make_bundle: BundleMaker, kiosk: Callable[..., UpdateAgent]
) -> None:
    agent, host, journal = on_v2(served, make_bundle, kiosk)
    agent.session_ended(failed(), host, journal)
    agent.close()
    again = kiosk(watch_sessions=4, max_failure_rate=0.25)  # the kiosk process restarted
    assert again.watch is not None and (again.watch.sessions, again.watch.failures) == (1, 1)
    again.session_ended(failed(), host, journal)
    assert again.store.current() == 1
    assert journal.names()[-1] == "bundle_rolled_back"


class _Unloadable(FakeHost):
    """A kiosk on which one bundle's flows do not load (whatever the reason)."""

    def __init__(self, broken: Path) -> None:
        super().__init__()
        self.broken = broken

    def use_flows(self, flows_dir: Path) -> FlowSet:
        if flows_dir.is_relative_to(self.broken):
            self.flows_dir = flows_dir
            return FlowSet()  # nothing loaded
        return super().use_flows(flows_dir)


def test_a_bundle_that_does_not_load_is_rolled_back_at_once(
    served: Served, make_bundle: BundleMaker, kiosk: Callable[..., UpdateAgent]
) -> None:
    release(served.repo, make_bundle(1))
    agent, journal = kiosk(), ListJournal()
    poll_and_activate(agent, FakeHost(), journal)
    release(served.repo, make_bundle(2))
    host = _Unloadable(agent.store.folder(2))
    poll_and_activate(agent, host, journal)
    assert agent.store.current() == 1
    assert host.flows_dir == agent.store.folder(1) / "flows"
    assert agent.status.state is UpdateState.ROLLED_BACK
    assert agent.status.detail == "bundle 2 did not load"
    assert journal.names()[-2:] == ["bundle_activated", "bundle_rolled_back"]


def test_a_kiosk_restarted_on_a_bundle_that_does_not_load_returns_to_the_previous(
    served: Served, make_bundle: BundleMaker, kiosk: Callable[..., UpdateAgent]
) -> None:
    agent, host, journal = on_v2(served, make_bundle, kiosk)
    agent.started(host, FlowSet(), journal)  # what the kiosk loaded at start: nothing
    assert agent.store.current() == 1
    assert host.flows_dir == agent.store.folder(1) / "flows"
    assert journal.events[-1] == (
        "bundle_rolled_back",
        {"bundle": 2, "to": 1, "reason": "bundle 2 did not load"},
    )
