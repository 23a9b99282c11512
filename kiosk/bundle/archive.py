"""The bundle archive: written deterministically, read back refusing anything unsafe.

Writing: a gzip-compressed tar whose members are the manifest, then every file in path order,
each a regular file with mtime 0, uid/gid 0, no owner names and mode 0644, compressed with a
fixed level and a gzip header without time or name: the same content gives the same bytes.

Reading takes nothing on trust: only regular files (no links, devices or directories), only
relative paths under `flows/` or `locales/` made of plain names (no `..`, no absolute path, no
backslash), a bounded number of members and bytes, and every file exactly as the manifest lists
it (no file missing, none extra, each hash right).
"""

from __future__ import annotations

import gzip
import io
import re
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.bundle.manifest import MANIFEST_NAME, Manifest, ManifestError, entry_of

MAX_BYTES = 16 * 1024 * 1024
"""Largest total of a bundle's files, unpacked, unless the caller allows another."""

MAX_MEMBERS = 2000
"""Most files a bundle may hold."""

_PATH = re.compile(r"^(flows|locales)(/[A-Za-z0-9_][A-Za-z0-9._-]{0,99}){1,4}$")
_COMPRESSION = 9


class ArchiveError(ValueError):
    """A bundle archive that is refused; the message says why."""


@dataclass(frozen=True)
class Bundle:
    """A bundle read from its archive and checked against its manifest."""

    manifest: Manifest
    files: Mapping[str, bytes]


def safe_path(path: str) -> bool:
    """Whether `path` may name a file in a bundle."""
    return bool(_PATH.fullmatch(path))


def write_archive(manifest: Manifest, files: Mapping[str, bytes]) -> bytes:
    """The archive of these files with this manifest, the same bytes for the same input."""
    for path in files:
        if not safe_path(path):
            raise ArchiveError(f"{path!r} cannot be a bundle file name")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        _add(tar, MANIFEST_NAME, manifest.to_bytes())
        for path in sorted(files):
            _add(tar, path, files[path])
    packed = io.BytesIO()
    with gzip.GzipFile(
        filename="", mode="wb", fileobj=packed, compresslevel=_COMPRESSION, mtime=0
    ) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    tar.addfile(info, io.BytesIO(data))


def read_archive(data: bytes, *, max_bytes: int = MAX_BYTES) -> Bundle:
    """The bundle in `data`, checked member by member and against its manifest."""
    files: dict[str, bytes] = {}
    manifest_raw: bytes | None = None
    total = 0
    try:
        with (
            gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as gz,
            tarfile.open(fileobj=gz, mode="r|") as tar,
        ):
            for count, member in enumerate(tar, start=1):
                if count > MAX_MEMBERS + 1:
                    raise ArchiveError(f"more than {MAX_MEMBERS} files")
                name = member.name
                if not member.isreg():
                    raise ArchiveError(f"{name!r} is not a regular file ({_kind(member)})")
                if name != MANIFEST_NAME and not safe_path(name):
                    raise ArchiveError(f"{name!r} is not a safe bundle path")
                if name in files or (name == MANIFEST_NAME and manifest_raw is not None):
                    raise ArchiveError(f"{name!r} appears twice")
                total += member.size
                if total > max_bytes:
                    raise ArchiveError(f"larger than {max_bytes} bytes unpacked")
                extracted = tar.extractfile(member)
                content = extracted.read(member.size + 1) if extracted else b""
                if len(content) != member.size:
                    raise ArchiveError(f"{name!r} is truncated")
                if name == MANIFEST_NAME:
                    manifest_raw = content
                else:
                    files[name] = content
    except (tarfile.TarError, OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ArchiveError(f"not a bundle archive: {exc}") from None
    if manifest_raw is None:
        raise ArchiveError(f"no {MANIFEST_NAME}")
    try:
        manifest = Manifest.from_bytes(manifest_raw)
    except ManifestError as exc:
        raise ArchiveError(str(exc)) from None
    check_files(manifest, files)
    return Bundle(manifest, files)


def check_files(manifest: Manifest, files: Mapping[str, bytes]) -> None:
    """Raise `ArchiveError` unless `files` are exactly the manifest's, byte for byte."""
    listed, present = set(manifest.files), set(files)
    if listed - present:
        raise ArchiveError(f"missing {', '.join(sorted(listed - present))}")
    if present - listed:
        raise ArchiveError(f"not in the manifest: {', '.join(sorted(present - listed))}")
    for path, content in files.items():
        if entry_of(content) != manifest.files[path]:
            raise ArchiveError(f"{path} does not match its hash in the manifest")


def _kind(member: tarfile.TarInfo) -> str:
    if member.issym():
        return "a symbolic link"
    if member.islnk():
        return "a hard link"
    if member.isdir():
        return "a directory"
    if member.isdev() or member.isfifo():
        return "a device"
    return "not a file"
