"""The languages of flow texts: the kiosk's one table (`kiosk.languages`), named here for flows."""

from __future__ import annotations

# Re-exported: flow authors, the schema and the renderers look for the languages here.
from kiosk.languages import LANGUAGES as LANGUAGES
