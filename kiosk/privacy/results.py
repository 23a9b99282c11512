"""Device check results with personal fields masked: `kiosk devices test` and the service menu's
self-tests show the same masked result."""

from __future__ import annotations

from typing import Any

from kiosk.privacy.masking import mask_id, mask_name, mask_text, scrub


def _mask(key: str, value: Any) -> Any:
    if value is None or value == "":
        return value
    if "name" in key:
        return mask_name(value)
    if "birth" in key and "place" not in key:
        return str(value)[:4] + "****"
    if "address" in key:
        return mask_text(value)
    return mask_id(value)


def masked_result(result: dict[str, Any], personal: frozenset[str]) -> dict[str, Any]:
    """The check result with personal fields masked and any stray numbers scrubbed."""
    out: dict[str, Any] = {}
    for key, value in result.items():
        if key in personal:
            out[key] = _mask(key, value)
        elif isinstance(value, str):
            out[key] = scrub(value)
        elif isinstance(value, dict):
            out[key] = masked_result(value, personal)
        else:
            out[key] = value
    return out
