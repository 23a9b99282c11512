"""Split a serial scanner's byte stream into codes and decode them (UTF-8, then GB18030)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

STX, ETX, GS, TAB = "\x02", "\x03", "\x1d", "\t"
_ALLOWED_CONTROLS = frozenset({GS, TAB})  # GS separates GS1 fields; it is data


def decode_payload(raw: bytes, encodings: tuple[str, ...] = ("utf-8", "gb18030")) -> str | None:
    """Decode one code's bytes; None when it is not text in any encoding (line noise).

    A leading STX and trailing ETX (some scanners frame codes with them) are removed; any
    other control character besides GS and TAB marks the payload as garbage.
    """
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        text = text.removeprefix(STX).removesuffix(ETX)
        if not text or any(
            (ord(c) < 0x20 or ord(c) == 0x7F) and c not in _ALLOWED_CONTROLS for c in text
        ):
            return None
        return text
    return None


class CodeFramer:
    """Cuts codes out of a byte stream: CR, LF or CRLF end a code; stale partials are dropped.

    `now` is passed in by the caller (a monotonic clock) so the idle rule is testable.
    """

    def __init__(
        self,
        encodings: tuple[str, ...] = ("utf-8", "gb18030"),
        idle_reset: float = 0.5,
        max_length: int = 8192,
    ) -> None:
        self._buffer = bytearray()
        self._last = 0.0
        self._encodings = encodings
        self._idle_reset = idle_reset
        self._max_length = max_length
        self.rejected = 0
        """Payloads thrown away as line noise, stale or too long."""

    def feed(self, data: bytes, now: float) -> list[str]:
        """Add received bytes; returns the codes they complete."""
        if self._buffer and now - self._last > self._idle_reset:
            # A code's bytes arrive in one burst; a partial left over from long ago is noise.
            self._drop("stale partial code")
        self._last = now
        self._buffer += data
        codes = []
        while True:
            ends = [i for i in (self._buffer.find(b"\r"), self._buffer.find(b"\n")) if i >= 0]
            if not ends:
                break
            end = min(ends)
            raw = bytes(self._buffer[:end])
            del self._buffer[: end + 1]
            if not raw:
                continue  # the LF of a CRLF, or an empty line
            code = decode_payload(raw, self._encodings)
            if code is None:
                self.rejected += 1
                log.warning("dropped %d bytes of scanner line noise", len(raw))
                continue
            codes.append(code)
        if len(self._buffer) > self._max_length:
            self._drop("over-long code")
        return codes

    def _drop(self, why: str) -> None:
        log.warning("dropped %d bytes: %s", len(self._buffer), why)
        self.rejected += 1
        self._buffer.clear()
