"""Compiled templates and conditions kept between processes (Jinja2's `FileSystemBytecodeCache`).

Compiling a template (Jinja's lexer, parser, code generator and Python's `compile`) costs ~0.5 ms;
a `kiosk flows run` or a kiosk start compiles the same few dozen every time. The code Jinja makes
is kept in `$XDG_CACHE_HOME/kiosk/templates/` (or `~/.cache/kiosk/`), one file per source, as
Jinja's own bytecode cache keeps it: checked against the source, Jinja's version and Python's
bytecode magic on loading. The sandbox is not in the code but in the environment it runs in (every
attribute, call and operator goes through it), so a template loaded from the cache is refused the
same things; the code does depend on the kiosk's code generator, so each file's name starts with
a fingerprint of the modules that make it (`expressions.py`, `template_budget.py`). Only sources
that compiled are kept; a cache that cannot be written is skipped.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from types import CodeType

import jinja2

__all__ = ["code", "folder"]

log = logging.getLogger(__name__)

_MAKERS = ("expressions.py", "template_budget.py")
"""The modules whose code decides what a template compiles to."""


def folder() -> Path:
    """Where compiled templates are kept."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kiosk" / "templates"


def _fingerprint() -> str | None:
    """A digest of the modules that make the code; None when they cannot be read."""
    digest = hashlib.sha1(usedforsecurity=False)
    here = Path(__file__).parent
    try:
        for name in _MAKERS:
            digest.update((here / name).read_bytes())
    except OSError as exc:
        log.debug("compiled templates not kept: %s", exc)
        return None
    return digest.hexdigest()[:16]


@functools.cache
def _cache(base: str | None) -> jinja2.FileSystemBytecodeCache | None:
    """The cache in `folder()` (kept by `$XDG_CACHE_HOME`, which names it)."""
    where, fingerprint = str(folder()), _fingerprint()
    if fingerprint is None:
        return None
    try:
        os.makedirs(where, mode=0o700, exist_ok=True)
    except OSError as exc:
        log.debug("compiled templates not kept: %s", exc)
        return None
    return jinja2.FileSystemBytecodeCache(where, f"{fingerprint}-%s.code")


def code(
    env: jinja2.Environment, kind: str, source: str, compile_: Callable[[], CodeType]
) -> CodeType:
    """The code of `source` (a `kind` of source: its compiler differs), compiled by `compile_`
    the first time any process asks for it."""
    cache = _cache(os.environ.get("XDG_CACHE_HOME"))
    if cache is None:
        return compile_()
    try:
        bucket = cache.get_bucket(env, source, kind, source)
    except (OSError, ValueError, EOFError) as exc:  # unreadable: compiled again below
        log.debug("compiled template unreadable: %s", exc)
        bucket = None
    if bucket is not None and bucket.code is not None:
        return bucket.code
    compiled = compile_()
    if bucket is not None:
        bucket.code = compiled
        try:
            cache.set_bucket(bucket)
        except OSError as exc:
            log.debug("compiled template not kept: %s", exc)
    return compiled
