"""Caches built once at install (`scripts/setup.sh`), read when the user's own cache lacks them.

A kiosk's first start after installation would otherwise parse every translation and check its
font's glyphs (~0.1 s of CPU before the first frame) only to write the result to
`$XDG_CACHE_HOME/kiosk/`. The install step writes the same files, validated the same way (path,
size and modification time of what they were made from), under `build/cache/kiosk/` in the
installation; an entry that no longer matches is ignored and the work done as before.

    python -m kiosk.ui.install_cache    # what scripts/setup.sh runs
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

INSTALL_CACHE = Path(__file__).resolve().parents[2] / "build" / "cache"
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


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    log.info("install caches written to %s", build())
