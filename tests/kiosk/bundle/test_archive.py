"""The bundle archive: deterministic bytes, and nothing unsafe read back."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest

from kiosk.bundle.archive import ArchiveError, read_archive, write_archive
from kiosk.bundle.manifest import MANIFEST_NAME, Manifest, entry_of

FILES = {"flows/a.yaml": b"id: a\n", "locales/en/ui.yaml": b"x: y\n"}


def manifest_of(files: dict[str, bytes], version: int = 3) -> Manifest:
    return Manifest(version, "0.1.0", ("government",), {p: entry_of(d) for p, d in files.items()})


def test_the_same_content_gives_the_same_bytes_whatever_the_order_given() -> None:
    first = write_archive(manifest_of(FILES), FILES)
    again = write_archive(manifest_of(FILES), dict(reversed(FILES.items())))
    assert first == again
    changed = {**FILES, "flows/a.yaml": b"id: b\n"}
    assert write_archive(manifest_of(changed), changed) != first


def test_the_archive_carries_no_time_owner_or_name() -> None:
    data = write_archive(manifest_of(FILES), FILES)
    assert data[4:8] == b"\0\0\0\0"  # gzip MTIME
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == [MANIFEST_NAME, *sorted(FILES)]
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode) for m in members} == {
        (0, 0, 0, "", "", 0o644)
    }


def test_a_bundle_reads_back_as_written() -> None:
    bundle = read_archive(write_archive(manifest_of(FILES), FILES))
    assert bundle.manifest == manifest_of(FILES)
    assert bundle.files == FILES


def crafted(members: list[tarfile.TarInfo | tuple[str, bytes]], *, manifest: bool = True) -> bytes:
    """An archive built by hand, as an attacker would, with a manifest listing the files."""
    files = {m[0]: m[1] for m in members if isinstance(m, tuple)}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        if manifest:
            data = manifest_of(files).to_bytes()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for member in members:
            if isinstance(member, tuple):
                info = tarfile.TarInfo(member[0])
                info.size = len(member[1])
                tar.addfile(info, io.BytesIO(member[1]))
            else:
                tar.addfile(member)
    return gzip.compress(raw.getvalue())


def link(name: str, kind: bytes, target: str = "/etc/passwd") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ([("flows/../../etc/cron.d/x", b"x")], "not a safe bundle path"),
        ([("/etc/cron.d/x", b"x")], "not a safe bundle path"),
        ([("flows/..", b"x")], "not a safe bundle path"),
        ([("flows\\..\\x.yaml", b"x")], "not a safe bundle path"),
        ([("bin/x.yaml", b"x")], "not a safe bundle path"),
        ([link("flows/a.yaml", tarfile.SYMTYPE)], "a symbolic link"),
        ([link("flows/a.yaml", tarfile.LNKTYPE, "manifest.json")], "a hard link"),
        ([link("flows/a.yaml", tarfile.CHRTYPE)], "a device"),
        ([link("flows/sub", tarfile.DIRTYPE)], "a directory"),
        ([("flows/a.yaml", b"x"), ("flows/a.yaml", b"y")], "appears twice"),
    ],
)
def test_unsafe_members_are_refused(
    members: list[tarfile.TarInfo | tuple[str, bytes]], reason: str
) -> None:
    with pytest.raises(ArchiveError, match=reason):
        read_archive(crafted(members))


def test_a_bundle_larger_than_allowed_unpacked_is_refused() -> None:
    big = {"flows/a.yaml": b"#" * 50_000}
    data = write_archive(manifest_of(big), big)
    assert len(data) < 1000  # compresses well: the limit is on what it unpacks to
    with pytest.raises(ArchiveError, match="larger than 4096 bytes"):
        read_archive(data, max_bytes=4096)


def test_files_must_be_exactly_those_of_the_manifest() -> None:
    data = write_archive(manifest_of(FILES), FILES)
    raw = gzip.decompress(data)
    tampered = raw.replace(b"id: a\n", b"id: z\n")
    with pytest.raises(ArchiveError, match=r"flows/a\.yaml does not match its hash"):
        read_archive(gzip.compress(tampered))
    with pytest.raises(ArchiveError, match=r"no manifest\.json"):
        read_archive(crafted([("flows/a.yaml", b"x")], manifest=False))
    with pytest.raises(ArchiveError, match="not a bundle archive"):
        read_archive(b"not gzip at all")
