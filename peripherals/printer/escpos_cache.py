"""Import python-escpos with its capability cache in a lasting folder, not a new temp folder.

`escpos.capabilities` parses its 1 MB capability file with PyYAML (about a tenth of a second)
and pickles the result into `$ESCPOS_CAPABILITIES_PICKLE_DIR`, by default a fresh `mkdtemp()`
in every process: the work is redone on every start and an empty folder is left in /tmp each
time. Here the pickle lives in `$XDG_CACHE_HOME/kiosk/escpos` (or `~/.cache/kiosk/escpos`), is
built in a private folder and moved into place atomically (two processes starting at once never
read a half-written pickle), and is rebuilt when python-escpos is upgraded.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import platform
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

log = logging.getLogger(__name__)

PICKLE_DIR_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"
"""python-escpos' own setting; when set by the operator it is used as it is."""

_MODULE = "escpos.capabilities"
_lock = threading.Lock()


def cache_dir() -> Path:
    """Where the capability pickle is kept between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kiosk" / "escpos"


def import_escpos() -> ModuleType:
    """`escpos.capabilities`, imported once per process with a lasting cache."""
    module = sys.modules.get(_MODULE)
    if module is not None:
        return module
    with _lock:
        module = sys.modules.get(_MODULE)
        if module is not None:
            return module
        if os.environ.get(PICKLE_DIR_ENV):
            return _import(Path(os.environ[PICKLE_DIR_ENV]))
        try:
            return _import_cached(cache_dir())
        except OSError as exc:  # no writable home (a locked-down account): a private folder
            log.debug("no capability cache for python-escpos: %s", exc)
            private = Path(tempfile.mkdtemp(prefix="kiosk-escpos-"))
            try:
                return _import(private)
            finally:
                shutil.rmtree(private, ignore_errors=True)


def _import_cached(folder: Path) -> ModuleType:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{platform.python_version()}.capabilities.pickle"
    if _fresh(target):
        try:
            return _import(folder)
        except Exception as exc:  # a damaged pickle: rebuild it below
            log.warning("python-escpos capability cache unreadable, rebuilding: %s", exc)
            sys.modules.pop(_MODULE, None)
    build = Path(tempfile.mkdtemp(prefix="build-", dir=folder))
    try:
        module = _import(build)
        os.replace(build / target.name, target)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return module


def _fresh(pickle: Path) -> bool:
    """Whether `pickle` exists and is newer than the installed capability file."""
    try:
        built = pickle.stat().st_mtime
    except FileNotFoundError:
        return False
    spec = importlib.util.find_spec("escpos")
    locations = spec.submodule_search_locations if spec is not None else None
    if not locations:
        return False
    try:
        source = (Path(next(iter(locations))) / "capabilities.json").stat().st_mtime
    except OSError:
        return False
    return built >= source


def _import(folder: Path) -> ModuleType:
    """Import `escpos.capabilities` caching into `folder` (the environment left as it was)."""
    before = os.environ.get(PICKLE_DIR_ENV)
    os.environ[PICKLE_DIR_ENV] = str(folder)
    try:
        with _no_stray_temp_folder(str(folder)):
            return importlib.import_module(_MODULE)
    finally:
        if before is None:
            os.environ.pop(PICKLE_DIR_ENV, None)
        else:
            os.environ[PICKLE_DIR_ENV] = before


@contextlib.contextmanager
def _no_stray_temp_folder(folder: str) -> Iterator[None]:
    """While importing on this thread, `tempfile.mkdtemp()` answers `folder`.

    python-escpos 3.1 evaluates `environ.get(..., mkdtemp())`, so it creates a temp folder even
    when the variable is set; other threads keep the real `mkdtemp`.
    """
    real: Callable[..., str] = tempfile.mkdtemp
    importer = threading.get_ident()

    def mkdtemp(*args: object, **kwargs: object) -> str:
        if threading.get_ident() == importer and not args and not kwargs:
            return folder
        return real(*args, **kwargs)

    tempfile.mkdtemp = mkdtemp  # type: ignore[assignment]
    try:
        yield
    finally:
        tempfile.mkdtemp = real  # type: ignore[assignment]


__all__ = ["PICKLE_DIR_ENV", "cache_dir", "import_escpos"]
