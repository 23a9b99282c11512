"""Attacks on the update path, each against a real nginx: refused, the bundle in use unchanged."""

from __future__ import annotations

import datetime as real_datetime
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from tuf.api.metadata import TargetFile
from tuf.ngclient._internal import trusted_metadata_set

from kiosk.bundle.archive import write_archive
from kiosk.bundle.manifest import Manifest, entry_of
from kiosk.updates import client
from kiosk.updates.agent import UpdateAgent
from kiosk.updates.keys import load_signer
from kiosk.updates.status import UpdateState

from .conftest import BundleMaker, FakeHost, ListJournal, Served, poll_and_activate, release

Kiosk = Callable[..., UpdateAgent]


@pytest.fixture
def on_v1(served: Served, make_bundle: BundleMaker, kiosk: Kiosk) -> tuple[UpdateAgent, FakeHost]:
    """A kiosk that took bundle 1 from the repository, the honest way."""
    release(served.repo, make_bundle(1))
    agent, host = kiosk(), FakeHost()
    assert poll_and_activate(agent, host, ListJournal()).state is UpdateState.ACTIVATED
    assert agent.store.current() == 1
    return agent, host


def assert_still_on_v1(agent: UpdateAgent, state: UpdateState, detail: str = "") -> None:
    """The attack was refused, said so, and the kiosk serves bundle 1 as before."""
    journal = ListJournal()
    status = poll_and_activate(agent, FakeHost(), journal)
    assert status.state is state, status.detail
    assert detail in status.detail
    assert agent.store.current() == 1
    assert agent.store.complete(1)
    assert agent.ready is None
    assert status.needs_attention
    assert f"update_{state.value}" in journal.names()


def sign_targets(
    served: Served, entries: dict[str, bytes], *, keys: tuple[int, ...] = (1, 2)
) -> None:
    """What signers holding `keys` (and the online snapshot and timestamp keys) could publish:
    a new targets version with these targets, whatever the publishing tools would refuse."""
    repo = served.repo
    assert repo.keys is not None
    targets = repo.latest("targets")
    targets.signed.version += 1
    targets.signatures.clear()
    for path, data in entries.items():
        version = int(Path(path).name.split(".")[0])
        target = TargetFile.from_data(path, data, ["sha256"])
        target.unrecognized_fields["custom"] = {
            "kiosk": {"version": version, "groups": ["all"], "min_kiosk": "0.1.0",
                      "modes": ["government", "locker"]}
        }  # fmt: skip
        targets.signed.targets[path] = target
        stored = repo.targets_dir / "bundles" / f"{target.hashes['sha256']}.{Path(path).name}"
        stored.write_bytes(data)
    for n in keys:
        targets.sign(load_signer(repo.keys / f"targets-{n}.key"), append=True)
    targets.to_file(str(repo.metadata_dir / f"{targets.signed.version}.targets.json"))
    repo.refresh()  # a fresh snapshot and timestamp naming it


def test_tampered_target_bytes_are_refused(
    served: Served, make_bundle: BundleMaker, on_v1: tuple[UpdateAgent, FakeHost]
) -> None:
    release(served.repo, make_bundle(2))
    [stored] = served.repo.targets_dir.glob("bundles/*.2.tar.gz")
    data = bytearray(stored.read_bytes())
    data[100] ^= 0xFF
    stored.write_bytes(bytes(data))
    assert_still_on_v1(on_v1[0], UpdateState.REFUSED, "LengthOrHashMismatchError")


