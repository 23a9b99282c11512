"""Mesa's software renderer (llvmpipe, softpipe) keeps every texture deleted after being drawn
until the frames that used it are finished, which a swap does not wait for: a kiosk without a
GPU grew by the size of every label it had shown (60 MB per flow). Finishing each frame before
the swap lets the memory go, and costs nothing the swap would not wait for anyway."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

SOFTWARE = ("llvmpipe", "softpipe", "swrast")
"""Names of Mesa's software renderers, as `GL_RENDERER` gives them."""


def is_software(renderer: str) -> bool:
    """Whether a `GL_RENDERER` string names one of Mesa's software renderers."""
    return any(name in renderer.lower() for name in SOFTWARE)


def finish_frames_if_software(window: Any) -> bool:
    """Finish every frame before it is shown when GL is Mesa's software renderer (True then)."""
    from kivy.graphics.opengl import GL_RENDERER, glGetString

    renderer = glGetString(GL_RENDERER)
    name = renderer.decode(errors="replace") if isinstance(renderer, bytes) else str(renderer)
    if not is_software(name):
        return False
    log.info("software GL (%s): frames are finished before the swap", name)
    window.unbind(on_flip=_finish)
    window.bind(on_flip=_finish)
    return True


def _finish(*_: Any) -> None:
    from kivy.graphics.opengl import glFinish

    glFinish()
