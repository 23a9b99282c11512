"""Label textures kept by text and options: a text shown again is not rendered again, and a
kept texture never shows another text."""

from __future__ import annotations

from typing import Any

from ui_harness import frames

from kiosk.ui.widgets.text_cache import TEXTURES, CachedLabel, TextureCache


def test_the_same_text_in_the_same_style_shares_one_texture(window: Any) -> None:
    first = CachedLabel(text="[b]确认[/b] 社区", markup=True, font_size=40)
    second = CachedLabel(text="[b]确认[/b] 社区", markup=True, font_size=40)
    for label in (first, second):
        label.texture_update()
    assert first.texture is not None and first.texture is second.texture
    red = (1, 0, 0, 1)
    other_colour = CachedLabel(text="[b]确认[/b] 社区", markup=True, font_size=40, color=red)
    other_colour.texture_update()
    assert other_colour.texture is not first.texture


def test_a_kept_texture_still_shows_its_own_text_after_the_label_moves_on(window: Any) -> None:
    label = CachedLabel(text="甲甲甲", font_size=40)
    label.texture_update()
    kept = label.texture
    pixels = bytes(kept.pixels)
    label.text = "乙乙乙"  # the same size of texture: Kivy alone would draw into the same one
    label.texture_update()
    frames(1)
    assert label.texture is not kept
    assert bytes(kept.pixels) == pixels
    label.text = "甲甲甲"
    label.texture_update()
    assert label.texture is kept


def test_the_oldest_textures_are_forgotten_past_the_limit(window: Any) -> None:
    cache = TextureCache(limit_bytes=1)
    label = CachedLabel(text="x", font_size=20)
    label.texture_update()
    (key, rendered), *_ = TEXTURES._entries.items()
    cache.put(("a",), rendered)
    cache.put(("b",), rendered)
    assert len(cache) == 1 and cache.get(("a",)) is None and cache.get(("b",)) is rendered
    assert key  # the shared cache holds what real labels rendered
