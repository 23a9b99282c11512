"""The kiosk's languages, in a module light enough for the start-up path to import."""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
"""Languages every text must carry; the first is the default."""
