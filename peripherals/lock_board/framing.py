"""Finding one frame in a stream of bytes that may hold noise, halves and bad checksums."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from peripherals.errors import ProtocolError


@dataclass(frozen=True)
class FrameShape:
    """How a family's frame looks on the wire.

    `size` returns the whole frame's length from its first bytes (None while too few have
    arrived); `plausible` checks the fixed bytes of a whole candidate, ignoring its checksum, so
    a well-formed frame with a bad checksum is told apart from noise that happens to start with
    the right byte; `valid` checks the checksum.
    """

    starts: frozenset[int]
    size: Callable[[bytes], int | None]
    plausible: Callable[[bytes], bool]
    valid: Callable[[bytes], bool]


def take_frame(buf: bytearray, shape: FrameShape) -> bytes | None:
    """Remove and return the first whole frame in `buf`, or None if none has arrived yet.

    Noise before a frame is dropped. A plausible frame with a bad checksum is dropped and
    reported as a `ProtocolError` so the caller can retry at once instead of waiting.
    """
    while buf:
        if buf[0] not in shape.starts:
            del buf[0]
            continue
        size = shape.size(bytes(buf))
        if size is None:
            return None
        if size <= 0:
            del buf[0]
            continue
        if len(buf) < size:
            return None
        candidate = bytes(buf[:size])
        if not shape.plausible(candidate):
            del buf[0]
            continue
        if not shape.valid(candidate):
            del buf[:size]
            raise ProtocolError(
                f"bad checksum in frame {candidate.hex(' ')}", code="lock.bad_checksum"
            )
        del buf[:size]
        return candidate
    return None


def xor_of(data: bytes) -> int:
    """XOR of all bytes."""
    value = 0
    for byte in data:
        value ^= byte
    return value


def sum_of(data: bytes) -> int:
    """Arithmetic sum of all bytes, low byte."""
    return sum(data) & 0xFF
