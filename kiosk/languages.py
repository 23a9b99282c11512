"""The kiosk's languages: a leaf module, so translations and the flow language share one table."""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
"""Languages every text must carry; the first is the default."""
