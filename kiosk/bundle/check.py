"""What a bundle's content must pass, at build time and again on the kiosk: every flow loads and
lints without error, every receipt template validates, every locale override is a known text."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.flow.lint import lint
from kiosk.flow.loader import FlowLoadError, FlowSet, load_flows, read_yaml
from kiosk.flow.receipt_schema import ReceiptTemplate
from kiosk.flow.schema import SchemaError, convert
from kiosk.languages import LANGUAGES

log = logging.getLogger(__name__)


@dataclass
class ContentCheck:
    """The result of checking a bundle's content: errors refuse it, warnings are shown."""

    flowset: FlowSet
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing refuses the content."""
        return not self.errors


def check_content(root: Path) -> ContentCheck:
    """Check the bundle content laid out under `root` (`flows/`, `flows/receipts/`, `locales/`)."""
    flows_dir = root / "flows"
    flowset = load_flows([flows_dir]) if flows_dir.is_dir() else FlowSet()
    result = ContentCheck(flowset)
    if not flowset.flows and not flowset.errors:
        result.errors.append(f"{flows_dir}: no flows")
    for finding in lint(flowset):
        shown = _relative(str(finding), root)
        (result.errors if finding.severity == "error" else result.warnings).append(shown)
    receipts = flows_dir / "receipts"
    for path in sorted(receipts.glob("*.yaml")) if receipts.is_dir() else []:
        problem = _receipt_problem(path)
        if problem:
            result.errors.append(_relative(f"{path}: {problem}", root))
    result.errors.extend(_relative(p, root) for p in _locale_problems(root / "locales"))
    return result


def _receipt_problem(path: Path) -> str:
    try:
        template = convert(read_yaml(path), ReceiptTemplate)
    except FlowLoadError as exc:
        return exc.message
    except SchemaError as exc:
        first = exc.errors[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    if template.id != path.stem:
        return f"has id '{template.id}', not '{path.stem}'"
    return ""


def _locale_problems(locales: Path) -> list[str]:
    """Locale overrides: only the interface languages, each text one the kiosk already has."""
    if not locales.is_dir():
        return []
    from kiosk.i18n import Catalog, catalog

    problems = [
        f"{path}: not a language of the kiosk"
        for path in sorted(locales.iterdir())
        if path.name not in LANGUAGES
    ]
    try:
        overrides = Catalog(locales)
    except (ValueError, OSError) as exc:
        return [*problems, str(exc)]
    except Exception as exc:  # a YAML syntax error, from PyYAML
        return [*problems, f"{locales}: {exc}"]
    shipped = catalog()
    for lang, texts in overrides.texts.items():
        for key, value in sorted(texts.items()):
            if not shipped.has(key):
                problems.append(f"{locales / lang}: {key} is not a text of the kiosk")
            elif not isinstance(value, str):
                problems.append(f"{locales / lang}: {key} is not a text")
    return problems


def _relative(text: str, root: Path) -> str:
    return text.replace(f"{root}/", "")
