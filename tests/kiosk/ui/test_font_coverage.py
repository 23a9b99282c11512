"""The set-up command's font covers the characters of residents' names beyond the GBK set."""

from __future__ import annotations

import pytest

from kiosk.ui.fonts import ASSETS_FONTS, find_cjk_font, missing_glyphs

NAME_CHARACTERS = "堃喆赟昇珺玥翀犇淼垚䶮㛃𬌗𫓧𠮷"
"""Rare characters seen in names: unified block, Extension A (䶮 㛃) and B (𬌗 𫓧 𠮷)."""


@pytest.mark.skipif(
    not list(ASSETS_FONTS.glob("*.otf")), reason="scripts/setup.sh extracts the Noto SC face"
)
def test_the_kiosk_font_has_every_unified_and_extension_a_ideograph() -> None:
    font = find_cjk_font()
    assert font.parent == ASSETS_FONTS
    unified = "".join(chr(cp) for cp in range(0x4E00, 0x9FA6))
    extension_a = "".join(chr(cp) for cp in range(0x3400, 0x4DB6))
    assert missing_glyphs(font, unified + extension_a) == set()
    assert missing_glyphs(font, NAME_CHARACTERS) == set()
