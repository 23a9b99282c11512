"""The bundle store on a kiosk: complete folders, atomic links, recovery after a crash."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.bundle.archive import read_archive
from kiosk.updates.store import BundleStore

from .conftest import BundleMaker


def installed(store: BundleStore, make_bundle: BundleMaker, *versions: int) -> None:
    for version in versions:
        store.install(read_archive(make_bundle(version).read_bytes()))
        store.activate(version)


def test_activation_keeps_the_previous_bundle(tmp_path: Path, make_bundle: BundleMaker) -> None:
    store = BundleStore(tmp_path / "kiosk")
    installed(store, make_bundle, 1, 2)
    assert (store.current(), store.previous()) == (2, 1)
    assert os.readlink(tmp_path / "kiosk" / "current") == "bundles/2"  # relative: movable
    assert store.flows_dir() == tmp_path / "kiosk" / "bundles" / "2" / "flows"
    assert store.rollback("test") == 1
    assert (store.current(), store.previous()) == (1, None)
    assert store.refused(2) == "test"


def test_recovery_removes_half_work_and_leaves_an_incomplete_bundle(
    tmp_path: Path, make_bundle: BundleMaker
) -> None:
    store = BundleStore(tmp_path / "kiosk")
    installed(store, make_bundle, 1, 2)
    (store.bundles / ".incoming-3" / "flows").mkdir(parents=True)
    os.symlink("bundles/3", store.root / ".current.new")
    (store.folder(2) / "flows" / "si-certificate.yaml").write_text("changed on disk\n")
    assert store.recover() == 1
    assert not (store.bundles / ".incoming-3").exists()
    assert not (store.root / ".current.new").is_symlink()
    assert store.refused(2) == "incomplete on disk"


def test_an_extra_file_makes_a_bundle_incomplete(tmp_path: Path, make_bundle: BundleMaker) -> None:
    store = BundleStore(tmp_path / "kiosk")
    installed(store, make_bundle, 1)
    assert store.complete(1)
    (store.folder(1) / "flows" / "smuggled.yaml").write_text("id: x\n")
    assert not store.complete(1)
    assert store.recover() is None  # no previous: the shipped flows serve
    assert store.flows_dir() is None
