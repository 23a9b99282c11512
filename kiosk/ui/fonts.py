"""Find a CJK font, register it as Kivy's default, and check its glyph coverage.

Kivy's bundled Roboto has no Chinese glyphs and Kivy opens only the first face of a `.ttc`
collection, so the chosen file must have a Simplified Chinese face first (WenQuanYi Micro Hei
does; Noto Sans CJK's collection starts with the Japanese face and must be extracted first).
"""

from __future__ import annotations

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
        cmap = font.getBestCmap() or {}
    finally:
        font.close()
    return {ch for ch in set(text) if not ch.isspace() and ord(ch) not in cmap}


def _usable(path: Path) -> bool:
    if not path.is_file():
        return False
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
    return not missing


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
