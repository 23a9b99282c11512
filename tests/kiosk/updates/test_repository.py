"""The repository: init, two-person publishing, export/sign/import, expiry, rotation."""

from __future__ import annotations

from pathlib import Path

import pytest
from tuf.api.exceptions import UnsignedMetadataError
from tuf.api.metadata import Metadata, Root

from kiosk.cli import main
from kiosk.updates.keys import load_signer
from kiosk.updates.repository import Repository, RepositoryError, published

from .conftest import BundleMaker, release


def keys(repo: Repository, *numbers: int) -> list[Path]:
    assert repo.keys is not None
    return [repo.keys / f"targets-{n}.key" for n in numbers]


def test_init_keeps_keys_outside_and_signs_every_role(repo: Repository, tmp_path: Path) -> None:
    names = sorted(p.name for p in (repo.root / "metadata").iterdir())
    assert names == ["1.root.json", "1.snapshot.json", "1.targets.json", "timestamp.json"]
    assert not list(repo.root.rglob("*.key"))
    assert {p.stat().st_mode & 0o777 for p in (tmp_path / "keys").glob("*.key")} == {0o600}
    root = repo.root_md()
    assert root.signed.roles["targets"].threshold == 2
    assert len(root.signed.roles["targets"].keyids) == 3
    for role in ("targets", "snapshot", "timestamp"):
        root.verify_delegate(role, repo.latest(role))
    with pytest.raises(RepositoryError, match="outside"):
        Repository(tmp_path / "r2", tmp_path / "r2" / "keys").init()


def test_one_administrator_alone_cannot_release(repo: Repository, make_bundle: BundleMaker) -> None:
    first, second = (load_signer(k) for k in keys(repo, 1, 2))
    staged = repo.publish(make_bundle(1), ["pilot"], first)
    assert repo.signatures(staged) == (1, 2)
    repo.sign_staged(first)  # the same administrator again counts once
    with pytest.raises(RepositoryError, match="not enough signatures"):
        repo.release()
    assert published(repo.latest("targets").signed) == []
    repo.sign_staged(second)
    assert repo.release() == 2
    latest = repo.latest("targets")
    repo.root_md().verify_delegate("targets", latest)
    [bundle] = published(latest.signed)
    assert (bundle.version, bundle.groups) == (1, ("pilot",))
    assert repo.latest("snapshot").signed.meta["targets.json"].version == 2


def test_signing_on_another_machine_through_an_exported_file(
    repo: Repository, make_bundle: BundleMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one, two = keys(repo, 1, 3)
    common = ["--keys", str(repo.keys)]
    bundle = str(make_bundle(1))
    assert main(["repo", "publish", str(repo.root), bundle, "--key", str(one), *common]) == 0
    assert "1 of 2 signatures" in capsys.readouterr().out
    exported = tmp_path / "elsewhere" / "targets.json"
    exported.parent.mkdir()
    assert main(["repo", "export", str(repo.root), "--out", str(exported)]) == 0
    assert main(["repo", "sign", str(exported), "--key", str(two)]) == 0
    assert main(["repo", "import", str(repo.root), str(exported), *common]) == 0
    assert "targets 2 released" in capsys.readouterr().out
    assert [b.version for b in published(repo.latest("targets").signed)] == [1]


def test_an_export_signed_over_other_content_is_refused(
    repo: Repository, make_bundle: BundleMaker, tmp_path: Path
) -> None:
    repo.publish(make_bundle(1), ["all"], load_signer(keys(repo, 1)[0]))
    forged = repo.staged()
    forged.signed.targets.clear()
    forged.signatures.clear()
    forged.sign(load_signer(keys(repo, 2)[0]))
    forged.to_file(str(tmp_path / "forged.json"))
    with pytest.raises(RepositoryError, match="not signed over the staged"):
        repo.import_signed(tmp_path / "forged.json")


def test_only_newer_bundles_are_published(repo: Repository, make_bundle: BundleMaker) -> None:
    signers = [load_signer(k) for k in keys(repo, 1, 2)]
    repo.publish(make_bundle(2), [], signers[0])
    repo.sign_staged(signers[1])
    repo.release()
    with pytest.raises(RepositoryError, match="bundle 2 is not newer than the published 2"):
        repo.publish(make_bundle(2), [], signers[0])


def test_expiry_is_configurable_per_role(tmp_path: Path) -> None:
    repo = Repository(tmp_path / "repo", tmp_path / "keys")
    repo.init(expiry_days={"timestamp": 0.25, "root": 730})
    timestamp = repo.latest("timestamp").signed
    root = repo.latest("root").signed
    gap = (root.expires - timestamp.expires).total_seconds()
    assert abs(gap - 729.75 * 86400) < 5  # 730 days less 6 hours


def test_rotating_targets_keys_retires_the_old_ones(
    repo: Repository, make_bundle: BundleMaker
) -> None:
    old = load_signer(keys(repo, 1)[0])
    assert repo.rotate("targets", count=3, threshold=2) == 2
    new_root = repo.root_md()
    with pytest.raises(UnsignedMetadataError):
        new_root.verify_delegate("targets", _signed_by(repo, old))
    new_root.verify_delegate("targets", repo.latest("targets"))
    with pytest.raises(RepositoryError, match="not one of this repository's targets keys"):
        repo.publish(make_bundle(1), [], old)
    first = Metadata[Root].from_file(str(repo.root / "metadata" / "1.root.json"))
    first.verify_delegate("root", new_root)  # the kiosk's chain of trust: root 1 vouches for 2


def _signed_by(repo: Repository, signer: object) -> object:
    md = repo.latest("targets")
    md.signatures.clear()
    md.sign(signer)  # type: ignore[arg-type]
    return md


def test_a_bundle_whose_flows_fail_lint_is_not_published(
    repo: Repository, make_bundle: BundleMaker, shipped_files: dict[str, bytes]
) -> None:
    files = dict(shipped_files)
    files["flows/si-certificate.yaml"] += b"\nunknown_key: 1\n"
    with pytest.raises(RepositoryError, match=r"fails the checks: flows/si-certificate\.yaml"):
        repo.publish(make_bundle(1, files), [], load_signer(keys(repo, 1)[0]))
    assert not (repo.staging_dir / "targets.json").exists()


def test_a_tour_compares_with_the_newest_bundle_published_below_it(
    repo: Repository, make_bundle: BundleMaker
) -> None:
    assert repo.published_before(3) is None
    for version in (1, 2):
        release(repo, make_bundle(version))
    second = repo.published_before(3)
    assert second is not None and second.read_bytes() == make_bundle(2).read_bytes()
    first = repo.published_before(2)
    assert first is not None and first.name.endswith(".1.tar.gz")
