"""A journal entry in words for the Journal page: its event named from `locales/*/journal.yaml`,
where it happened (a flow by its title), how it went, and a few of its details as "name: value"
pairs (names translated, values scrubbed). The exported journal keeps the raw entry.

Events are catalogued as `journal.event.<name>`; a family whose last part varies is catalogued
once with `*` in its place (`service.selftest.*`, `error:*`), that part said in words where the
kiosk has words for it. An event the catalogue lacks is shown by its raw name.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.flow.schema import Flow
from kiosk.i18n import catalog
from kiosk.languages import LANGUAGES
from kiosk.maintenance.audit import FLOW as SERVICE_FLOW
from kiosk.maintenance.os_errors import os_error_words
from kiosk.privacy.masking import scrub
from kiosk.storage.journal import JournalEntry

EVENT = "journal.event."
ERRORS = "errors."
"""What a resident was told (`errors.input.invalid_phone`): its first clause is said."""
STEP_CELLS = 32
"""A step's words' length in cells (a Chinese character takes two) before they are cut."""
STATUS_FIELDS = ("status", "outcome")
"""Detail fields said in the entry's title (the first present), not among its pairs."""
BY_WHOM = ("role", "who")
"""Detail fields said last, as their values only (`管理员 pin:NAME`, on every menu entry)."""
SAID_IN_TITLE = ("device", "kind")
"""Detail fields left out when their words are in the title already."""
DETAIL_CELLS = 72
"""The detail line's width in cells (a Chinese character takes two) before it is cut."""
VALUE_CHARS = 24
"""One value's length before it is cut."""

SUBJECTS: dict[str, tuple[str, ...]] = {
    "service.selftest.*": ("service.kind.", "service.selftest."),
    "problem.*": ("service.locker.problem.",),
    "error:*": ("service.outbox.error.", "faults.", ERRORS),
    "refused:*": ("service.outbox.error.", "faults.", ERRORS),
    "invalid:*": (ERRORS,),
}
"""Where the varying part of a family of events is found in words (tried in order)."""

VALUES: dict[str, tuple[str, ...]] = {
    "status": ("journal.outcome.",),
    "outcome": ("journal.outcome.",),
    "role": ("service.role.",),
    "language": ("service.language.",),
    "device": ("service.kind.",),
    "kind": ("service.kind.", "service.locker.problem."),
    "code": ("faults.",),
    "error": ("service.outbox.error.", "faults."),
    "method": ("journal.method.",),
    "how": ("journal.method.",),
    "screen": ("journal.screen.",),
    "where": ("journal.screen.",),
    "setting": ("service.settings.",),
    "state": ("service.locker.state.", "service.bundle.state."),
    "reason": (
        "service.locker.reason.",
        "service.locker.resolve_reason.",
        "service.locker.waive_reason.",
        "service.outbox.reason.",
        "service.bundle.reason.",
    ),
    "waive_reason": ("service.locker.waive_reason.",),
}
"""Where a detail field's value is found in words (tried in order); other values as they are."""


def event_key(event: str) -> tuple[str, str]:
    """The catalogue name of `event` and its varying part: `service.selftest.printer` →
    (`service.selftest.*`, `printer`), `error:backend.timeout` → (`error:*`, `backend.timeout`)."""
    texts = catalog()
    if texts.has(EVENT + event):
        return event, ""
    if ":" in event:
        family, part = event.split(":", 1)
        return f"{family}:*", part
    if "." in event:
        family, part = event.rsplit(".", 1)
        return f"{family}.*", part
    return event, ""


def known(event: str) -> bool:
    """Whether `event` (or its family) has a title in every language."""
    name, _ = event_key(event)
    texts = catalog().texts
    return all(EVENT + name in texts[lang] for lang in LANGUAGES)


def _words(key: str, lang: str) -> str | None:
    texts = catalog()
    return texts.get(key, lang) if texts.has(key) else None


def _first(prefixes: tuple[str, ...], name: str, lang: str) -> str | None:
    for prefix in prefixes:
        words = _words(prefix + name, lang)
        if words is not None:
            return _clause(words) if prefix == ERRORS else words
    return None


_CLAUSE_END = re.compile(r"[，。？！；：,;:?!]|\.(?:\s|$)|\{[{%#]")
"""Where a sentence's first clause ends (a template's first tag ends it too)."""


def _clause(text: str) -> str:
    """The first clause of a sentence: `手机号码应为以1开头的11位数字，请重新输入。` → its
    first part."""
    return _CLAUSE_END.split(text, maxsplit=1)[0].strip()


def _cut_cells(text: str, cells: int) -> str:
    """`text` cut to `cells` cells (then `…`)."""
    if _cells(text) <= cells:
        return text
    while _cells(text) > cells - 1:
        text = text[:-1]
    return text + "…"