def test_metadata_rolled_back_to_an_older_version_is_refused(
    served: Served, make_bundle: BundleMaker, on_v1: tuple[UpdateAgent, FakeHost], tmp_path: Path
) -> None:
    repo, agent = served.repo, on_v1[0]
    old = tmp_path / "old-timestamp.json"
    shutil.copy(repo.metadata_dir / "timestamp.json", old)
    release(repo, make_bundle(2))
    # the kiosk learns of the newer metadata (taking nothing: it asks for versions above 99)
    offer = agent.client.offer(
        newer_than=99, group="all", mode="government", kiosk="9", refused=lambda v: ""
    )
    assert offer is None
    # the server (or a man in the middle) replays the older, validly signed timestamp; an
    # hour older on disk, so that nginx's ETag (time and size) cannot match the newer one's
    # and answer 304 (within one second it did: the kiosk then kept its copy, unharmed, and
    # this test failed now and then)
    replayed = repo.metadata_dir / "timestamp.json"
    shutil.copy(old, replayed)
    an_hour_ago = replayed.stat().st_mtime - 3600
    os.utime(replayed, (an_hour_ago, an_hour_ago))
    assert_still_on_v1(agent, UpdateState.REFUSED, "BadVersionNumberError")


def test_a_frozen_repository_is_noticed_once_its_timestamp_expires(
    on_v1: tuple[UpdateAgent, FakeHost], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the server keeps serving the last timestamp; the kiosk's clock moves two days on
    later = real_datetime.datetime.now(real_datetime.UTC) + real_datetime.timedelta(days=2)
    fake_datetime = SimpleNamespace(now=lambda tz=None: later)
    monkeypatch.setattr(
        trusted_metadata_set,
        "datetime",
        SimpleNamespace(datetime=fake_datetime, timezone=real_datetime.timezone),
    )
    monkeypatch.setattr(client, "utc_now", lambda: later)  # the kiosk's own check of its copy
    assert_still_on_v1(on_v1[0], UpdateState.EXPIRED, "timestamp.json is expired")


def test_a_poll_with_nothing_new_is_one_conditional_request(
    served: Served, on_v1: tuple[UpdateAgent, FakeHost]
) -> None:
    agent = on_v1[0]
    traffic = agent.client.fetcher.traffic
    asked, unchanged = traffic.requests, traffic.not_modified
    assert not poll_and_activate(agent, FakeHost(), ListJournal()).needs_attention
    assert agent.store.current() == 1 and agent.ready is None
    assert (traffic.requests - asked, traffic.not_modified - unchanged) == (1, 1)
    log = (served.prefix / "access.log").read_text().splitlines()
    assert "GET /metadata/timestamp.json" in log[-1] and " 304 " in log[-1]


def test_mix_and_match_of_metadata_versions_is_refused(
    served: Served, make_bundle: BundleMaker, on_v1: tuple[UpdateAgent, FakeHost]
) -> None:
    repo = served.repo
    release(repo, make_bundle(2))
    snapshot = repo.latest("snapshot").signed.version
    # the newest snapshot's file now holds the older snapshot (signed, but not the one named)
    shutil.copy(
        repo.metadata_dir / f"{snapshot - 1}.snapshot.json",
        repo.metadata_dir / f"{snapshot}.snapshot.json",
    )
    assert_still_on_v1(on_v1[0], UpdateState.REFUSED, "snapshot")


def test_targets_signed_by_one_administrator_are_refused(
    served: Served, make_bundle: BundleMaker, on_v1: tuple[UpdateAgent, FakeHost]
) -> None:
    # one administrator's key and the online keys: still not enough to reach kiosks
    sign_targets(served, {"bundles/2.tar.gz": make_bundle(2).read_bytes()}, keys=(1,))
    assert_still_on_v1(on_v1[0], UpdateState.REFUSED, "UnsignedMetadataError")
    # and at the next poll too (its timestamp and snapshot were valid, and are unchanged)
    again = poll_and_activate(on_v1[0], FakeHost(), ListJournal())
    assert again.state is UpdateState.REFUSED and "UnsignedMetadataError" in again.detail


def crafted_bundle(version: int, files: dict[str, bytes], links: bool = False) -> bytes:
    import gzip
    import io
    import tarfile

    manifest = Manifest(
        version, "0.1.0", ("government",), {p: entry_of(d) for p, d in files.items()}
    )
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        body = manifest.to_bytes()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            if links:
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            else:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue())


