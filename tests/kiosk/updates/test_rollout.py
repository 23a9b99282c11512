"""Who gets what is signed: kiosk groups in the targets metadata, and keys rotated under kiosks."""

from __future__ import annotations

import json
from collections.abc import Callable

from kiosk.updates.agent import UpdateAgent
from kiosk.updates.status import UpdateState

from .conftest import BundleMaker, FakeHost, ListJournal, Served, poll_and_activate, release


def test_a_bundle_for_the_pilot_group_reaches_only_pilot_kiosks(
    served: Served, make_bundle: BundleMaker, kiosk: Callable[..., UpdateAgent]
) -> None:
    release(served.repo, make_bundle(1), groups=("pilot",))
    other = kiosk(bundle_dir=str(served.prefix.parent / "other"))
    assert poll_and_activate(other, FakeHost(), ListJournal()).state is UpdateState.CURRENT
    assert other.store.current() is None
    pilot = kiosk(group="pilot", bundle_dir=str(served.prefix.parent / "pilot"))
    assert poll_and_activate(pilot, FakeHost(), ListJournal()).state is UpdateState.ACTIVATED
    assert pilot.store.current() == 1


def test_a_server_that_rewrites_the_groups_is_refused(
    served: Served, make_bundle: BundleMaker, kiosk: Callable[..., UpdateAgent]
) -> None:
    release(served.repo, make_bundle(1), groups=("pilot",))
    repo = served.repo
    version = repo.latest("targets").signed.version
    path = repo.metadata_dir / f"{version}.targets.json"
    data = json.loads(path.read_text())
    data["signed"]["targets"]["bundles/1.tar.gz"]["custom"]["kiosk"]["groups"] = ["all"]
    path.write_text(json.dumps(data))
    repo.refresh()  # even with the snapshot and timestamp keys: the targets signatures break
    agent = kiosk()
    status = poll_and_activate(agent, FakeHost(), ListJournal())
    assert status.state is UpdateState.REFUSED
    assert agent.store.current() is None


def test_kiosks_follow_rotated_keys(
    served: Served, make_bundle: BundleMaker, kiosk: Callable[..., UpdateAgent]
) -> None:
    repo = served.repo
    release(repo, make_bundle(1))
    agent = kiosk()
    poll_and_activate(agent, FakeHost(), ListJournal())
    for role in ("root", "timestamp", "snapshot"):
        repo.rotate(role)
    assert repo.rotate("targets", count=3, threshold=2) == 5
    release(repo, make_bundle(2))  # signed by two of the new targets keys
    assert poll_and_activate(agent, FakeHost(), ListJournal()).state is UpdateState.ACTIVATED
    assert agent.store.current() == 2
    assert (agent.client.metadata_dir / "root_history" / "5.root.json").exists()
