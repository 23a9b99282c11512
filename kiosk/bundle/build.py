"""Build a bundle from a content folder: check it, rehearse every flow, write the archive."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.bundle.archive import MAX_BYTES, safe_path, write_archive
from kiosk.bundle.check import ContentCheck, check_content
from kiosk.bundle.manifest import MODES, Manifest, entry_of, kiosk_version, version_key
from kiosk.bundle.rehearse import Rehearsal, rehearse
from kiosk.flow.schema import CallStep

log = logging.getLogger(__name__)

CONTENT_DIRS = ("flows", "locales")
"""The folders of a content folder that go into a bundle."""


class BuildError(Exception):
    """The content cannot become a bundle; `problems` lists every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(f"{len(problems)} problem(s): {problems[0]}")
        self.problems = list(problems)


@dataclass
class Built:
    """A built bundle: the archive's bytes, its manifest, and what the checks said."""

    archive: bytes
    manifest: Manifest
    warnings: list[str] = field(default_factory=list)
    rehearsals: list[Rehearsal] = field(default_factory=list)


def collect(root: Path) -> dict[str, bytes]:
    """Every file of the content folder that goes into the bundle, by bundle path."""
    files: dict[str, bytes] = {}
    problems = []
    for top in CONTENT_DIRS:
        base = root / top
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            name = path.relative_to(root).as_posix()
            if path.is_symlink():
                problems.append(f"{name}: a symbolic link (copy the file instead)")
            elif path.is_dir():
                continue
            elif not path.is_file() or path.suffix != ".yaml" or not safe_path(name):
                problems.append(f"{name}: only .yaml files with plain names go into a bundle")
            else:
                files[name] = path.read_bytes()
    if problems:
        raise BuildError(problems)
    return files


def build_bundle(
    root: Path,
    version: int,
    *,
    min_kiosk: str | None = None,
    modes: Sequence[str] = MODES,
    max_bytes: int = MAX_BYTES,
) -> Built:
    """Check, rehearse and pack the content under `root`; `BuildError` lists what refuses it."""
    problems = []
    if version < 1:
        problems.append("the bundle version must be 1 or more")
    min_kiosk = min_kiosk or kiosk_version()
    try:
        version_key(min_kiosk)
    except ValueError as exc:
        problems.append(str(exc))
    unknown = sorted(set(modes) - set(MODES))
    if unknown or not modes:
        problems.append(f"terminal modes must be some of {', '.join(MODES)}")
    files = collect(root)
    if sum(len(data) for data in files.values()) > max_bytes:
        problems.append(f"the content is larger than {max_bytes} bytes")
    check: ContentCheck = check_content(root)
    problems.extend(check.errors)
    if problems:
        raise BuildError(problems)
    rehearsals = rehearse(root / "flows", check.flowset)
    failed = [r for r in rehearsals if not r.passed]
    if failed:
        raise BuildError(
            [
                f"flows/{r.flow}: canonical answers ended {r.status} {r.detail}".strip()
                for r in failed
            ]
        )
    warnings = list(check.warnings)
    rehearsed = {r.flow for r in rehearsals}
    flows = check.flowset.flows.values()
    # a flow only ever called by others is rehearsed through its callers
    called = {step.flow for flow in flows for step in flow.steps if isinstance(step, CallStep)}
    warnings.extend(
        f"flows/{flow_id}: no canonical answers file, not rehearsed"
        for flow_id in sorted(set(check.flowset.loaded) - rehearsed - called)
    )
    manifest = Manifest(
        version, min_kiosk, tuple(sorted(set(modes))), {p: entry_of(d) for p, d in files.items()}
    )
    return Built(write_archive(manifest, files), manifest, warnings, rehearsals)
