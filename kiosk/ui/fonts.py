"""Find a CJK font, register it as Kivy's default, and check its glyph coverage.

Kivy's bundled Roboto has no Chinese glyphs and Kivy opens only the first face of a `.ttc`
collection, so the chosen file must have a Simplified Chinese face first (WenQuanYi Micro Hei
does; Noto Sans CJK's collection starts with the Japanese face and must be extracted first).

Checking a font's glyphs with fontTools takes about 20 ms after its import (the character map
read against numbered glyphs, the glyph names not decoded), so a font found good is remembered
in `$XDG_CACHE_HOME/kiosk/fonts.json` (or `~/.cache/kiosk/`) by path, size and modification
time, and later starts skip the check.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

FONT_ENV = "KIOSK_CJK_FONT"
"""Environment variable naming a font file to use before any other."""

ASSETS_FONTS = Path(__file__).resolve().parents[2] / "assets" / "fonts"
SYSTEM_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
)
"""System fonts whose first face is Simplified Chinese, best first."""

FONT_NAME = "KioskCJK"
"""The name the CJK font is also registered under, besides Kivy's default name."""

PROBE_TEXT = "中文办理人工服务"


class FontNotFoundError(RuntimeError):
    """No usable CJK font was found; the message says where we looked and what to install."""


def candidates() -> list[Path]:
    """Font files to try, in order: $KIOSK_CJK_FONT, `assets/fonts/`, then system fonts."""
    found: list[Path] = []
    env = os.environ.get(FONT_ENV)
    if env:
        found.append(Path(env))
    if ASSETS_FONTS.is_dir():
        for pattern in ("*.otf", "*.ttf", "*.ttc"):
            found.extend(sorted(ASSETS_FONTS.glob(pattern)))
    found.extend(SYSTEM_FONTS)
    return found


def missing_glyphs(path: Path, text: Iterable[str]) -> set[str]:
    """Characters of `text` that the first face of the font at `path` has no glyph for."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), fontNumber=0, lazy=True)
    try:
        # numbered glyph names: the real ones (decoded from 'post' or CFF for ~30,000 glyphs)
        # cost more than half of the check, and only which characters have a glyph matters
        font.setGlyphOrder([f"glyph{i}" for i in range(font["maxp"].numGlyphs)])
        cmap = font.getBestCmap() or {}
    finally:
        font.close()
    return {ch for ch in set(text) if not ch.isspace() and ord(ch) not in cmap}


def checked_fonts_file() -> Path:
    """Where fonts found good are remembered between starts."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kiosk" / "fonts.json"


def _identity(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{PROBE_TEXT}"


def _known_good() -> set[str]:
    try:
        data = json.loads(checked_fonts_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {str(item) for item in data} if isinstance(data, list) else set()


def _remember_good(identity: str) -> None:
    cache = checked_fonts_file()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}")
        partial.write_text(json.dumps(sorted(_known_good() | {identity})), encoding="utf-8")
        partial.replace(cache)
    except OSError as exc:  # a read-only home: the check is simply done again next time
        log.debug("cannot remember the checked font: %s", exc)


def _usable(path: Path) -> bool:
    if not path.is_file():
        return False
    identity = _identity(path)
    if identity in _known_good():
        return True
    try:
        missing = missing_glyphs(path, PROBE_TEXT)
    except ImportError:
        # fontTools is a test dependency; without it trust the curated list above.
        return True
    except Exception as exc:  # a corrupt or unsupported file is skipped, not fatal
        log.warning("cannot read font %s: %s", path, exc)
        return False
    if missing:
        log.warning("font %s lacks Chinese glyphs; skipped", path)
        return False
    _remember_good(identity)
    return True


def find_cjk_font() -> Path:
    """The first usable CJK font file, or `FontNotFoundError` naming what was searched."""
    tried = candidates()
    for path in tried:
        if _usable(path):
            return path
    raise FontNotFoundError(
        "No Chinese font found. Install one (Debian: apt-get install fonts-wqy-microhei), "
        f"put a .otf/.ttf with a Simplified Chinese first face in {ASSETS_FONTS}, or set "
        f"{FONT_ENV}. Looked at: " + ", ".join(str(p) for p in tried)
    )


def register_cjk_font(path: Path | None = None) -> Path:
    """Register the CJK font as Kivy's default font (and as `KioskCJK`); return its path."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    chosen = path or find_cjk_font()
    if not chosen.is_file():
        raise FontNotFoundError(f"font file not found: {chosen}")
    LabelBase.register(DEFAULT_FONT, str(chosen))
    LabelBase.register(FONT_NAME, str(chosen))
    log.info("CJK font registered: %s", chosen)
    return chosen
