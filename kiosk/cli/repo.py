"""`kiosk repo ...`: the TUF repository kiosks update from (see `kiosk.updates.repository`).

    kiosk repo init DIR --keys KEYDIR [--targets-keys 3] [--threshold 2] [--expires ROLE=DAYS]
    kiosk repo publish DIR BUNDLE --key MYKEY --keys KEYDIR [--group NAME ...]
    kiosk repo export DIR --out FILE           # the staged targets, to sign elsewhere
    kiosk repo sign FILE --key MYKEY           # on the other administrator's machine
    kiosk repo import DIR FILE --keys KEYDIR   # their signatures back; released when enough
    kiosk repo sign DIR --key MYKEY --keys KEYDIR   # or sign on the publishing machine
    kiosk repo refresh DIR --keys KEYDIR       # new snapshot and timestamp (run it from cron)
    kiosk repo rotate DIR ROLE --keys KEYDIR [--count N] [--threshold N]
    kiosk repo status DIR

Exit status: 0 done, 1 refused (one line why), 2 usage errors.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.cli import UsageError


def register(sub: Any, words: Sequence[str] = ()) -> None:
    """Add the `repo` group."""
    parser: argparse.ArgumentParser = sub.add_parser("repo", help="the signed update repository")
    repo_sub = parser.add_subparsers(dest="repo_command", required=True)

    init = repo_sub.add_parser("init", help="create a repository and its keys")
    init.add_argument("dir", type=Path, metavar="DIR")
    init.add_argument("--keys", type=Path, required=True, metavar="KEYDIR")
    init.add_argument("--targets-keys", type=int, default=3, metavar="N")
    init.add_argument("--threshold", type=int, default=2, metavar="N", help="targets signatures")
    init.add_argument("--expires", action="append", default=[], metavar="ROLE=DAYS")
    init.set_defaults(func=_init)

    publish = repo_sub.add_parser("publish", help="stage a bundle, signed by one administrator")
    publish.add_argument("dir", type=Path, metavar="DIR")
    publish.add_argument("bundle", type=Path, metavar="BUNDLE")
    publish.add_argument("--key", type=Path, metavar="MYKEY", help="your targets key")
    publish.add_argument("--keys", type=Path, metavar="KEYDIR", help="snapshot/timestamp keys")
    publish.add_argument("--group", action="append", default=[], metavar="NAME")
    publish.set_defaults(func=_publish)

    export = repo_sub.add_parser("export", help="write the staged targets metadata to sign")
    export.add_argument("dir", type=Path, metavar="DIR")
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    export.set_defaults(func=_export)

    sign = repo_sub.add_parser("sign", help="sign staged targets (a repository or an export)")
    sign.add_argument("target", type=Path, metavar="DIR|FILE")
    sign.add_argument("--key", type=Path, required=True, metavar="MYKEY")
    sign.add_argument("--keys", type=Path, metavar="KEYDIR", help="snapshot/timestamp keys")
    sign.set_defaults(func=_sign)

    imported = repo_sub.add_parser("import", help="take the signatures of a signed export")
    imported.add_argument("dir", type=Path, metavar="DIR")
    imported.add_argument("file", type=Path, metavar="FILE")
    imported.add_argument("--keys", type=Path, metavar="KEYDIR", help="snapshot/timestamp keys")
    imported.set_defaults(func=_import)

    refresh = repo_sub.add_parser("refresh", help="re-sign snapshot and timestamp")
    refresh.add_argument("dir", type=Path, metavar="DIR")
    refresh.add_argument("--keys", type=Path, required=True, metavar="KEYDIR")
    refresh.set_defaults(func=_refresh)

    rotate = repo_sub.add_parser("rotate", help="replace a role's keys")
    rotate.add_argument("dir", type=Path, metavar="DIR")
    rotate.add_argument("role", choices=("root", "targets", "snapshot", "timestamp"))
    rotate.add_argument("--keys", type=Path, required=True, metavar="KEYDIR")
    rotate.add_argument("--count", type=int, default=1, metavar="N")
    rotate.add_argument("--threshold", type=int, default=1, metavar="N")
    rotate.set_defaults(func=_rotate)

    status = repo_sub.add_parser("status", help="versions, expiry and published bundles")
    status.add_argument("dir", type=Path, metavar="DIR")
    status.set_defaults(func=_status)


def _run(action: Any) -> int:
    from kiosk.updates.keys import KeyFileError
    from kiosk.updates.repository import RepositoryError

    try:
        action()
    except (RepositoryError, KeyFileError) as exc:
        print(f"kiosk repo: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        raise UsageError(f"{exc.filename or ''}: {exc.strerror or exc}") from None
    return 0


def _repo(args: argparse.Namespace) -> Any:
    from kiosk.updates.repository import Repository

    return Repository(args.dir, getattr(args, "keys", None))


def _init(args: argparse.Namespace) -> int:
    days: dict[str, float] = {}
    for item in args.expires:
        role, _, value = item.partition("=")
        try:
            days[role] = float(value)
        except ValueError:
            raise UsageError(f"--expires {item}: expected ROLE=DAYS") from None

    def init() -> None:
        _repo(args).init(
            targets_keys=args.targets_keys, targets_threshold=args.threshold, expiry_days=days
        )
        print(f"repository created in {args.dir}; keys in {args.keys}")
        print(f"give each administrator one targets key; {args.threshold} must sign a release")
        print(f"kiosks trust {args.dir / 'metadata' / '1.root.json'} (install it as their root)")

    return _run(init)


def _signer(path: Path) -> Any:
    from kiosk.updates.keys import load_signer

    return load_signer(path)


def _release_if_signed(repo: Any) -> None:
    staged = repo.staged()
    have, need = repo.signatures(staged)
    if have < need:
        print(f"targets {staged.signed.version}: {have} of {need} signatures; awaiting more")
        return
    version = repo.release()
    print(f"targets {version} released: kiosks will see it at their next poll")


def _publish(args: argparse.Namespace) -> int:
    def publish() -> None:
        repo = _repo(args)
        staged = repo.publish(args.bundle, args.group, _signer(args.key) if args.key else None)
        print(f"staged targets {staged.signed.version} with {args.bundle.name}")
        _release_if_signed(repo)

    return _run(publish)


def _export(args: argparse.Namespace) -> int:
    def export() -> None:
        repo = _repo(args)
        repo.staged()
        shutil.copyfile(repo.staging_dir / "targets.json", args.out)
        print(f"staged targets written to {args.out}: sign it with `kiosk repo sign FILE`")

    return _run(export)


def _sign(args: argparse.Namespace) -> int:
    def sign() -> None:
        from tuf.api.metadata import Metadata

        signer = _signer(args.key)
        if args.target.is_dir():
            repo = _repo(argparse.Namespace(dir=args.target, keys=args.keys))
            repo.sign_staged(signer)
            _release_if_signed(repo)
            return
        md: Metadata[Any] = Metadata.from_file(str(args.target))
        md.sign(signer, append=True)
        md.to_file(str(args.target))
        print(f"signed {args.target}: send it back to be imported")

    return _run(sign)


def _import(args: argparse.Namespace) -> int:
    def imported() -> None:
        repo = _repo(args)
        repo.import_signed(args.file)
        _release_if_signed(repo)

    return _run(imported)


def _refresh(args: argparse.Namespace) -> int:
    def refresh() -> None:
        _repo(args).refresh()
        print("snapshot and timestamp re-signed")

    return _run(refresh)


def _rotate(args: argparse.Namespace) -> int:
    def rotate() -> None:
        version = _repo(args).rotate(args.role, count=args.count, threshold=args.threshold)
        print(f"{args.role} keys replaced; root version {version}")

    return _run(rotate)


def _status(args: argparse.Namespace) -> int:
    def status() -> None:
        from kiosk.updates.repository import RepositoryError, published

        repo = _repo(args)
        for role in ("root", "targets", "snapshot", "timestamp"):
            signed = repo.latest(role).signed
            print(f"{role}: version {signed.version}, expires {signed.expires:%Y-%m-%d %H:%M} UTC")
        for entry in published(repo.latest("targets").signed):
            print(f"bundle {entry.version}: groups {', '.join(entry.groups)} ({entry.length} B)")
        try:
            staged = repo.staged()
        except RepositoryError:
            return
        have, need = repo.signatures(staged)
        print(f"staged targets {staged.signed.version}: {have} of {need} signatures")

    return _run(status)
