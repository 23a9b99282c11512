"""The demo courier back office's routes, plugged into the demo back office: courier sign-in,
recipients' consent to locker delivery, pickup notices, parcel records and the fee stand-in."""

from __future__ import annotations

from typing import Any

COURIERS: dict[str, tuple[str, str]] = {
    "880001": ("C0001", "顺丰速运"),
    "880002": ("C0002", "中通快递"),
}
"""Demo courier codes: code → (courier id, company)."""

NO_CONSENT_SUFFIX = "0000"
"""Recipients whose phone ends in this have not agreed to locker delivery."""


def post(path: str, body: dict[str, Any], number: Any) -> tuple[int, Any] | None:
    """The reply to a courier route (status, body), or None when `path` is not one.

    `number(series)` gives the next number of a series (the demo ledger's).
    """
    if path == "/couriers/sign-in":
        known = COURIERS.get(str(body.get("code", "")))
        if known is None:
            return 403, {"error": "unknown_courier"}
        return 200, {"courier": known[0], "company": known[1]}
    if path == "/couriers/consent":
        phone = str(body.get("phone", ""))
        if not phone.isdigit():
            return 422, {"error": "missing_phone"}
        return 200, {"consent": not phone.endswith(NO_CONSENT_SUFFIX)}
    if path == "/locker/notifications":
        if not str(body.get("code", "")).isdigit():
            return 422, {"error": "missing_code"}
        return 201, {"notice": f"N{number('locker_notices'):05d}"}
    if path == "/locker/records":
        return 201, {"record": f"R{number('locker_records'):05d}"}
    if path == "/locker/payments":  # kept for kiosks of an older flow
        amount = body.get("amount")
        if not isinstance(amount, int) or amount < 0:
            return 422, {"error": "bad_amount"}
        return 200, {"paid": True, "amount": amount, "order": f"PAY{number('payments'):05d}"}
    return None
