"""UI translations from `locales/<lang>/<domain>.yaml` (flat `domain.key: text` maps).

Importing PyYAML and parsing every file costs about ten milliseconds on the kiosk's way to its
first frame, so the shipped catalogue is remembered, parsed, in `$XDG_CACHE_HOME/kiosk/` (or
`~/.cache/kiosk/`) together with the path, size and modification time of every file it was read
from; a start whose files are the same reads that JSON instead (a changed, added or removed
file, or an unreadable cache, means the YAML is read again). A first start reads the copy
built at install instead when it matches (`kiosk.ui.install_cache`).

Counts. An English text writes a counted noun "{count} parcel(s)": it is shown and said "1
parcel", "2 parcels" (`kiosk.languages.counted`). A text whose other words change with a count
gives its forms by plural category, chosen by its `count` parameter (Chinese gives one text):

    take_and_close_pickup:
      one: Please take your parcel and close the door.
      other: Please take your parcels and close the doors.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk.languages import LANGUAGES, PLURAL_FORMS, counted, plural

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LANGUAGE = LANGUAGES[0]
FORM = "#"
"""Between a text's key and a plural form other than "other" (`locker.refuse#one`)."""
INSTALLED_CACHE = LOCALES_DIR.parent / "build" / "cache" / "kiosk" / "i18n.json"
"""The catalogue parsed at install (`python -m kiosk.ui.install_cache`, run by setup.sh)."""


def cache_file() -> Path:
    """Where the shipped catalogue is remembered, parsed, between starts."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kiosk" / "i18n.json"


class Catalog:
    """All translations of all languages, keyed `domain.key` (the file name is the domain).

    With `cache`, the parsed texts are read from and written to that JSON file (see above);
    `seed` is a read-only file of the same form tried when `cache` does not match (the one built
    at install, `kiosk.ui.install_cache`).
    """

    def __init__(
        self, root: Path = LOCALES_DIR, cache: Path | None = None, seed: Path | None = None
    ) -> None:
        self.root = root
        self.overrides: Mapping[str, Mapping[str, str]] = {}
        """Texts a flow bundle replaces (`locales/` in the bundle), by language and key."""
        files = {lang: sorted((root / lang).glob("*.yaml")) for lang in LANGUAGES}
        identity = _identity(files) if cache is not None else None
        cached = _read_cache(cache, identity) if cache is not None else None
        if cached is None and seed is not None and cache is not None:
            cached = _read_cache(seed, identity)
        if cached is not None:
            self.texts = cached
            return
        self.texts = {lang: _read_language(paths) for lang, paths in files.items()}
        if cache is not None:
            _write_cache(cache, identity, self.texts)

    def get(self, key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
        """The text for `key` in `lang` (falling back to the default language, then the key);
        with a `count`, its form for that count where it has forms (see above)."""
        form = None
        if "count" in params and plural(params["count"], lang) != "other":
            form = f"{key}{FORM}{plural(params['count'], lang)}"
        text = None
        for texts in (self.overrides.get(lang, {}), self.texts.get(lang, {})):  # a bundle's first
            text = (texts.get(form) if form else None) or texts.get(key)
            if text:
                break
        if text is None:
            text = self.overrides.get(DEFAULT_LANGUAGE, {}).get(key)
            text = text or self.texts[DEFAULT_LANGUAGE].get(key)
            if text is None:
                log.warning("missing translation %s", key)
                return key
        try:
            return counted(text.format(**params) if params else text, lang)
        except (KeyError, IndexError, ValueError):
            log.warning("translation %s/%s has bad placeholders", lang, key)
            return text

    def has(self, key: str) -> bool:
        """Whether any language defines `key`."""
        return any(key in texts for texts in self.texts.values())

    def missing(self) -> dict[str, list[str]]:
        """Keys each language lacks that another language has."""
        every = set().union(*({k for k in t if FORM not in k} for t in self.texts.values()))
        return {lang: sorted(every - set(texts)) for lang, texts in self.texts.items()}


def _read_language(paths: list[Path]) -> dict[str, str]:
    import yaml

    # libyaml's loader when PyYAML was built with it: ten times faster than the pure one.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    merged: dict[str, str] = {}
    for path in paths:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        if not isinstance(data, Mapping):
            raise ValueError(f"{path}: expected a mapping of keys to texts")
        merged.update(_flatten(data, path.stem))
    return merged


def _identity(files: Mapping[str, list[Path]]) -> list[Any] | None:
    try:
        return [
            [lang, str(path.resolve()), (stat := path.stat()).st_size, stat.st_mtime_ns]
            for lang, paths in files.items()
            for path in paths
        ]
    except OSError:
        return None


def _read_cache(cache: Path, identity: list[Any] | None) -> dict[str, dict[str, str]] | None:
    if identity is None:
        return None
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("files") != identity:
        return None
    texts = data.get("texts")
    if not isinstance(texts, dict) or set(texts) != set(LANGUAGES):
        return None
    for lang_texts in texts.values():
        if not isinstance(lang_texts, dict) or not all(
            isinstance(v, str) for v in lang_texts.values()
        ):
            return None
    return texts


def _write_cache(cache: Path, identity: list[Any] | None, texts: dict[str, dict[str, str]]) -> None:
    if identity is None:
        return
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}")
        data = {"files": identity, "texts": texts}
        partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        partial.replace(cache)
    except OSError as exc:  # a read-only home: the YAML is simply read again next time
        log.debug("cannot remember the translations: %s", exc)


def _flatten(data: Mapping[str, object], prefix: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        full = f"{prefix}.{key}"
        if isinstance(value, Mapping) and set(value) == set(PLURAL_FORMS):  # a text's forms
            out[full] = str(value["other"])
            out.update((f"{full}{FORM}{form}", str(value[form])) for form in PLURAL_FORMS[:-1])
        elif isinstance(value, Mapping):
            out.update(_flatten(value, full))
        else:
            out[full] = str(value)
    return out


@functools.cache
def catalog() -> Catalog:
    """The shipped catalogue, loaded once (from the cache of an earlier start if unchanged)."""
    return Catalog(cache=cache_file(), seed=INSTALLED_CACHE)


def use_overrides(root: Path | None) -> None:
    """Replace shipped texts with those under `root` (a bundle's `locales/`); None: none."""
    catalog().overrides = Catalog(root).texts if root is not None and root.is_dir() else {}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """Translate `key` into `lang` with `str.format` parameters."""
    return catalog().get(key, lang, **params)
