"""ESC/POS real-time status (`DLE EOT n`): decoding the four reply bytes, and mapping to `Health`.

Each reply is one byte of the form `0xx1xx10` (bits 1 and 4 set, bits 0 and 7 clear); anything
else is not a status byte. Paper near end is tolerated on either of bits 2/3 and paper end on
either of bits 5/6, since models differ in which sensor bits they set.
"""

from __future__ import annotations

import msgspec

from peripherals.errors import ProtocolError
from peripherals.status import Health, State

DLE_EOT = b"\x10\x04"
"""Real-time status request prefix; followed by n = 1..4."""

STATUS_QUERIES = (1, 2, 3, 4)
"""printer, offline cause, error cause, paper sensor."""

_FIXED_MASK = 0b1001_0011
_FIXED_VALUE = 0b0001_0010


def is_status_byte(value: int) -> bool:
    """Whether `value` has the fixed bits every `DLE EOT` reply has."""
    return value & _FIXED_MASK == _FIXED_VALUE


class PrinterStatus(msgspec.Struct, frozen=True):
    """What the printer reported about itself, decoded from `DLE EOT 1..4`."""

    online: bool = True
    cover_open: bool = False
    paper_near_end: bool = False
    paper_out: bool = False
    cutter_error: bool = False
    unrecoverable: bool = False
    auto_recoverable_error: bool = False
    feed_button: bool = False
    raw: tuple[int, ...] = ()

    @property
    def can_print(self) -> bool:
        """Whether a receipt may be sent now."""
        return (
            self.online
            and not self.cover_open
            and not self.paper_out
            and not self.cutter_error
            and not self.unrecoverable
        )

    def as_dict(self) -> dict[str, object]:
        """JSON-able form (for the device check and the service menu)."""
        data = msgspec.structs.asdict(self)
        data["raw"] = [f"0x{b:02x}" for b in self.raw]
        return data


def decode_status(replies: dict[int, int]) -> PrinterStatus:
    """Decode the reply bytes to `DLE EOT n`, keyed by n (any subset of 1..4)."""
    for n, value in replies.items():
        if n not in STATUS_QUERIES:
            raise ValueError(f"DLE EOT {n} is not a status query")
        if not 0 <= value <= 255 or not is_status_byte(value):
            raise ProtocolError(
                f"printer answered DLE EOT {n} with 0x{value:02x}, not a status byte",
                code="printer.bad_status",
            )
    printer = replies.get(1, _FIXED_VALUE)
    cause = replies.get(2, _FIXED_VALUE)
    error = replies.get(3, _FIXED_VALUE)
    paper = replies.get(4, _FIXED_VALUE)
    return PrinterStatus(
        online=not printer & 0x08,
        cover_open=bool(cause & 0x04),
        feed_button=bool(cause & 0x08),
        paper_out=bool(paper & 0x60) or bool(cause & 0x20),
        paper_near_end=bool(paper & 0x0C),
        cutter_error=bool(error & 0x08),
        unrecoverable=bool(error & 0x20),
        auto_recoverable_error=bool(error & 0x40),
        raw=tuple(replies[n] for n in sorted(replies)),
    )


def encode_status(status: PrinterStatus) -> dict[int, int]:
    """The reply bytes a printer in `status` sends to `DLE EOT 1..4` (used by the simulator)."""
    error = status.cutter_error or status.unrecoverable or status.auto_recoverable_error
    offline = not status.can_print or status.auto_recoverable_error
    return {
        1: _FIXED_VALUE | (0x08 if offline else 0),
        2: _FIXED_VALUE
        | (0x04 if status.cover_open else 0)
        | (0x08 if status.feed_button else 0)
        | (0x20 if status.paper_out else 0)
        | (0x40 if error else 0),
        3: _FIXED_VALUE
        | (0x08 if status.cutter_error else 0)
        | (0x20 if status.unrecoverable else 0)
        | (0x40 if status.auto_recoverable_error else 0),
        4: _FIXED_VALUE
        | (0x0C if status.paper_near_end or status.paper_out else 0)
        | (0x60 if status.paper_out else 0),
    }


def health_of(status: PrinterStatus) -> Health:
    """The common health for a printer status, worst problem first."""
    extra: dict[str, object] = {"paper_low": status.paper_near_end}
    if status.unrecoverable:
        return Health(State.HARDWARE_ERROR, "printer.unrecoverable", "unrecoverable error", extra)
    if status.cutter_error:
        return Health(State.HARDWARE_ERROR, "printer.cutter_error", "autocutter error", extra)
    if status.cover_open:
        return Health(State.MEDIA_PROBLEM, "printer.cover_open", "cover open", extra)
    if status.paper_out:
        return Health(State.MEDIA_PROBLEM, "printer.paper_out", "paper out", extra)
    if not status.online:
        return Health(State.OFFLINE, "printer.offline", "printer offline", extra)
    if status.paper_near_end:
        return Health(State.ONLINE, "printer.paper_low", "paper near end", extra)
    return Health(State.ONLINE, "", "", extra)
