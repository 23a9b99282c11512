"""The layering rules of DESIGN.md: imports point downward only (Kivy in kiosk/ui alone, ...)."""

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
    """The Python files of a package directory, or the one module a path names."""
    target = ROOT / package
    found = [target] if target.is_file() else sorted(target.rglob("*.py"))
    assert found, f"no Python files at {package}"
    return found


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


def _kiosk_imports(path: Path) -> set[str]:
    """Full names of the kiosk modules a file imports (`kiosk.flow.schema`, `kiosk.i18n`...)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name for name in names if name == "kiosk" or name.startswith("kiosk.")}


def _outside(package: str, allowed: tuple[str, ...]) -> list[str]:
    """`path: module` for each kiosk import of `package` that is not in (or under) `allowed`."""
    return [
        f"{path.relative_to(ROOT)}: {module}"
        for path in _modules(package)
        for module in sorted(_kiosk_imports(path))
        if not any(module == a or module.startswith(f"{a}.") for a in allowed)
    ]


def test_flow_language_does_not_import_upper_layers() -> None:
    """kiosk/flow sits below the app: of the kiosk it may use kiosk.flow, kiosk.privacy and the
    language table only (its texts come in through the `Texts` protocol, not kiosk.i18n)."""
    assert _outside("kiosk/flow", ("kiosk.flow", "kiosk.privacy", "kiosk.languages")) == []


def test_translations_do_not_import_the_flow_language() -> None:
    """kiosk/i18n is a leaf beside the flow language: of the kiosk it uses the language table."""
    assert _outside("kiosk/i18n.py", ("kiosk.languages",)) == []


def _importers_of(target: str, package: str = "kiosk") -> list[str]:
    """Files of `package` outside `target`'s own folder that import `target` (or below it)."""
    folder = target.replace(".", "/")
    return [
        f"{path.relative_to(ROOT)}: {module}"
        for path in _modules(package)
        if not path.relative_to(ROOT).as_posix().startswith(f"{folder}/")
        for module in sorted(_kiosk_imports(path))
        if module == target or module.startswith(f"{target}.")
    ]


def test_nothing_but_the_cli_imports_the_touch_screen() -> None:
    """kiosk/ui is a leaf at the top: the session, the voice and the app never need a display."""
    offenders = [line for line in _importers_of("kiosk.ui") if not line.startswith("kiosk/cli/")]
    assert offenders == []


def test_touch_and_voice_are_equal_renderers_that_never_import_each_other() -> None:
    """The screen and the voice draw the session's state; neither reaches into the other."""
    assert [line for line in _importers_of("kiosk.voice") if line.startswith("kiosk/ui/")] == []
    assert [line for line in _importers_of("kiosk.ui") if line.startswith("kiosk/voice/")] == []


def test_the_session_core_imports_no_renderer() -> None:
    """kiosk/session sits below both renderers: it knows their protocol, not them."""
    assert _outside_of("kiosk/session", ("kiosk.ui", "kiosk.voice", "kiosk.cli")) == []


def _outside_of(package: str, forbidden: tuple[str, ...]) -> list[str]:
    """`path: module` for each kiosk import of `package` that is in (or under) `forbidden`."""
    return [
        f"{path.relative_to(ROOT)}: {module}"
        for path in _modules(package)
        for module in sorted(_kiosk_imports(path))
        if any(module == f or module.startswith(f"{f}.") for f in forbidden)
    ]


def test_the_rules_catch_a_breach(tmp_path: Path) -> None:
    """The import scanner sees imports nested in functions too (where lazy imports hide)."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import kiosk.voice as v\n"
        "def later() -> None:\n    from kiosk.ui.shell import KioskShell  # noqa: F401\n",
        encoding="utf-8",
    )
    assert _kiosk_imports(sample) == {"kiosk.voice", "kiosk.ui.shell"}
