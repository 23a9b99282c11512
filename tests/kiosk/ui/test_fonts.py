"""The CJK font covers GB2312 and rare name characters, and really draws them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from ui_harness import frames

from kiosk.ui import fonts, install_cache

RARE_NAME_CHARACTERS = "堃喆赟昇玥昊珺婧琮瑄淏祎彧翀犇燚骉龑"


def gb2312_hanzi() -> str:
    """All 6,763 GB2312 hanzi (levels 1 and 2), the core of GB18030's common set."""
    chars = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def test_gb2312_table_is_complete() -> None:
    assert len(gb2312_hanzi()) == 6763


def test_font_covers_gb2312_and_rare_name_characters() -> None:
    path = fonts.find_cjk_font()
    assert fonts.missing_glyphs(path, gb2312_hanzi()) == set()
    assert fonts.missing_glyphs(path, RARE_NAME_CHARACTERS) == set()


def test_missing_font_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fonts, "SYSTEM_FONTS", (tmp_path / "none.ttc",))
    monkeypatch.setattr(fonts, "ASSETS_FONTS", tmp_path / "empty")
    monkeypatch.delenv(fonts.FONT_ENV, raising=False)
    with pytest.raises(fonts.FontNotFoundError, match="fonts-wqy-microhei"):
        fonts.find_cjk_font()


def test_rare_name_label_is_drawn(window: Any, tmp_path: Path) -> None:
    from kivy.uix.label import Label

    label = Label(text="堃喆赟昇", font_size=120, color=(0, 0, 0, 1))
    window.clearcolor = (1, 1, 1, 1)
    window.add_widget(label)
    try:
        frames(3)
        picture = Path(window.screenshot(name=str(tmp_path / "rare.png")))
    finally:
        window.remove_widget(label)
        window.clearcolor = (0, 0, 0, 1)
    from PIL import Image

    image = Image.open(picture).convert("L")
    # glyphs, not tofu boxes: each character is its own ink blob, and there is plenty of ink
    dark = sum(image.histogram()[:128])
    assert dark > 2000
    if os.environ.get("KIOSK_KEEP_SCREENSHOTS"):
        image.save(Path(os.environ["KIOSK_KEEP_SCREENSHOTS"]) / "rare.png")


def test_rare_characters_are_not_tofu(window: Any) -> None:
    from kivy.core.text import Label as CoreLabel

    def pixels(text: str) -> bytes:
        label = CoreLabel(text=text, font_size=64)
        label.refresh()
        return bytes(label.texture.pixels)

    tofu = pixels("\ue000")  # a private-use code point: drawn as the font's missing glyph
    drawn = {ch: pixels(ch) for ch in "堃喆赟昇"}
    assert all(p != tofu for p in drawn.values())
    assert len(set(drawn.values())) == 4


def test_a_font_found_good_is_not_read_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(install_cache, "INSTALL_CACHE", tmp_path / "not-installed")
    monkeypatch.delenv(fonts.FONT_ENV, raising=False)
    reads: list[Path] = []
    real = fonts.missing_glyphs

    def counting(path: Path, text: Any) -> set[str]:
        reads.append(path)
        return real(path, text)

    monkeypatch.setattr(fonts, "missing_glyphs", counting)
    first = fonts.find_cjk_font()
    assert reads == [first]
    assert fonts.find_cjk_font() == first  # the next start trusts what was checked
    assert reads == [first]


def test_a_first_start_trusts_the_font_checked_at_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(fonts.FONT_ENV, raising=False)
    monkeypatch.setattr(install_cache, "INSTALL_CACHE", tmp_path / "install")
    built = install_cache.build()  # what scripts/setup.sh runs
    assert (built / "fonts.json").is_file()
    assert (built / "i18n.json").is_file()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-home"))
    reads: list[Path] = []
    monkeypatch.setattr(fonts, "missing_glyphs", lambda path, _text: reads.append(path) or set())
    assert fonts.find_cjk_font().is_file()
    assert reads == []  # the first start did not open the font to check it


def test_translations_read_the_catalogue_where_the_install_step_writes_it() -> None:
    from kiosk.i18n import INSTALLED_CACHE

    assert INSTALLED_CACHE == install_cache.installed("i18n.json")


def test_a_changed_font_file_is_checked_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    font = tmp_path / "kiosk.ttc"
    font.write_bytes(fonts.find_cjk_font().read_bytes())
    monkeypatch.setenv(fonts.FONT_ENV, str(font))
    assert fonts.find_cjk_font() == font
    font.write_bytes(b"not a font any more")  # replaced by something unreadable
    monkeypatch.setattr(fonts, "SYSTEM_FONTS", ())
    monkeypatch.setattr(fonts, "ASSETS_FONTS", tmp_path / "empty")
    with pytest.raises(fonts.FontNotFoundError):
        fonts.find_cjk_font()
