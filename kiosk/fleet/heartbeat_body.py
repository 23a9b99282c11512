"""The heartbeat body a kiosk sends (kiosk/heartbeat/report.py builds it), decoded and checked
in one pass by msgspec: unknown fields, personal-looking text and out-of-range numbers refused."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

_CODE = r"^[A-Za-z0-9._-]*$"
Code = Annotated[str, msgspec.Meta(max_length=64, pattern=_CODE)]
"""A name or code: letters, digits, `.`, `_` and `-` only, so no free text can come in."""
Whole = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
"""A count or number the database keeps as a 32-bit integer."""
Count = Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class FlowCounts(msgspec.Struct, forbid_unknown_fields=True):
    """Sessions and failures of one flow since the last heartbeat."""

    sessions: Count
    failures: Count


class DeviceState(msgspec.Struct, forbid_unknown_fields=True):
    """One device's state and fault code."""

    state: Code
    code: Code = ""


class HeartbeatBody(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What a kiosk reports; nothing personal fits in it."""

    schema: Annotated[int, msgspec.Meta(ge=1, le=1)]
    terminal: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=_CODE)]
    sequence: Whole
    sent_at: float
    mode: Code
    group: Code
    kiosk_version: Code
    bundle: Whole | None = None
    update_state: Code = ""
    devices: Annotated[dict[Code, DeviceState], msgspec.Meta(max_length=32)] = {}
    faults: Annotated[list[Code], msgspec.Meta(max_length=32)] = []
    paper: Code = "unknown"
    outbox_backlog: Whole
    rollbacks: Whole = 0
    flows: Annotated[dict[Code, FlowCounts], msgspec.Meta(max_length=200)] = {}


class NotThisKiosk(Exception):
    """The token is unknown, or belongs to another terminal than the body names."""


def answer_retry(known: Any, body: HeartbeatBody) -> dict[str, Any]:
    """The reply to a heartbeat that was not counted, from what the database knows of its
    token (`terminal, sequence`, or None): a sequence number counted before is answered,
    a token that is not the terminal's raises `NotThisKiosk`."""
    if known is None or known[0] != body.terminal:
        raise NotThisKiosk(body.terminal)
    return {"terminal": known[0], "sequence": known[1]}


class BadBody(ValueError):
    """The body is not a heartbeat; the message says what is wrong."""


_DECODER = msgspec.json.Decoder(HeartbeatBody)


def decode(data: bytes) -> HeartbeatBody:
    """The heartbeat in `data`, checked; `BadBody` if it is not one."""
    try:
        return _DECODER.decode(data)
    except msgspec.ValidationError as exc:
        raise BadBody(str(exc)) from None
    except msgspec.DecodeError as exc:
        raise BadBody(f"not JSON: {exc}") from None
