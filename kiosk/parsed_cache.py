"""A YAML file's content remembered, parsed, as JSON in the user's cache folder
(`$XDG_CACHE_HOME/kiosk/`, or `~/.cache/kiosk/`), with the file's path, size and modification
time: reading that JSON again costs well under a millisecond where parsing the YAML costs tens.
A changed file, or an unreadable or unwritable cache, means the YAML is simply parsed again."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def cache_folder() -> Path:
    """Where the kiosk remembers what it parsed, between starts."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kiosk"


def parsed_yaml(path: Path, name: str) -> Any:
    """The content of the YAML file `path`, from the cache file `name` when it is the same."""
    cache = cache_folder() / name
    try:
        stat = path.stat()
        identity = [str(path.resolve()), stat.st_size, stat.st_mtime_ns]
    except OSError:
        identity = None
    if identity is not None:
        try:
            kept = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = None
        if isinstance(kept, dict) and kept.get("file") == identity and "content" in kept:
            return kept["content"]
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    content = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    if identity is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            partial = cache.with_name(f"{cache.name}.{os.getpid()}")
            partial.write_text(json.dumps({"file": identity, "content": content}), "utf-8")
            partial.replace(cache)
        except (OSError, TypeError, ValueError) as exc:  # not JSON, or a read-only home
            log.debug("cannot remember %s: %s", path, exc)
    return content
