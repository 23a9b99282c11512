"""The row of candidate characters of the pinyin keyboard, with previous/next page keys."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.ui.pinyin_index import Candidate
from kiosk.ui.theme import Look
from kiosk.ui.widgets.button import KioskButton


class CandidateBar(BoxLayout):  # type: ignore[misc]
    """Shows one page of candidates; a tap on one calls `on_pick(candidate)`."""

    def __init__(
        self,
        look: Look,
        lang: str,
        on_pick: Callable[[Candidate], None],
        on_page: Callable[[int], None],
        per_page: int,
        **kwargs: Any,
    ) -> None:
        scale = look.scale
        super().__init__(
            orientation="horizontal",
            spacing=dp(scale.spacing),
            size_hint_y=None,
            height=dp(max(scale.target, 64)),
            **kwargs,
        )
        self.look, self.lang, self.per_page = look, lang, per_page
        self._on_pick, self._on_page = on_pick, on_page
        self.slots: list[KioskButton] = []
        self.previous = KioskButton(
            look,
            t("ui.keypad.previous", lang),
            lambda: on_page(-1),
            kiosk_id="cand.previous",
            font_size=scale.body,
            fit=True,  # "Previous" in English on a key as narrow as a character's
        )
        self.next = KioskButton(
            look,
            t("ui.keypad.next", lang),
            lambda: on_page(1),
            kiosk_id="cand.next",
            font_size=scale.body,
            fit=True,  # "Previous" in English on a key as narrow as a character's
        )
        self.add_widget(self.previous)
        self._shown: list[Candidate] = []
        for i in range(per_page):
            slot = KioskButton(
                look,
                "",
                partial(self._pick, i),
                role="primary",
                kiosk_id=f"cand.{i}",
                font_size=scale.keypad,
            )
            self.slots.append(slot)
            self.add_widget(slot)
        self.add_widget(self.next)

    def _pick(self, i: int) -> None:
        if i < len(self._shown):
            self._on_pick(self._shown[i])

    def show(self, candidates: Sequence[Candidate], page: int) -> None:
        """Show page `page` of `candidates` (empty slots are hidden and disabled)."""
        start = page * self.per_page
        self._shown = list(candidates[start : start + self.per_page])
        for i, slot in enumerate(self.slots):
            empty = i >= len(self._shown)
            slot.text = "" if empty else self._shown[i].text
            # always visible, before typing too: an empty slot is drawn inactive (never a blank
            # button that looks tappable), so residents see where the characters will appear
            slot.disabled = empty
        self.previous.disabled = page <= 0
        self.next.disabled = start + self.per_page >= len(candidates)
