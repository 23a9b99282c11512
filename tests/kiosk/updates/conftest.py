"""Bundles and repositories for the update tests, built once per session where possible."""

# FakeHost and ListJournal are re-exported for the tests of this folder.

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.bundle.archive import write_archive
from kiosk.bundle.build import collect
from kiosk.bundle.manifest import Manifest, entry_of
from kiosk.config import load_config
from kiosk.flow.loader import DEFAULT_FLOWS_DIR
from kiosk.updates.agent import UpdateAgent
from kiosk.updates.keys import load_signer
from kiosk.updates.repository import Repository
from kiosk.updates.status import UpdateStatus
from tests.support.nginx import nginx_serving
from tests.support.updates import FakeHost, ListJournal

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


# -- a served repository and a kiosk that updates from it -----------------------------------


def release(repo: Repository, bundle: Path, groups: tuple[str, ...] = ()) -> int:
    """Publish `bundle` the proper way: staged by one administrator, signed by a second."""
    assert repo.keys is not None
    repo.publish(bundle, list(groups), load_signer(repo.keys / "targets-1.key"))
    repo.sign_staged(load_signer(repo.keys / "targets-2.key"))
    return repo.release()


@dataclass
class Served:
    """A repository served by nginx, and where nginx keeps its logs."""

    repo: Repository
    url: str
    prefix: Path


@pytest.fixture
def served(repo: Repository, tmp_path: Path) -> Iterator[Served]:
    """The repository served by a real nginx on loopback."""
    with nginx_serving(repo.root, tmp_path / "nginx") as url:
        yield Served(repo, url, tmp_path / "nginx")


def write_kiosk_config(tmp_path: Path, served: Served, **updates: object) -> Path:
    """A kiosk.toml updating from the served repository; simulated devices, data in tmp."""
    lines = [
        "simulate = true",
        f'data_dir = "{tmp_path / "kiosk-data"}"',
        "[updates]",
        f'repository = "{served.url}"',
        f'trusted_root = "{served.repo.root / "metadata" / "1.root.json"}"',
    ]
    lines += [f"{key} = {json.dumps(value)}" for key, value in updates.items()]
    path = tmp_path / "kiosk.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def kiosk(tmp_path: Path, served: Served) -> Callable[..., UpdateAgent]:
    """Makes the update agent of a kiosk configured for the served repository."""
    agents: list[UpdateAgent] = []

    def make(**updates: object) -> UpdateAgent:
        config = load_config(write_kiosk_config(tmp_path, served, **updates), environ={})
        agent = UpdateAgent(config)
        agent.recover()
        agents.append(agent)
        return agent

    yield make  # type: ignore[misc]
    for agent in agents:
        agent.close()


def poll_and_activate(agent: UpdateAgent, host: FakeHost, journal: ListJournal) -> UpdateStatus:
    """One poll on an idle kiosk, as the running kiosk does it."""
    status = agent.poll()
    agent.settle(status, host, journal, idle=True)
    return agent.status
