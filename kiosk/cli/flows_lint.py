"""`kiosk flows check | schema | graph`: lint flow files, print their JSON Schema, diagram one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kiosk.cli import UsageError
from kiosk.flow.lint import Finding, lint, lint_backends
from kiosk.flow.loader import DEFAULT_FLOWS_DIR, FlowLoadError, load_flow, load_flows
from kiosk.flow.schema import LANGUAGES, Flow, json_schema


def register(sub: Any) -> None:
    """Add `check`, `schema` and `graph` to the `flows` group."""
    check = sub.add_parser("check", help="load and lint flow files (default: flows/)")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or directories")
    check.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="kiosk.toml: also warn about back offices the flows name that it does not",
    )
    check.set_defaults(func=check_command)

    schema = sub.add_parser("schema", help="print the JSON Schema of flow files")
    schema.set_defaults(func=schema_command)

    graph = sub.add_parser("graph", help="draw a flow as a Mermaid or Graphviz diagram")
    graph.add_argument("flow", metavar="FLOW", help="a flow id in flows/, or a flow file")
    graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    graph.add_argument("--lang", choices=LANGUAGES, default=LANGUAGES[0])
    graph.set_defaults(func=graph_command)


def _shown(finding: Finding) -> str:
    """The finding with its path relative to the working directory when it lies below it."""
    path = Path(finding.location.path)
    try:
        path = path.resolve().relative_to(Path.cwd())
    except ValueError:
        pass
    location = f"{path}:{finding.location.line}:{finding.location.column}"
    return f"{location}: {finding.code} {finding.message}"


def check_command(args: argparse.Namespace) -> int:
    """Print load errors and lint findings; exit 0 clean, 1 with findings, 2 if unreadable."""
    paths: list[Path] = list(args.paths) or [DEFAULT_FLOWS_DIR]
    missing = [path for path in paths if not path.exists()]
    for path in missing:
        print(f"{path}: no such file or directory", file=sys.stderr)
    flowset = load_flows([path for path in paths if path.exists()])
    findings = lint(flowset)
    if args.config is not None:
        from kiosk.config import ConfigError, load_config

        try:
            config = load_config(args.config)
        except ConfigError as exc:
            raise UsageError(str(exc)) from exc
        findings += lint_backends(flowset, set(config.backends))
    for finding in sorted(findings, key=_order):
        print(_shown(finding))
    errors = sum(1 for f in findings if f.severity == "error")
    print(
        f"{_count(len(flowset.files), 'file')} checked: {_count(errors, 'error')}, "
        f"{_count(len(findings) - errors, 'warning')}",
        file=sys.stderr,
    )
    if missing or flowset.unreadable:
        return 2
    return 1 if findings else 0


def _order(finding: Finding) -> tuple[str, int, int, str]:
    location = finding.location
    return (location.path, location.line, location.column, finding.code)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def schema_command(args: argparse.Namespace) -> int:
    """Print the flow JSON Schema."""
    import json  # only for this command: `check` stays quick

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return 0


def _find_flow(name: str) -> Flow:
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        try:
            return load_flow(path).flow
        except FlowLoadError as exc:
            raise UsageError(str(exc)) from None
    flowset = load_flows([DEFAULT_FLOWS_DIR])
    try:
        return flowset.flow(name)
    except KeyError:
        for error in flowset.errors:
            print(error, file=sys.stderr)
        known = ", ".join(sorted(flowset.loaded)) or "none"
        raise UsageError(f"no flow '{name}' in {DEFAULT_FLOWS_DIR} (known: {known})") from None


def graph_command(args: argparse.Namespace) -> int:
    """Print a diagram of one flow."""
    from kiosk.flow.graph import to_dot, to_mermaid  # only for a diagram: `check` stays quick

    flow = _find_flow(args.flow)
    render = to_dot if args.format == "dot" else to_mermaid
    sys.stdout.write(render(flow, args.lang))
    return 0
