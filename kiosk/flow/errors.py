"""The one shape of a failure the kiosk can explain: a stable error key plus a detail for staff."""

from __future__ import annotations


class KeyedError(Exception):
    """A failure named by a stable key (`errors.<key>` in `locales/`); `detail` is for logs only."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail
