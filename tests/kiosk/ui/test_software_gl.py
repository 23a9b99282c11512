"""Mesa's software renderers are told from GPUs by their GL_RENDERER name."""

from __future__ import annotations

from kiosk.ui.software_gl import is_software


def test_mesa_software_renderers_are_recognised() -> None:
    assert is_software("llvmpipe (LLVM 15.0.6, 256 bits)")
    assert is_software("softpipe")
    assert not is_software("Mali-G52 (Panfrost)")
    assert not is_software("Mesa Intel(R) UHD Graphics 620 (KBL GT2)")
