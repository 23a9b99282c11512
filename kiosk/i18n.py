"""UI translations from `locales/<lang>/<domain>.yaml` (flat `domain.key: text` maps)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from pathlib import Path

import yaml

from kiosk.flow.languages import LANGUAGES

log = logging.getLogger(__name__)

# libyaml's loader when PyYAML was built with it: ten times faster on the start-up path.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LANGUAGE = LANGUAGES[0]


class Catalog:
    """All translations of all languages, keyed `domain.key` (the file name is the domain)."""

    def __init__(self, root: Path = LOCALES_DIR) -> None:
        self.root = root
        self.texts: dict[str, dict[str, str]] = {}
        for lang in LANGUAGES:
            merged: dict[str, str] = {}
            for path in sorted((root / lang).glob("*.yaml")):
                data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
                if not isinstance(data, Mapping):
                    raise ValueError(f"{path}: expected a mapping of keys to texts")
                for key, text in _flatten(data, path.stem).items():
                    merged[key] = text
            self.texts[lang] = merged

    def get(self, key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
        """The text for `key` in `lang` (falling back to the default language, then the key)."""
        text = self.texts.get(lang, {}).get(key)
        if text is None:
            text = self.texts[DEFAULT_LANGUAGE].get(key)
            if text is None:
                log.warning("missing translation %s", key)
                return key
        try:
            return text.format(**params) if params else text
        except (KeyError, IndexError, ValueError):
            log.warning("translation %s/%s has bad placeholders", lang, key)
            return text

    def has(self, key: str) -> bool:
        """Whether any language defines `key`."""
        return any(key in texts for texts in self.texts.values())

    def missing(self) -> dict[str, list[str]]:
        """Keys each language lacks that another language has."""
        every = set().union(*(set(t) for t in self.texts.values()))
        return {lang: sorted(every - set(texts)) for lang, texts in self.texts.items()}


def _flatten(data: Mapping[str, object], prefix: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        full = f"{prefix}.{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, full))
        else:
            out[full] = str(value)
    return out


@functools.cache
def catalog() -> Catalog:
    """The shipped catalogue, loaded once."""
    return Catalog()


def t(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """Translate `key` into `lang` with `str.format` parameters."""
    return catalog().get(key, lang, **params)
