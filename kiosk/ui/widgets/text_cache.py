"""Label textures kept by what they show, so a text drawn before is not rendered again.

Rendering a label (Kivy's `core.text` layout and glyph blitting) is most of what a new screen
costs: a screen rebuilt after a tap draws the same button captions, titles and keys as last
time. `CachedText` is a mixin for Kivy `Label`s: before rendering, it looks up the text and
every option that changes the picture (font, size, colour, wrap width, alignment, padding...);
a hit reuses the texture, a miss renders it at once and keeps it. Textures are shared read-only
between labels; the cache forgets the least recently used beyond `LIMIT_BYTES` of pixels.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from kivy.core.text.markup import MarkupLabel
from kivy.uix.label import Label
from kivy.utils import get_hex_from_color

log = logging.getLogger(__name__)

LIMIT_BYTES = 16 * 1024 * 1024
"""Pixels kept (4 bytes each): about ten screens' worth of text on a 1280×1024 panel."""


@dataclass(frozen=True)
class _Rendered:
    texture: Any
    size: tuple[int, int]
    refs: dict[str, Any]
    anchors: dict[str, Any]
    shortened: bool
    nbytes: int


class TextureCache:
    """Rendered label textures by (text, options), least recently used dropped past a limit."""

    def __init__(self, limit_bytes: int = LIMIT_BYTES) -> None:
        self.limit_bytes = limit_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple[Any, ...], _Rendered] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[Any, ...]) -> _Rendered | None:
        """The texture rendered for `key`, if kept (it becomes the most recently used)."""
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], rendered: _Rendered) -> None:
        """Keep `rendered` for `key`, forgetting the oldest textures beyond the limit."""
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old.nbytes
        self._entries[key] = rendered
        self.bytes += rendered.nbytes
        while self.bytes > self.limit_bytes and len(self._entries) > 1:
            _key, dropped = self._entries.popitem(last=False)
            self.bytes -= dropped.nbytes

    def clear(self) -> None:
        """Forget every texture (the GL context they belong to is gone, or for tests)."""
        self._entries.clear()
        self.bytes = 0


TEXTURES = TextureCache()
"""The textures every `CachedText` label shares."""


def _option_key(options: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in sorted(options.items())
        if name != "text"
    )


class CachedText:
    """Mixin for a Kivy `Label`: a text already rendered with the same options is not rendered
    again (see the module's docstring); put it before `Label` in the bases."""

    def laid_out(self, text: str) -> str:
        """The markup text as it is rendered (a label may put its own line breaks in)."""
        return text

    def texture_update(self, *_largs: Any) -> None:
        """Kivy's `Label.texture_update`, with rendered textures looked up and kept."""
        label: Any = self
        core = label._label
        markup = core.__class__ is MarkupLabel
        label.texture = None
        text = core.text
        if markup:
            text = self.laid_out(label.text)
            if label.halign == "justify" or label.strip:
                text = text.strip()
            colour = label.disabled_color if label.disabled else label.color
            core.text = "".join(("[color=", get_hex_from_color(colour), "]", text, "[/color]"))
        if not text or ((label.halign == "justify" or label.strip) and not text.strip()):
            label.texture_size = (0, 0)
            label.is_shortened = False
            if markup:
                label.refs, core._refs = {}, {}
                label.anchors, core._anchors = {}, {}
            return
        core.resolve_font_name()
        key = (markup, core.text, tuple(core.text_size), _option_key(core.options))
        rendered = TEXTURES.get(key)
        if rendered is None:
            rendered = _render(core, markup)
            TEXTURES.put(key, rendered)
        if markup:
            label.refs, label.anchors = rendered.refs, rendered.anchors
        if rendered.texture is not None:
            label.texture = rendered.texture
            label.texture_size = list(rendered.size)
        label.is_shortened = rendered.shortened


def _render(core: Any, markup: bool) -> _Rendered:
    """Render now (not when first drawn), then let go of the texture: it is the cache's, and
    the core label must not draw its next text into it."""
    core.refresh()
    texture = core.texture
    if texture is not None:
        texture.bind()  # fills it now
    size = (int(texture.width), int(texture.height)) if texture is not None else (0, 0)
    rendered = _Rendered(
        texture=texture,
        size=size,
        refs=dict(core.refs) if markup else {},
        anchors=dict(core.anchors) if markup else {},
        shortened=bool(core.is_shortened),
        nbytes=4 * size[0] * size[1],
    )
    if texture is not None and texture is not core.texture_1px:
        texture.remove_reload_observer(core._texture_refresh)
    core.texture = None
    return rendered


class CachedLabel(CachedText, Label):  # type: ignore[misc]
    """A plain Kivy `Label` whose textures are shared through `TEXTURES`."""
