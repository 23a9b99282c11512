"""`KioskApp`: the Kivy application of the kiosk, its window locked down for public use."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.app import App

from kiosk.flow.languages import LANGUAGES
from kiosk.ui.fonts import register_cjk_font
from kiosk.ui.frame_hold import install as install_frame_hold
from kiosk.ui.lockdown import WindowOptions, configure, lock_window
from kiosk.ui.shell import KioskShell
from kiosk.ui.software_gl import finish_frames_if_software

log = logging.getLogger(__name__)


class KioskApp(App):  # type: ignore[misc]
    """The touch-screen app: a locked-down window whose root widget is the `shell`.

    Wiring, from `kiosk run` (`kiosk.ui.touch_kiosk`)::

        app = KioskApp(options=WindowOptions())      # or WindowOptions.development()
        ui = asyncio.create_task(app.async_run(async_lib="asyncio"))
        app.shell.show_attract(AttractInfo({"zh_CN": "幸福里社区服务站", "en": ...}))
        core.attach(TouchRenderer(app.shell, core))  # the session draws, taps go to it

    `shell` exists as soon as the app is built (`build()` runs at start).
    """

    title = "Community kiosk"

    def __init__(
        self,
        *,
        options: WindowOptions | None = None,
        font: Path | None = None,
        language: str = LANGUAGES[0],
        **kwargs: Any,
    ) -> None:
        # not `self.options`: Kivy's App.__init__ overwrites that with its keyword arguments
        self.window_options = options or WindowOptions()
        configure(self.window_options)
        super().__init__(**kwargs)
        self.font_path = register_cjk_font(font)
        self.language = language
        self.shell: KioskShell | None = None

    def build(self) -> KioskShell:
        """Create the shell and lock the window."""
        from kivy.core.window import Window

        lock_window(Window, self.window_options)
        finish_frames_if_software(Window)
        install_frame_hold()
        self.shell = KioskShell(language=self.language)
        return self.shell
