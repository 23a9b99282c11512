"""The layering rules of DESIGN.md: only kiosk/ui imports Kivy; peripherals never imports kiosk."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_only_kiosk_ui_imports_kivy() -> None:
    """Kivy stays inside kiosk/ui so the engine, voice and devices run without a display."""
    offenders = [
        str(p.relative_to(ROOT))
        for package in ("kiosk", "peripherals")
        for p in _modules(package)
        if "kivy" in _imports(p) and not p.relative_to(ROOT).as_posix().startswith("kiosk/ui/")
    ]
    assert offenders == []


def test_peripherals_never_import_the_app() -> None:
    """Devices know nothing of the app, so integrators can reuse them alone."""
    offenders = [
        str(p.relative_to(ROOT)) for p in _modules("peripherals") if "kiosk" in _imports(p)
    ]
    assert offenders == []


def test_flow_language_does_not_import_upper_layers() -> None:
    """kiosk/flow sits below the app: it may use kiosk.privacy and kiosk.flow only."""
    offenders = []
    for path in _modules("kiosk/flow"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kiosk"):
                allowed = ("kiosk.flow", "kiosk.privacy", "kiosk.i18n")
                if not node.module.startswith(allowed):
                    offenders.append(f"{path.relative_to(ROOT)}: {node.module}")
    assert offenders == []
