"""A screenshot of every prompt kind, in both looks, checked to be a real picture (not blank).

Set KIOSK_KEEP_SCREENSHOTS=/some/dir to keep them for review.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat
from test_shell import every_prompt
from ui_harness import frames

from kiosk.flow.prompt import Prompt


@pytest.mark.parametrize("p", every_prompt(), ids=lambda p: f"{p.kind.value}-{p.step}")
@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder-contrast"])
def test_screenshot_is_not_blank(
    shell: Any, window: Any, tmp_path: Path, p: Prompt, elder: bool
) -> None:
    shell.elder = shell.high_contrast = elder
    shell.show_prompt(p, lambda _r: None)
    frames(3)
    path = Path(window.screenshot(name=str(tmp_path / f"{p.kind.value}-{p.step}.png")))
    image = Image.open(path).convert("L")
    assert image.size == tuple(window.size)
    stats = ImageStat.Stat(image)
    assert stats.stddev[0] > 8, "screen is (nearly) one colour"
    assert sum(1 for count in image.histogram() if count) > 16, "no anti-aliased text drawn"
    # text and buttons spread over the screen, not one blob
    top, bottom = (
        image.crop((0, 0, image.width, 200)),
        image.crop((0, image.height - 120, image.width, image.height)),
    )
    assert ImageStat.Stat(top).stddev[0] > 5 and ImageStat.Stat(bottom).stddev[0] > 5
    keep = os.environ.get("KIOSK_KEEP_SCREENSHOTS")
    if keep:
        suffix = "elder" if elder else "standard"
        shutil.copy(path, Path(keep) / f"{p.kind.value}-{p.step}-{suffix}.png")
