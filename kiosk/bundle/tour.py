"""Tours of the flows a bundle changes, for administrators to sign off before publishing.

Each flow runs in its own `kiosk flows tour` process (one Kivy app per process), on the bundle's
own flows and receipt templates, with simulated devices and the demo back office.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from kiosk.bundle.archive import ArchiveError, Bundle, read_archive
from kiosk.bundle.rehearse import ANSWERS_SUFFIX
from kiosk.bundle.unpack import unpack
from kiosk.flow.loader import load_flows
from kiosk.flow.schema import PrintStep

log = logging.getLogger(__name__)


class TourError(Exception):
    """A bundle that cannot be toured (unreadable, or the previous one unreadable)."""


def _read(path: Path) -> Bundle:
    try:
        return read_archive(path.read_bytes())
    except (OSError, ArchiveError) as exc:
        raise TourError(f"{path}: {exc}") from None


def changed_flows(
    bundle: Bundle,
    since: Bundle | None,
    flow_files: Mapping[str, str],
    prints: Mapping[str, set[str]] | None = None,
) -> list[str]:
    """Ids of flows whose file, answers or printed receipts differ from `since` (all without it).

    A change of any locale override changes every flow. `flow_files` maps flow ids to their
    bundle paths, `prints` to the receipt templates they print.
    """
    if since is None:
        return sorted(flow_files)
    old, new = since.manifest.files, bundle.manifest.files

    def differs(path: str) -> bool:
        return old.get(path) != new.get(path)

    locales = {p for p in {*old, *new} if p.startswith("locales/")}
    if any(differs(p) for p in locales):
        return sorted(flow_files)
    changed = []
    for flow_id, path in sorted(flow_files.items()):
        answers = path.removesuffix(".yaml") + ANSWERS_SUFFIX
        receipts = [f"flows/receipts/{name}.yaml" for name in (prints or {}).get(flow_id, set())]
        if differs(path) or differs(answers) or any(differs(p) for p in receipts):
            changed.append(flow_id)
    return changed


def tour_changed(
    bundle_path: Path, out: Path, *, since: Path | None = None, language: str | None = None
) -> dict[str, int]:
    """Tour each changed flow into `out/<flow id>/`; the exit status of each tour, by flow id."""
    bundle = _read(bundle_path)
    previous = _read(since) if since is not None else None
    results: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="kiosk-tour-") as temp:
        root = Path(temp) / "bundle"
        unpack(bundle, root)
        flowset = load_flows([root / "flows"])
        files = {
            flow_id: loaded.path.relative_to(root).as_posix()
            for flow_id, loaded in flowset.loaded.items()
        }
        config = Path(temp) / "kiosk.toml"
        config.write_text(
            f'simulate = true\nflows_dir = "{root / "flows"}"\ndata_dir = "{Path(temp) / "data"}"\n'
        )
        prints = {
            flow_id: {step.receipt for step in flow.steps if isinstance(step, PrintStep)}
            for flow_id, flow in flowset.flows.items()
        }
        for flow_id in changed_flows(bundle, previous, files, prints):
            answers = root / (files[flow_id].removesuffix(".yaml") + ANSWERS_SUFFIX)
            if not answers.is_file():
                log.warning("flow %s has no answers file: not toured", flow_id)
                continue
            command = [
                sys.executable, "-m", "kiosk", "flows", "tour", str(root / files[flow_id]),
                "--answers", str(answers), "--out", str(out / flow_id), "--config", str(config),
            ]  # fmt: skip
            if language:
                command += ["--lang", language]
            results[flow_id] = subprocess.run(command, check=False).returncode
    return results
