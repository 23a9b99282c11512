"""Template facts kept between processes (`kept_files`, `$XDG_CACHE_HOME/kiosk/template-facts/`):
what Jinja's parser made of the sources `template_facts` cannot read on its own, so a run or a
check parses none of the templates it has parsed before (~0.3 ms each). The files are named by
the source and a fingerprint of the modules that decide its facts (the readers, the sandbox's
filters and tests, the budget) and of the installed Jinja.
"""

from __future__ import annotations

import logging

import msgspec

from kiosk.flow.kept_files import KeptFiles
from kiosk.flow.template_facts import TemplateFacts

__all__ = ["KEPT", "keep", "kept"]

log = logging.getLogger(__name__)

KEPT = KeptFiles(
    "template-facts",
    (
        "template_facts.py",
        "template_reading.py",
        "template_budget.py",
        "expressions.py",
        "sandbox_names.py",
        "dates.py",
        "kept_facts.py",
    ),
    "jinja2",
)
"""The kept facts."""


def _key(source: str, expression: bool) -> str:
    return ("expression:" if expression else "template:") + source


def kept(source: str, expression: bool) -> TemplateFacts | None:
    """The facts kept of a source, or None."""
    raw = KEPT.read(_key(source, expression))
    if raw is None:
        return None
    try:
        error, names, paths, reshaped = msgspec.msgpack.decode(raw)
        return TemplateFacts(
            error if error is None else str(error),
            frozenset(map(str, names)),
            frozenset(tuple(map(str, path)) for path in paths),
            frozenset(map(str, reshaped)),
        )
    except (msgspec.DecodeError, TypeError, ValueError) as exc:  # damaged: parsed again
        log.debug("kept template facts unreadable: %s", exc)
        return None


def keep(source: str, expression: bool, facts: TemplateFacts) -> None:
    """Keep the facts of a source."""
    if not KEPT.room():
        return
    content = [facts.error, sorted(facts.names), sorted(facts.paths), sorted(facts.reshaped)]
    KEPT.write(_key(source, expression), msgspec.msgpack.encode(content))
