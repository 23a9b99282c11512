"""A TUF repository of flow bundles as plain static files, and the administrators' operations.

Layout of the repository folder (serve it as it is from any web server, CDN or object store)::

    metadata/N.root.json  metadata/N.targets.json  metadata/N.snapshot.json  metadata/timestamp.json
    targets/bundles/<sha256>.<version>.tar.gz       (consistent snapshots: nothing is overwritten)
    staging/                                        (targets awaiting signatures; not for kiosks)

Keys live in another folder (`<role>-<n>.key`); only snapshot and timestamp keys need to be on
the machine that publishes. Targets need `threshold` administrators' signatures (2 of 3 by
default): `publish` stages a new targets version signed by one administrator, `sign` (here or on
another machine, on an exported file) adds the others, and once enough have signed the release
writes targets, then snapshot, then timestamp, each file complete before the next names it.
Kiosk groups are named in each target's signed custom metadata, so a server cannot change who
gets what.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from securesystemslib.signer import Signer
from tuf.api.exceptions import UnsignedMetadataError
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from kiosk.bundle.archive import ArchiveError, read_archive
from kiosk.bundle.check import check_content
from kiosk.bundle.unpack import unpack
from kiosk.updates.keys import generate_key, load_signer

log = logging.getLogger(__name__)

ROLES = ("root", "targets", "snapshot", "timestamp")
DEFAULT_EXPIRY_DAYS: Mapping[str, float] = {
    "root": 365.0,
    "targets": 90.0,
    "snapshot": 7.0,
    "timestamp": 1.0,
}
"""How long each role's metadata is valid, in days, unless the repository says otherwise."""

ALL_GROUPS = "all"
"""The group name every kiosk belongs to."""

STAGED = "targets.json"
_SETTINGS = "repository.json"
_PRETTY = JSONSerializer(compact=False)


class RepositoryError(Exception):
    """An operation the repository refuses; the message says why."""


@dataclass(frozen=True)
class Published:
    """A bundle target as the signed targets metadata describes it."""

    path: str
    version: int
    groups: tuple[str, ...]
    length: int


def bundle_path(version: int) -> str:
    """The target path of bundle `version`."""
    return f"bundles/{version}.tar.gz"


def published(targets: Targets) -> list[Published]:
    """The bundles listed in targets metadata, oldest first (entries without kiosk data skipped)."""
    found = []
    for path, target in targets.targets.items():
        custom = target.unrecognized_fields.get("custom", {}).get("kiosk")
        if isinstance(custom, dict) and isinstance(custom.get("version"), int):
            groups = tuple(str(g) for g in custom.get("groups", [ALL_GROUPS]))
            found.append(Published(path, custom["version"], groups, target.length))
    return sorted(found, key=lambda p: p.version)


