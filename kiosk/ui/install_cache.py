"""Caches built once at install (`scripts/setup.sh`), read when the user's own cache lacks them.

A kiosk's first start after installation would otherwise parse every translation and check its
font's glyphs (~0.1 s of CPU before the first frame) only to write the result to
`$XDG_CACHE_HOME/kiosk/`. The install step writes the same files, validated the same way (path,
size and modification time of what they were made from), under `build/cache/kiosk/` in the
installation; an entry that no longer matches is ignored and the work done as before.

It also compiles the kiosk's own bytecode (`compile_bytecode`), as `pip install` does for a
package it installs but not for an editable install: without it, a kiosk whose Python may not
write `__pycache__` (`PYTHONDONTWRITEBYTECODE`, a read-only installation) compiles every module
it imports from source on every start (~50 ms of CPU before the first frame).

    python -m kiosk.ui.install_cache    # what scripts/setup.sh runs: build() and compile_bytecode()
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
"""The installation: the folder holding the `kiosk` and `peripherals` packages."""
INSTALL_CACHE = ROOT / "build" / "cache"
"""The installation's `XDG_CACHE_HOME`-like folder; its `kiosk/` holds the built caches."""


def installed(name: str) -> Path:
    """Where the install step put the cache file `name` (it may not exist)."""
    return INSTALL_CACHE / "kiosk" / name


def build() -> Path:
    """Write the translation and font caches into `INSTALL_CACHE`; return the folder."""
    from kiosk.i18n import Catalog
    from kiosk.ui.fonts import find_cjk_font

    Catalog(cache=installed("i18n.json"))

    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(INSTALL_CACHE)  # the font check writes its list there
    try:
        find_cjk_font()
    finally:
        if before is None:
            del os.environ["XDG_CACHE_HOME"]
        else:
            os.environ["XDG_CACHE_HOME"] = before
    return INSTALL_CACHE / "kiosk"


def compile_bytecode(root: Path = ROOT) -> bool:
    """Compile the `kiosk` and `peripherals` packages under `root` into their `__pycache__`
    (modules already compiled and unchanged are skipped); False if a module failed."""
    import compileall

    return all(
        compileall.compile_dir(root / package, quiet=1) for package in ("kiosk", "peripherals")
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    log.info("install caches written to %s", build())
    if not compile_bytecode():
        raise SystemExit("install_cache: a module could not be compiled")
