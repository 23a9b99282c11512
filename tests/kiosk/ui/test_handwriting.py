"""Handwriting for residents who cannot use pinyin: zinnia recognises, the pad types."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from test_input import input_prompt
from ui_harness import ask_task, find, frames, tap

from kiosk.ui.handwriting import recogniser

# 十: one horizontal stroke, then one vertical, in a 300×300 box (y downwards)
TEN = [[(x, 150.0) for x in range(40, 261, 20)], [(150.0, y) for y in range(40, 261, 20)]]

needs_zinnia = pytest.mark.skipif(
    recogniser() is None, reason="apt-get install libzinnia0 tegaki-zinnia-simplified-chinese"
)


@needs_zinnia
def test_zinnia_recognises_a_written_character_offline() -> None:
    found = recogniser()
    assert found is not None
    assert found.classify(TEN, 300, 300, 5)[0] == "十"
    assert found.classify([[]], 300, 300, 5) == []


@needs_zinnia
async def test_a_character_written_on_the_pad_is_typed_by_tapping_its_candidate(
    shell: Any,
) -> None:
    task = ask_task(shell, input_prompt("text"))
    await asyncio.sleep(0)
    frames()
    tap(shell, "write.handwriting")
    frames()
    pad = shell.screen.pad
    assert pad is not None and find(shell, "pad.rewrite")
    scale = pad.width / 300
    pad.strokes = [[(x * scale, y * scale) for x, y in stroke] for stroke in TEN]
    pad._on_strokes(pad.strokes)  # what lifting the finger after the second stroke does
    assert find(shell, "cand.0").text == "十" and not find(shell, "cand.0").disabled
    tap(shell, "cand.0")
    assert shell.state.view.draft.typed == "十"
    assert pad.strokes == [] and find(shell, "cand.0").disabled  # ready for the next one
    task.cancel()


@needs_zinnia
async def test_elder_mode_fits_the_keyboard_and_the_pad_whole(shell: Any) -> None:
    """适老模式 at 1280×1024: the pinyin keyboard and the writing pad with every text whole
    and every control at least 90 px (the switch between them sits beside confirm)."""
    from kivy.core.window import Window

    from kiosk.ui.widgets.fit import clipped_labels, small_targets

    shell.inputs.toggle_elder()
    task = ask_task(shell, input_prompt("text"))
    await asyncio.sleep(0)
    for way in ("pinyin", "handwriting"):
        if way == "handwriting":
            tap(shell, "write.handwriting")
        for _ in range(4):
            frames()
        assert (way == "handwriting") is (shell.screen.pad is not None)
        assert list(clipped_labels(shell, Window.height)) == [], way
        assert list(small_targets(shell, 90)) == [], way
    task.cancel()