@pytest.mark.parametrize(
    ("files", "links", "reason"),
    [
        ({"flows/../../../etc/cron.d/evil": b"x"}, False, "not a safe bundle path"),
        ({"flows/evil.yaml": b""}, True, "a symbolic link"),
    ],
)
def test_a_signed_archive_with_traversal_or_links_is_refused(
    served: Served,
    on_v1: tuple[UpdateAgent, FakeHost],
    files: dict[str, bytes],
    links: bool,
    reason: str,
    tmp_path: Path,
) -> None:
    sign_targets(served, {"bundles/2.tar.gz": crafted_bundle(2, files, links)})
    assert_still_on_v1(on_v1[0], UpdateState.REFUSED, reason)
    assert on_v1[0].store.refused(2)
    assert not list(on_v1[0].store.root.rglob("evil*"))
    assert not Path("/etc/cron.d/evil").exists()


def test_an_oversized_bundle_is_not_even_downloaded(
    served: Served, make_bundle: BundleMaker, kiosk: Kiosk
) -> None:
    release(served.repo, make_bundle(1))
    agent = kiosk(max_bundle_bytes=4096)
    status = poll_and_activate(agent, FakeHost(), ListJournal())
    assert status.state is UpdateState.REFUSED
    assert "more than the 4096 allowed" in status.detail
    assert agent.store.current() is None  # the shipped flows stay in use
    assert not (served.prefix / "access.log").read_text().count(".1.tar.gz")


def test_a_signed_bundle_whose_flows_fail_lint_is_refused(
    served: Served,
    on_v1: tuple[UpdateAgent, FakeHost],
    shipped_files: dict[str, bytes],
) -> None:
    files = dict(shipped_files)
    path = "flows/resident-feedback.yaml"
    files[path] = files[path].replace(b"kind: consent", b"kind: consentt")
    manifest = Manifest(
        2, "0.1.0", ("government", "locker"), {p: entry_of(d) for p, d in files.items()}
    )
    sign_targets(served, {"bundles/2.tar.gz": write_archive(manifest, files)})
    assert_still_on_v1(on_v1[0], UpdateState.REFUSED, "fails the checks")
    assert on_v1[0].store.refused(2)


def test_a_bundle_whose_manifest_is_for_another_kind_of_terminal_is_refused(
    served: Served,
    on_v1: tuple[UpdateAgent, FakeHost],
    shipped_files: dict[str, bytes],
) -> None:
    entries = {p: entry_of(d) for p, d in shipped_files.items()}
    locker_only = Manifest(2, "0.1.0", ("locker",), entries)
    sign_targets(served, {"bundles/2.tar.gz": write_archive(locker_only, shipped_files)})
    assert_still_on_v1(on_v1[0], UpdateState.REFUSED, "is for locker terminals, not government")


def test_an_older_bundle_signed_as_a_newer_one_is_refused(
    served: Served, on_v1: tuple[UpdateAgent, FakeHost], shipped_files: dict[str, bytes]
) -> None:
    # a rolled-back bundle: old content (its manifest says version 1) listed as bundle 3
    entries = {p: entry_of(d) for p, d in shipped_files.items()}
    older = Manifest(1, "0.1.0", ("government", "locker"), entries)
    sign_targets(served, {"bundles/3.tar.gz": write_archive(older, shipped_files)})
    assert_still_on_v1(on_v1[0], UpdateState.REFUSED, "bundle 3 holds version 1")


def test_a_bundle_for_a_newer_kiosk_is_refused(
    served: Served, on_v1: tuple[UpdateAgent, FakeHost], shipped_files: dict[str, bytes]
) -> None:
    entries = {p: entry_of(d) for p, d in shipped_files.items()}
    newer = Manifest(2, "99.0", ("government", "locker"), entries)  # manifest: minimum kiosk
    sign_targets(served, {"bundles/2.tar.gz": write_archive(newer, shipped_files)})
    assert_still_on_v1(on_v1[0], UpdateState.REFUSED, "needs kiosk 99.0 or newer")
