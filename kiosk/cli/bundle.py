"""`kiosk bundle build DIR --out FILE` and `kiosk bundle tour FILE --out DIR`: flow bundles.

`build` checks the content folder DIR (its `flows/`, `flows/receipts/` and `locales/`): every flow
and receipt template must load and lint without error, every flow with an answers file must
finish its canonical run headless; then it writes the archive, the same bytes for the same
content. Exit status: 0 built, 1 refused (every reason printed), 2 usage errors.

`tour` writes, for sign-off, the tour (screenshots and transcript) of every flow of the bundle
that changed since the bundle given with `--since` (every flow without it), one folder each;
`--since` may name the update repository's folder: the newest bundle it publishes below this one.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.bundle.manifest import MODES
from kiosk.cli import UsageError


def register(sub: Any, words: Sequence[str] = ()) -> None:
    """Add the `bundle` group."""
    parser: argparse.ArgumentParser = sub.add_parser("bundle", help="build and tour flow bundles")
    bundle_sub = parser.add_subparsers(dest="bundle_command", required=True)

    build = bundle_sub.add_parser("build", help="check, rehearse and pack a content folder")
    build.add_argument("dir", type=Path, metavar="DIR", help="folder with flows/ and locales/")
    build.add_argument("--out", type=Path, required=True, metavar="FILE")
    build.add_argument("--version", type=int, required=True, help="the bundle version (1, 2, ...)")
    build.add_argument("--min-kiosk", metavar="VERSION", help="oldest kiosk software that runs it")
    build.add_argument(
        "--mode", action="append", choices=MODES, help="terminal mode it is for (default: all)"
    )
    build.set_defaults(func=build_command)

    tour = bundle_sub.add_parser("tour", help="tour the flows a bundle changed, for sign-off")
    tour.add_argument("bundle", type=Path, metavar="FILE")
    tour.add_argument("--out", type=Path, required=True, metavar="DIR")
    tour.add_argument(
        "--since",
        type=Path,
        metavar="FILE|REPO",
        help="the last published bundle, or the repository folder to find it in",
    )
    tour.add_argument("--lang", choices=("zh_CN", "en"), help="starting language")
    tour.set_defaults(func=tour_command)


def build_command(args: argparse.Namespace) -> int:
    """Build the bundle; print warnings and every problem that refuses it."""
    from kiosk.bundle.build import BuildError, build_bundle

    if not args.dir.is_dir():
        raise UsageError(f"{args.dir}: not a folder")
    try:
        built = build_bundle(
            args.dir, args.version, min_kiosk=args.min_kiosk, modes=args.mode or MODES
        )
    except BuildError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"bundle refused: {len(exc.problems)} problem(s)", file=sys.stderr)
        return 1
    for warning in built.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    out: Path = args.out
    temporary = out.with_name(f".{out.name}.{os.getpid()}")
    try:
        temporary.write_bytes(built.archive)
        temporary.replace(out)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise UsageError(f"{out}: {exc.strerror or exc}") from None
    manifest = built.manifest
    print(
        f"bundle {manifest.version} ({len(manifest.files)} files, {len(built.archive)} bytes, "
        f"{len(built.rehearsals)} flows rehearsed) written to {out}"
    )
    return 0


def tour_command(args: argparse.Namespace) -> int:
    """Tour every changed flow of the bundle into its own folder under `--out`."""
    from kiosk.bundle.tour import TourError, tour_changed

    since = args.since
    if since is not None and since.is_dir():
        since = _published_before(args.bundle, since)
    try:
        toured = tour_changed(args.bundle, args.out, since=since, language=args.lang)
    except TourError as exc:
        raise UsageError(str(exc)) from None
    for flow_id, code in toured.items():
        state = "toured" if code == 0 else f"tour failed (exit {code})"
        print(f"{flow_id}: {state}, in {args.out / flow_id}")
    if not toured:
        print("no flow changed: nothing to tour")
    return 0 if all(code == 0 for code in toured.values()) else 1


def _published_before(bundle: Path, repository: Path) -> Path | None:
    """The newest bundle `repository` publishes below `bundle`'s version (None: the first)."""
    from kiosk.bundle.archive import ArchiveError, read_archive
    from kiosk.updates.repository import Repository, RepositoryError

    try:
        version = read_archive(bundle.read_bytes()).manifest.version
        found = Repository(repository).published_before(version)
    except (OSError, ArchiveError, RepositoryError) as exc:
        raise UsageError(str(exc)) from None
    print(f"since {found}" if found else "since: no bundle published before this one")
    return found
