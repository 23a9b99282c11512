"""Operating-system error texts ("Connection refused") said in the language on screen.

The system's texts are the C library's `strerror`, always English: each common errno with a
phrase in `locales/*/os_error.yaml` is replaced by that phrase wherever its text appears in a
message; any other text is shown as the system gave it.
"""

from __future__ import annotations

import errno
import functools
import os

from kiosk.i18n import catalog

ALSO = {"TimeoutError": "ETIMEDOUT", "timed out": "ETIMEDOUT"}
"""Texts Python gives for some errors without an errno (a socket's timeout), by errno name."""


@functools.cache
def _system_texts() -> dict[str, str]:
    """The system's text of each catalogued errno, by errno name (longest texts first)."""
    keys = catalog().texts["zh_CN"]
    names = [key.split(".", 1)[1] for key in keys if key.startswith("os_error.")]
    texts = {os.strerror(getattr(errno, n)): n for n in names if hasattr(errno, n)}
    return dict(sorted(texts.items(), key=lambda item: -len(item[0])))


def os_error_words(text: str, lang: str) -> str:
    """`text` (an OS error's text, or a message holding one) with the error said in `lang`."""
    if text in ALSO:
        return catalog().get(f"os_error.{ALSO[text]}", lang)
    for system, name in _system_texts().items():
        if system in text:
            return text.replace(system, catalog().get(f"os_error.{name}", lang))
    return text
