"""`KioskApp`: the Kivy application of the kiosk, its window locked down for public use."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App

from kiosk.flow.languages import LANGUAGES
from kiosk.ui.fonts import register_cjk_font
from kiosk.ui.lockdown import WindowOptions, configure, lock_window
from kiosk.ui.renderer import KivyRenderer
from kiosk.ui.shell import KioskShell

log = logging.getLogger(__name__)


class KioskApp(App):  # type: ignore[misc]
    """The touch-screen app; the coordinator drives it through `shell` and `renderer`.

    Wiring, from `kiosk run`::

        app = KioskApp(
            options=WindowOptions(),                 # or WindowOptions.development()
            on_call_staff=notify_staff,              # 人工服务 tapped
            on_language=lambda lang: ...,            # set Session.language, re-ask the prompt
            on_look=lambda elder, contrast: ...,     # store the resident's preferences
            on_activity=lambda: session.touch(),     # every tap extends the session
        )
        ui = asyncio.create_task(app.async_run(async_lib="asyncio"))
        app.shell.show_attract(AttractInfo({"zh_CN": "幸福里社区服务站"}), on_start=begin)
        app.shell.show_catalogue(categories, services, on_choose=start_flow, on_cancel=end)
        app.shell.watch_deadline(lambda: session.deadline - clock.now(), session.touch)
        answer = await app.renderer.ask(prompt)      # the engine's touch Renderer
        app.shell.reset()                            # session over: wipe and go back to attract

    `shell` and `renderer` exist as soon as the app is built (`build()` runs at start).
    """

    title = "Community kiosk"

    def __init__(
        self,
        *,
        options: WindowOptions | None = None,
        font: Path | None = None,
        language: str = LANGUAGES[0],
        on_call_staff: Callable[[], None] | None = None,
        on_language: Callable[[str], None] | None = None,
        on_look: Callable[[bool, bool], None] | None = None,
        on_activity: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        # not `self.options`: Kivy's App.__init__ overwrites that with its keyword arguments
        self.window_options = options or WindowOptions()
        configure(self.window_options)
        super().__init__(**kwargs)
        self.font_path = register_cjk_font(font)
        self._shell_args: dict[str, Any] = {
            "language": language,
            "on_call_staff": on_call_staff,
            "on_language": on_language,
            "on_look": on_look,
            "on_activity": on_activity,
        }
        self.shell: KioskShell | None = None
        self.renderer: KivyRenderer | None = None

    def build(self) -> KioskShell:
        """Create the shell and the renderer and lock the window."""
        from kivy.core.window import Window

        lock_window(Window, self.window_options)
        self.shell = KioskShell(**self._shell_args)
        self.renderer = KivyRenderer(self.shell)
        return self.shell
