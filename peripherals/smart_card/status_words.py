"""ISO 7816-4 status words: which mean "the card refuses this", and the errors for the rest."""

from __future__ import annotations

from peripherals.errors import DeviceFault, MediaError, PeripheralError, ProtocolError

OK = 0x9000
"""Normal completion."""

REFUSED = frozenset({0x6982, 0x6983, 0x6985, 0x6986, 0x6A82, 0x6A83, 0x6A88})
"""Answers meaning the card will not give this record (not there, or needs authentication)."""

_MEANINGS = {
    0x6700: "wrong length",
    0x6982: "security status not satisfied",
    0x6983: "authentication method blocked",
    0x6985: "conditions of use not satisfied",
    0x6986: "command not allowed",
    0x6A81: "function not supported",
    0x6A82: "file or application not found",
    0x6A83: "record not found",
    0x6A86: "incorrect P1 P2",
    0x6A88: "referenced data not found",
    0x6D00: "instruction not supported",
    0x6E00: "class not supported",
    0x6F00: "no precise diagnosis",
}


def describe(sw: int) -> str:
    """`SW 6A82 (file or application not found)`: the status word and its meaning."""
    meaning = _MEANINGS.get(sw)
    if meaning is None and sw >> 8 == 0x6C:
        meaning = f"wrong Le, {sw & 0xFF} bytes available"
    return f"SW {sw:04X}" + (f" ({meaning})" if meaning else "")


def sw_error(sw: int, doing: str) -> PeripheralError:
    """The error for an unexpected status word while `doing` something; codes are stable."""
    message = f"card answered {describe(sw)} to {doing}"
    if sw in (0x6982, 0x6983, 0x6985, 0x6986):
        return MediaError(message, code="smart_card.access_denied")
    if sw in (0x6A82, 0x6A83, 0x6A88):
        return MediaError(message, code="smart_card.not_found")
    if sw == 0x6700 or sw >> 8 == 0x6C:
        return ProtocolError(message, code="smart_card.wrong_length")
    if sw in (0x6A81, 0x6D00, 0x6E00):
        return DeviceFault(message, code="smart_card.unsupported")
    return DeviceFault(message, code="smart_card.card_error")
