"""Why a rollout is where it is, kept as a message key and its numbers, so the console says it
in the administrator's language (`fleet.why.<key>` in locales/*/fleet.yaml)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kiosk.i18n import t


def why(key: str, **params: Any) -> str:
    """A reason to store: the key and its parameters as JSON text."""
    return json.dumps({"why": key, **params}, ensure_ascii=False, sort_keys=True)


def describe(reason: str, lang: str = "en", titles: Mapping[str, str] | None = None) -> str:
    """A stored reason in words (text stored before reasons had keys is shown as it is); a flow
    it names by its title in `titles` (by flow id), its id beside it."""
    if not reason.startswith("{"):
        return reason
    try:
        params = json.loads(reason)
        key = params.pop("why")
    except (ValueError, KeyError, AttributeError):
        return reason
    if key == "failure_rate" and params.get("flow"):
        key = "flow_failure_rate"
        title = (titles or {}).get(str(params["flow"]))
        if title:
            params["flow"] = t("fleet.why.flow_named", lang, title=title, flow=params["flow"])
    return t(f"fleet.why.{key}", lang, **params)
