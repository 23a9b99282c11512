"""The ID card reader: one blocking `read_card` for every driver; drivers move the bytes."""

from __future__ import annotations

import abc
import importlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from peripherals.device import Device
from peripherals.errors import Busy, DeviceFault, DeviceUnavailable
from peripherals.events import Dispatcher
from peripherals.id_card import id_number
from peripherals.id_card.card import HMT_RESIDENCE, RESIDENT, IdCard, mask_id_number
from peripherals.id_card.text_block import decode_text_block

__all__ = ["IdCard", "IdCardReader", "PhotoDecoder", "RawCard", "load_photo_decoder"]

log = logging.getLogger(__name__)

PhotoDecoder = Callable[[bytes], bytes]
"""A plug-in turning the 1024-byte WLT photo into an image (usually a vendor library)."""

_CHECKED_TYPES = frozenset({RESIDENT, HMT_RESIDENCE})


@dataclass(frozen=True)
class RawCard:
    """What a driver read off a card: the text block, the WLT photo, fingerprint templates."""

    text: bytes
    photo: bytes
    fingerprint: bytes = b""


def load_photo_decoder(spec: PhotoDecoder | str | None) -> PhotoDecoder | None:
    """Accept a callable, or `"module:function"` from the TOML configuration."""
    if spec is None or callable(spec):
        return spec
    module_name, _, attr = spec.partition(":")
    try:
        decoder = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise DeviceUnavailable(
            f"photo decoder {spec!r} cannot be loaded: {exc}", code="id_card.photo_decoder"
        ) from exc
    if not callable(decoder):
        raise DeviceUnavailable(f"photo decoder {spec!r} is not callable")
    result: PhotoDecoder = decoder
    return result


class IdCardReader(Device):
    """A second-generation ID card reader.

    `read_card` waits for a card, reads it and decodes it; drivers implement `_read_raw`,
    `_read_sam_id` and `_reset_sam`. Options: `fingerprint` (also read the fingerprint
    templates) and `photo_decoder` (callable or `"module:function"`, result in
    `extra["photo_image"]`).
    """

    kind: ClassVar[str] = "id_card"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        fingerprint: bool = False,
        photo_decoder: PhotoDecoder | str | None = None,
    ) -> None:
        super().__init__(name, dispatcher)
        self.fingerprint = fingerprint
        self._photo_decoder = load_photo_decoder(photo_decoder)
        self._busy = threading.Lock()

    def read_card(self, timeout: float = 30.0) -> IdCard:
        """Wait up to `timeout` s for a card, then read and decode it.

        Raises `MediaError` (`id_card.no_card`, `id_card.unreadable`, ...), `DeviceTimeout`,
        `DeviceFault` (`id_card.bad_id_number`, SAM faults) or `ProtocolError`.
        """
        self._require_open()
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        with self._exclusive():
            raw = self._read_raw(time.monotonic() + timeout, self.fingerprint)
        card = decode_text_block(raw.text)
        card.photo, card.fingerprint = raw.photo, raw.fingerprint
        if card.card_type in _CHECKED_TYPES and not id_number.is_valid(card.id_number):
            log.warning("card %s failed its check digit", mask_id_number(card.id_number))
            raise DeviceFault("the ID number on the card is invalid", code="id_card.bad_id_number")
        if self._photo_decoder is not None and card.photo:
            try:
                card.extra["photo_image"] = self._photo_decoder(card.photo)
            except Exception as exc:  # a vendor plug-in must not spoil a good read
                log.warning("photo decoder failed: %s", type(exc).__name__)
        log.info("read a %s card %s", card.card_type, mask_id_number(card.id_number))
        return card

    def sam_id(self) -> str:
        """The SAM module's id, formatted like vendor tools print it."""
        from peripherals.id_card.protocol import format_sam_id

        self._require_open()
        with self._exclusive():
            return format_sam_id(self._read_sam_id())

    def reset(self) -> None:
        """Reset the SAM module."""
        self._require_open()
        with self._exclusive():
            self._reset_sam()

    def _exclusive(self) -> _Exclusive:
        return _Exclusive(self._busy, self.name)

    @abc.abstractmethod
    def _read_raw(self, deadline: float, fingerprint: bool) -> RawCard:
        """Driver hook: wait for a card until `deadline` (monotonic), select it, read it."""

    @abc.abstractmethod
    def _read_sam_id(self) -> bytes:
        """Driver hook: the raw SAM id."""

    @abc.abstractmethod
    def _reset_sam(self) -> None:
        """Driver hook: reset the SAM."""


class _Exclusive:
    """One request at a time; a second caller gets `Busy` rather than interleaved frames."""

    def __init__(self, lock: threading.Lock, name: str) -> None:
        self._lock = lock
        self._name = name

    def __enter__(self) -> None:
        if not self._lock.acquire(timeout=0.5):
            raise Busy(f"{self._name} is busy with another request")

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