def step_words(flows: Iterable[Flow], lang: str) -> dict[tuple[str, str], str]:
    """Each step of `flows` in words in `lang`, by (flow id, step id): the first clause of its
    title or screen text, else (none, or only a template's start: `您有 {{ n }} 件`) what kind
    of step it is, else its id."""
    words: dict[tuple[str, str], str] = {}
    for flow in flows:
        for step in flow.steps:
            text = step.title or step.text
            said: str | None = None
            if text is not None:
                first = _CLAUSE_END.search(text.get(lang))
                if first is None or not first.group().startswith("{"):
                    said = _clause(text.get(lang)) or None
            if said is None:
                kind = step.__struct_config__.tag
                said = _words(f"journal.step_kind.{kind}", lang) if isinstance(kind, str) else None
            words[(flow.id, step.id)] = _cut_cells(said, STEP_CELLS) if said else step.id
    return words


def event_words(event: str, lang: str) -> str:
    """The event's title in `lang` (a family's with its varying part), else its raw name."""
    name, part = event_key(event)
    title = _words(EVENT + name, lang)
    if title is None:
        return scrub(event)
    if not part:
        return title
    said = _first(SUBJECTS.get(name, ()), part, lang) or scrub(part)
    return catalog().get("journal.pair", lang, name=title, value=said)


def value_words(field: str, value: Any, lang: str) -> str:
    """A detail value as shown: in words where the kiosk has them, else scrubbed and short."""
    if isinstance(value, bool):
        return catalog().get(f"service.detail.{'yes' if value else 'no'}", lang)
    if isinstance(value, list | tuple):
        return ", ".join(value_words(field, item, lang) for item in value)
    text = str(value)
    said = _first(VALUES.get(field, ()), text, lang) if text else None
    if said is not None:
        return said
    text = scrub(os_error_words(text, lang) if field == "error" else text)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@dataclass(frozen=True)
class EntryWords:
    """One entry as the Journal page shows it."""

    time: str
    title: str
    """The event, where it happened and how it went: `办理结束 · 诉求反映 › done · 已完成`."""
    detail: str
    """A few "name: value" pairs of its detail, cut to the page's width."""

    def row(self) -> tuple[str, str]:
        """The page row: the time, then the title over the detail."""
        return self.time, f"{self.title}\n{self.detail}" if self.detail else self.title


def _where(
    entry: JournalEntry,
    lang: str,
    flows: Mapping[str, str],
    steps: Mapping[tuple[str, str], str],
) -> str:
    """Where an entry happened: a flow by its title and its step, the locker and a compartment,
    a page of the service menu (only for `service.open`: its other events name what was done)."""
    if entry.flow == SERVICE_FLOW:
        if entry.event != "service.open" and known(entry.event):
            return ""
        return _first(("service.page.", "journal.where."), entry.step, lang) or scrub(entry.step)
    if not entry.flow:
        return ""
    title = flows.get(entry.flow) or _words(f"journal.where.{entry.flow}", lang)
    if entry.flow == "locker":  # the locker's own entries: the step is a compartment or who
        place = _words(f"journal.where.{entry.step}", lang) or scrub(entry.step)
        return " ".join(p for p in (title or "", place) if p)
    step = steps.get((entry.flow, entry.step)) or scrub(entry.step)
    return " › ".join(p for p in (title or scrub(entry.flow), step) if p)


def entry_words(
    entry: JournalEntry,
    lang: str,
    flows: Mapping[str, str],
    steps: Mapping[tuple[str, str], str] | None = None,
) -> EntryWords:
    """`entry` in words in `lang`; `flows`: the titles of the flows the kiosk knows, by id;
    `steps`: their steps in words (`step_words`)."""
    when = dt.datetime.fromtimestamp(entry.time).strftime("%H:%M:%S")
    separator = catalog().get("journal.separator", lang)
    detail = dict(entry.detail)
    status = next((f for f in STATUS_FIELDS if detail.get(f) not in (None, "")), None)
    how = value_words(status, detail.pop(status), lang) if status else ""
    parts = (event_words(entry.event, lang), _where(entry, lang, flows, steps or {}), how)
    title = separator.join(p for p in parts if p)
    pairs: list[str] = []
    for field, value in detail.items():
        if field in BY_WHOM or value in (None, "", [], {}):
            continue
        said = value_words(field, value, lang)
        if field in SAID_IN_TITLE and said in title:  # a self-test's device
            continue
        name = _words(f"journal.field.{field}", lang) or scrub(field)
        pairs.append(catalog().get("journal.pair", lang, name=name, value=said))
    by_whom = " ".join(value_words(f, detail[f], lang) for f in BY_WHOM if detail.get(f))
    return EntryWords(when, title, _cut([*pairs, by_whom] if by_whom else pairs, separator))


def _cut(pairs: list[str], separator: str) -> str:
    """The pairs joined, as many as fit `DETAIL_CELLS` (then `…`)."""
    shown = ""
    for pair in pairs:
        joined = f"{shown}{separator}{pair}" if shown else pair
        if _cells(joined) > DETAIL_CELLS:
            return f"{shown}{separator}…" if shown else pair[: DETAIL_CELLS // 2] + "…"
        shown = joined
    return shown