class Repository:
    """A repository folder and the folder of its keys."""

    def __init__(self, root: Path, keys: Path | None = None) -> None:
        self.root = root
        self.keys = keys
        self.metadata_dir = root / "metadata"
        self.targets_dir = root / "targets"
        self.staging_dir = root / "staging"

    # -- settings and reading -------------------------------------------------------------------

    def expiry_days(self) -> dict[str, float]:
        """The validity period of each role, in days."""
        try:
            data = json.loads((self.root / _SETTINGS).read_text())
        except (OSError, ValueError):
            data = {}
        return {**DEFAULT_EXPIRY_DAYS, **data.get("expiry_days", {})}

    def _expires(self, role: str, now: datetime | None = None) -> datetime:
        now = now or datetime.now(UTC)
        return (now + timedelta(days=self.expiry_days()[role])).replace(microsecond=0)

    def latest(self, role: str) -> Metadata[Any]:
        """The newest metadata of a top-level role."""
        if role == "timestamp":
            return Metadata.from_file(str(self.metadata_dir / "timestamp.json"))
        versions = sorted(
            int(p.name.split(".", 1)[0]) for p in self.metadata_dir.glob(f"*.{role}.json")
        )
        if not versions:
            raise RepositoryError(
                f"{self.metadata_dir}: no {role} metadata (run `kiosk repo init`)"
            )
        return Metadata.from_file(str(self.metadata_dir / f"{versions[-1]}.{role}.json"))

    def published_before(self, version: int) -> Path | None:
        """The file of the newest bundle the signed targets list below `version` (what a new
        bundle's tour is compared with), or None."""
        targets: Metadata[Targets] = self.latest("targets")
        older = [p for p in published(targets.signed) if p.version < version]
        return self._file_of(targets.signed, older[-1]) if older else None

    def bundle_file(self, version: int) -> Path | None:
        """The file of bundle `version` as the signed targets list it, or None if they do not."""
        targets: Metadata[Targets] = self.latest("targets")
        found = [p for p in published(targets.signed) if p.version == version]
        return self._file_of(targets.signed, found[0]) if found else None

    def _file_of(self, targets: Targets, bundle: Published) -> Path:
        """Where a published bundle's file lies (its name begins with its SHA-256)."""
        digest = targets.targets[bundle.path].hashes["sha256"]
        folder, _, name = bundle.path.rpartition("/")
        return self.targets_dir / folder / f"{digest}.{name}"

    def root_md(self) -> Metadata[Root]:
        """The newest root metadata."""
        return self.latest("root")

    # -- keys ----------------------------------------------------------------------------------

    def _key_dir(self) -> Path:
        if self.keys is None:
            raise RepositoryError("this needs the keys folder (--keys)")
        return self.keys

    def signers(self, role: str) -> list[Signer]:
        """The signers of `role` whose keys are in the keys folder and are the role's now."""
        keyids = set(self.root_md().signed.roles[role].keyids)
        found: list[Signer] = []
        for path in sorted(self._key_dir().glob(f"{role}-*.key")):
            signer = load_signer(path)
            if signer.public_key.keyid in keyids:
                found.append(signer)
        if not found:
            raise RepositoryError(f"no {role} key of this repository in {self._key_dir()}")
        return found

    # -- init ----------------------------------------------------------------------------------

    def init(
        self,
        *,
        targets_keys: int = 3,
        targets_threshold: int = 2,
        expiry_days: Mapping[str, float] | None = None,
    ) -> None:
        """Create the keys and the first version of every role."""
        if not 1 <= targets_threshold <= targets_keys:
            raise RepositoryError("the targets threshold must be between 1 and the number of keys")
        if self.metadata_dir.exists():
            raise RepositoryError(f"{self.root} already holds a repository")
        keys = self._key_dir()
        if keys.resolve().is_relative_to(self.root.resolve()):
            raise RepositoryError("keep the keys outside the repository folder")
        if any(keys.glob("*.key")):
            raise RepositoryError(f"{keys} already holds keys")
        unknown = set(expiry_days or {}) - set(ROLES)
        if unknown:
            raise RepositoryError(f"unknown role {sorted(unknown)[0]}")
        self.metadata_dir.mkdir(parents=True)
        (self.targets_dir / "bundles").mkdir(parents=True, exist_ok=True)
        (self.root / _SETTINGS).write_text(
            json.dumps({"expiry_days": {**DEFAULT_EXPIRY_DAYS, **(expiry_days or {})}}, indent=2)
        )
        root = Root(expires=self._expires("root"), consistent_snapshot=True)
        counts = {"root": 1, "targets": targets_keys, "snapshot": 1, "timestamp": 1}
        signers: dict[str, list[Signer]] = {}
        for role, count in counts.items():
            signers[role] = [generate_key(keys / f"{role}-{n}.key") for n in range(1, count + 1)]
            for signer in signers[role]:
                root.add_key(signer.public_key, role)
        root.roles["targets"].threshold = targets_threshold
        self._write(Metadata(root), signers["root"], f"1.{Root.type}.json")
        targets = Metadata(Targets(expires=self._expires("targets")))
        self._write(targets, signers["targets"], f"1.{Targets.type}.json")
        self._release_snapshot(1)

    # -- publish, sign, release ----------------------------------------------------------------

    def publish(self, bundle: Path, groups: Sequence[str], signer: Signer | None) -> Metadata[Any]:
        """Stage bundle `bundle` for `groups` in a new targets version, signed by `signer`."""
        if (self.staging_dir / STAGED).exists():
            raise RepositoryError("another publication awaits signatures (sign or discard it)")
        data = bundle.read_bytes()
        try:
            contents = read_archive(data)
        except ArchiveError as exc:
            raise RepositoryError(f"{bundle}: {exc}") from None
        manifest = contents.manifest
        with tempfile.TemporaryDirectory(prefix="kiosk-publish-") as temp:
            unpack(contents, Path(temp) / "bundle")
            check = check_content(Path(temp) / "bundle")
        if not check.ok:
            raise RepositoryError(f"{bundle}: fails the checks: {check.errors[0]}")
        current: Metadata[Targets] = self.latest("targets")
        newest = max((p.version for p in published(current.signed)), default=0)
        if manifest.version <= newest:
            raise RepositoryError(
                f"bundle {manifest.version} is not newer than the published {newest}"
            )
        path = bundle_path(manifest.version)
        target = TargetFile.from_data(path, data, ["sha256"])
        target.unrecognized_fields["custom"] = {
            "kiosk": {
                "version": manifest.version,
                "groups": sorted(set(groups)) or [ALL_GROUPS],
                "min_kiosk": manifest.min_kiosk,
                "modes": list(manifest.modes),
            }
        }
        staged = Metadata(
            Targets(
                version=current.signed.version + 1,
                expires=self._expires("targets"),
                targets={**current.signed.targets, path: target},
            )
        )
        (self.staging_dir / "bundles").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bundle, self.staging_dir / path)
        if signer is not None:
            self._check_targets_signer(signer)
            staged.sign(signer, append=True)
        staged.to_file(str(self.staging_dir / STAGED), serializer=_PRETTY)
        return staged

    def regroup(
        self, version: int, groups: Sequence[str], signer: Signer | None = None
    ) -> Metadata[Targets]:
        """Stage a new targets version giving published bundle `version` to `groups` (a rollout's
        next stage); it takes effect once enough administrators signed it."""
        if (self.staging_dir / STAGED).exists():
            raise RepositoryError("another publication awaits signatures (sign or discard it)")
        current: Metadata[Targets] = self.latest("targets")
        path = bundle_path(version)
        if path not in current.signed.targets:
            raise RepositoryError(f"bundle {version} is not published (run `kiosk repo publish`)")
        targets = dict(current.signed.targets)
        old = targets[path]
        target = TargetFile(old.length, dict(old.hashes), path, dict(old.unrecognized_fields))
        custom = json.loads(json.dumps(target.unrecognized_fields.get("custom", {})))
        custom.setdefault("kiosk", {})["groups"] = sorted(set(groups)) or [ALL_GROUPS]
        target.unrecognized_fields["custom"] = custom
        targets[path] = target
        staged = Metadata(
            Targets(
                version=current.signed.version + 1,
                expires=self._expires("targets"),
                targets=targets,
            )
        )
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        if signer is not None:
            self._check_targets_signer(signer)
            staged.sign(signer, append=True)
        staged.to_file(str(self.staging_dir / STAGED), serializer=_PRETTY)
        return staged

    def _check_targets_signer(self, signer: Signer) -> None:
        if signer.public_key.keyid not in self.root_md().signed.roles["targets"].keyids:
            raise RepositoryError("that key is not one of this repository's targets keys")

    def staged(self) -> Metadata[Targets]:
        """The targets metadata awaiting signatures."""
        path = self.staging_dir / STAGED
        if not path.exists():
            raise RepositoryError("nothing awaits signatures (run `kiosk repo publish` first)")
        return Metadata.from_file(str(path))

    def signatures(self, md: Metadata[Any]) -> tuple[int, int]:
        """Valid targets signatures on `md`, and how many are needed."""
        result = self.root_md().signed.get_verification_result(
            "targets", md.signed_bytes, md.signatures
        )
        return len(result.signed), result.threshold

    def import_signed(self, path: Path) -> Metadata[Targets]:
        """Merge the signatures of an exported, signed copy into the staged metadata."""
        staged = self.staged()
        try:
            signed: Metadata[Targets] = Metadata.from_file(str(path))
        except Exception as exc:
            raise RepositoryError(f"{path}: not targets metadata ({exc})") from None
        if signed.signed_bytes != staged.signed_bytes:
            raise RepositoryError(f"{path} was not signed over the staged targets metadata")
        root = self.root_md().signed
        result = root.get_verification_result("targets", signed.signed_bytes, signed.signatures)
        for keyid in result.signed:
            staged.signatures[keyid] = signed.signatures[keyid]
        staged.to_file(str(self.staging_dir / STAGED), serializer=_PRETTY)
        return staged

    def sign_staged(self, signer: Signer) -> Metadata[Targets]:
        """Add `signer`'s signature to the staged targets metadata."""
        self._check_targets_signer(signer)
        staged = self.staged()
        staged.sign(signer, append=True)
        staged.to_file(str(self.staging_dir / STAGED), serializer=_PRETTY)
        return staged

    def release(self) -> int:
        """Publish the staged targets once signed by enough administrators; its version."""
        staged = self.staged()
        try:
            self.root_md().verify_delegate("targets", staged)
        except UnsignedMetadataError as exc:
            raise RepositoryError(f"not enough signatures yet: {exc}") from None
        for entry in staged.signed.targets.values():
            source = self.staging_dir / entry.path
            if source.exists():
                digest = entry.hashes["sha256"]
                folder, _, name = entry.path.rpartition("/")
                dest = self.targets_dir / folder / f"{digest}.{name}"
                dest.parent.mkdir(parents=True, exist_ok=True)
                _atomic_copy(source, dest)
        version = staged.signed.version
        _atomic_write(self.metadata_dir / f"{version}.targets.json", staged.to_bytes(_PRETTY))
        self._release_snapshot(version)
        shutil.rmtree(self.staging_dir)
        return version

    def discard(self) -> None:
        """Drop the staged publication."""
        shutil.rmtree(self.staging_dir, ignore_errors=True)

    def refresh(self) -> None:
        """Re-sign snapshot and timestamp with fresh expiry (run it often: they expire soon)."""
        self._release_snapshot(self.latest("targets").signed.version)

    def _release_snapshot(self, targets_version: int) -> None:
        """A new snapshot naming targets `targets_version`, then a new timestamp naming it."""
        try:
            old_snapshot = self.latest("snapshot").signed.version
            old_timestamp = self.latest("timestamp").signed.version
        except (RepositoryError, OSError):
            old_snapshot = old_timestamp = 0
        snapshot = Snapshot(version=old_snapshot + 1, expires=self._expires("snapshot"))
        snapshot.meta["targets.json"] = MetaFile(version=targets_version)
        name = f"{snapshot.version}.snapshot.json"
        self._write(Metadata(snapshot), self.signers("snapshot"), name)
        timestamp = Timestamp(
            version=old_timestamp + 1,
            expires=self._expires("timestamp"),
            snapshot_meta=MetaFile(version=snapshot.version),
        )
        self._write(Metadata(timestamp), self.signers("timestamp"), "timestamp.json")

    def _write(self, md: Metadata[Any], signers: Sequence[Signer], name: str) -> None:
        for signer in signers:
            md.sign(signer, append=True)
        _atomic_write(self.metadata_dir / name, md.to_bytes(_PRETTY))

    # -- rotation ------------------------------------------------------------------------------

    def rotate(self, role: str, *, count: int = 1, threshold: int = 1) -> int:
        """Replace `role`'s keys by `count` new ones (old ones kept in `retired/`); root version."""
        if role not in ROLES:
            raise RepositoryError(f"unknown role {role}")
        if not 1 <= threshold <= count:
            raise RepositoryError("the threshold must be between 1 and the number of keys")
        keys = self._key_dir()
        old_root = self.root_md()
        old_root_signers = self.signers("root")
        old_files = sorted(keys.glob(f"{role}-*.key"))
        root = old_root.signed
        for keyid in list(root.roles[role].keyids):
            root.revoke_key(keyid, role)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        retired = keys / "retired" / stamp
        retired.mkdir(parents=True, exist_ok=True)
        for path in old_files:
            path.rename(retired / path.name)
        new = [generate_key(keys / f"{role}-{n}.key") for n in range(1, count + 1)]
        for signer in new:
            root.add_key(signer.public_key, role)
        root.roles[role].threshold = threshold
        root.version += 1
        root.expires = self._expires("root")
        md = Metadata(root)
        # the old root keys vouch for the new root; a new root key signs it too
        signers = [*old_root_signers, *(new if role == "root" else [])]
        self._write(md, signers, f"{root.version}.root.json")
        if role == "targets":
            current = self.latest("targets")
            current.signed.version += 1
            current.signed.expires = self._expires("targets")
            current.signatures.clear()
            self._write(current, new, f"{current.signed.version}.targets.json")
            self._release_snapshot(current.signed.version)
        else:  # a new timestamp too: kiosks that find theirs unchanged skip the root probe
            self.refresh()
        return root.version


def _atomic_write(path: Path, data: bytes) -> None:
    """Write `path` so that a reader sees the old file or the whole new one, never a part.

    The new file's modification time is always a later second than the old one's: web servers
    derive `ETag` and `Last-Modified` from it (nginx: seconds and size), and a kiosk asking
    conditionally must never be told "not modified" about a new timestamp of the same size.
    """
    try:
        before: float | None = path.stat().st_mtime
    except OSError:
        before = None
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    if before is not None and int(temporary.stat().st_mtime) <= int(before):
        later = int(before) + 1
        os.utime(temporary, (later, later))
    os.replace(temporary, path)


def _atomic_copy(source: Path, dest: Path) -> None:
    _atomic_write(dest, source.read_bytes())
