"""A screenshot of every prompt kind (the menu too), in both looks, checked to be a real picture.

Set KIOSK_KEEP_SCREENSHOTS=/some/dir to keep them for review.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat
from test_shell import MENU, every_prompt
from ui_harness import frames, shown

from kiosk.flow.prompt import Prompt


@pytest.mark.parametrize(
    "p", [*every_prompt(), MENU.prompt("zh_CN")], ids=lambda p: f"{p.kind.value}-{p.step}"
)
@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder-contrast"])
async def test_screenshot_is_not_blank(
    shell: Any, window: Any, tmp_path: Path, p: Prompt, elder: bool
) -> None:
    if elder:
        shell.inputs.toggle_elder()
        shell.inputs.toggle_contrast()
    task = await shown(shell, p)
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
    task.cancel()
