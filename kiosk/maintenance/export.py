"""Journal export with a hash chain, and its check (`kiosk journal verify FILE`).

The export is JSON Lines: a header, one line per journal entry, and an end line. Each line
carries `prev` (the hash of the line before; the header's is `genesis`) and `hash`, the SHA-256
of `prev` and the line's canonical JSON without its `hash`, written in lower-case base32 (52
characters: unlike hex, never a run of digits that a scan for ID or phone numbers would flag,
or that the journal's scrubbing would mask when the kiosk journals the head). Changing,
removing, reordering or adding a line, or cutting the file short, breaks the chain or the end
line's count and head.
The kiosk journals every export with its head hash, so a chain rewritten from scratch can be
told from the one the kiosk wrote (`kiosk journal verify FILE --config kiosk.toml`).
Entries are scrubbed of ID and phone numbers once more on the way out.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.privacy.masking import scrub
from kiosk.storage.journal import JournalEntry, scrub_value

FORMAT = "kiosk-journal-export/1"
GENESIS = "genesis"


def _canonical(line: dict[str, Any]) -> bytes:
    body = {k: v for k, v in line.items() if k != "hash"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def line_hash(prev: str, line: dict[str, Any]) -> str:
    """The chain hash of `line` after `prev`: SHA-256 in lower-case base32, unpadded."""
    digest = hashlib.sha256(prev.encode() + b"\n" + _canonical(line)).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def _sealed(line: dict[str, Any], prev: str) -> dict[str, Any]:
    line = {**line, "prev": prev}
    line["hash"] = line_hash(prev, line)
    return line


@dataclass(frozen=True)
class Exported:
    """A written export: where, how many entries, and the chain's head."""

    path: Path
    count: int
    head: str


def export_lines(
    entries: Iterable[JournalEntry], *, terminal: str, label: str, exported_at: float
) -> tuple[list[str], int, str]:
    """The export's lines (each ending in a newline), the entry count and the head hash."""
    header = _sealed(
        {"format": FORMAT, "terminal": scrub(terminal), "label": label, "exported_at": exported_at},
        GENESIS,
    )
    lines = [header]
    prev = header["hash"]
    count = 0
    for entry in entries:
        line = _sealed(
            {
                "id": entry.id,
                "time": entry.time,
                "terminal": scrub(entry.terminal),
                "session": scrub(entry.session),
                "flow": scrub(entry.flow),
                "step": scrub(entry.step),
                "event": scrub(entry.event),
                "detail": scrub_value(entry.detail),
            },
            prev,
        )
        lines.append(line)
        prev = line["hash"]
        count += 1
    end = _sealed({"end": True, "count": count}, prev)
    lines.append(end)
    text = [json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n" for line in lines]
    return text, count, end["hash"]


def write_export(
    folder: Path,
    entries: Iterable[JournalEntry],
    *,
    terminal: str,
    label: str,
    exported_at: float,
) -> Exported:
    """Write the export into `folder` (a USB stick's mount point) atomically and durably."""
    lines, count, head = export_lines(
        entries, terminal=terminal, label=label, exported_at=exported_at
    )
    folder.mkdir(parents=True, exist_ok=True)
    name = f"journal-{_safe(terminal)}-{_safe(label)}-{head[:8]}.jsonl"
    target = folder / name
    partial = folder / f".{name}.partial"
    with open(partial, "w", encoding="utf-8") as out:
        out.writelines(lines)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)
    _sync_dir(folder)
    return Exported(target, count, head)


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: whether the chain holds, and if not the first broken line."""

    ok: bool
    count: int = 0
    head: str = ""
    problem: str = ""
    line: int = 0


def verify(path: Path) -> Verdict:
    """Check an export's chain, line by line, and its end line."""
    try:
        raw = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return Verdict(False, problem=f"cannot read: {exc}")
    prev = GENESIS
    count = 0
    ended = False
    for number, text in enumerate(raw, start=1):
        if ended:
            return Verdict(False, problem="lines after the end line", line=number)
        try:
            line = json.loads(text)
        except ValueError:
            return Verdict(False, problem="not JSON", line=number)
        if not isinstance(line, dict):
            return Verdict(False, problem="not an object", line=number)
        if number == 1 and line.get("format") != FORMAT:
            return Verdict(False, problem=f"not a {FORMAT} file", line=number)
        if line.get("prev") != prev:
            return Verdict(False, problem="chain broken: a line is missing or moved", line=number)
        expected = line_hash(prev, line)
        if line.get("hash") != expected:
            return Verdict(False, problem="line changed: its hash does not match", line=number)
        prev = expected
        if line.get("end") is True:
            ended = True
            if line.get("count") != count:
                return Verdict(False, problem="entry count does not match", line=number)
        elif number > 1:
            count += 1
    if not ended:
        return Verdict(False, problem="no end line: the file was cut short", line=len(raw))
    return Verdict(True, count, prev)


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)[:40]


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
