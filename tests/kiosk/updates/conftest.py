"""Bundles and repositories for the update tests, built once per session where possible."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.bundle.archive import write_archive
from kiosk.bundle.build import collect
from kiosk.bundle.manifest import Manifest, entry_of
from kiosk.flow.loader import DEFAULT_FLOWS_DIR
from kiosk.updates.repository import Repository

BundleMaker = Callable[..., Path]


@pytest.fixture(scope="session")
def shipped_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The shipped flows as bundle files."""
    root = tmp_path_factory.mktemp("content")
    shutil.copytree(DEFAULT_FLOWS_DIR, root / "flows")
    return collect(root)


@pytest.fixture
def make_bundle(tmp_path: Path, shipped_files: dict[str, bytes]) -> BundleMaker:
    """Writes bundle `version` (the shipped flows, a title changed to tell versions apart)."""

    def make(version: int, files: dict[str, bytes] | None = None, **manifest: object) -> Path:
        content = dict(shipped_files if files is None else files)
        if files is None:
            path = "flows/resident-feedback.yaml"
            content[path] = content[path].replace(
                b"Resident feedback", f"Feedback v{version}".encode()
            )
        fields: dict[str, object] = {"min_kiosk": "0.1.0", "modes": ("government", "locker")}
        fields.update(manifest)
        described = Manifest(
            version,
            str(fields["min_kiosk"]),
            tuple(fields["modes"]),  # type: ignore[call-overload]
            {p: entry_of(d) for p, d in content.items()},
        )
        out = tmp_path / f"bundle-{version}.tar.gz"
        out.write_bytes(write_archive(described, content))
        return out

    return make


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    """A fresh repository: targets 2 of 3, keys beside it (not inside)."""
    repository = Repository(tmp_path / "repo", tmp_path / "keys")
    repository.init()
    return repository
