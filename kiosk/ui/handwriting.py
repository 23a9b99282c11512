"""Offline handwriting recognition of Chinese characters: zinnia with the tegaki model.

For residents who cannot use pinyin. Debian's `libzinnia0` (BSD) with
`tegaki-zinnia-simplified-chinese` (LGPL model, 12 MB) recognises one character from its
strokes in ~12 ms on one core; the model opens in ~20 ms when the first character is written
(31 MB resident once read: a kiosk nobody writes on never reads it). The library is called
through ctypes (no Python binding is packaged); without it the screen offers pinyin, common
phrases and voice only.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

MODEL_ENV = "KIOSK_HANDWRITING_MODEL"
MODELS: tuple[Path, ...] = (Path("/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model"),)
"""Where the Simplified Chinese model is looked for, after $KIOSK_HANDWRITING_MODEL."""

Stroke = Sequence[tuple[float, float]]
"""One stroke: points from pen down to pen up, y growing downwards."""


class Recogniser:
    """One open zinnia recogniser; `classify` is thread-safe."""

    def __init__(self, library: ctypes.CDLL, model: Path) -> None:
        self._lib = lib = library
        lib.zinnia_recognizer_new.restype = ctypes.c_void_p
        lib.zinnia_recognizer_open.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.zinnia_recognizer_destroy.argtypes = [ctypes.c_void_p]
        lib.zinnia_character_new.restype = ctypes.c_void_p
        lib.zinnia_character_destroy.argtypes = [ctypes.c_void_p]
        lib.zinnia_character_set_width.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        lib.zinnia_character_set_height.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        lib.zinnia_character_add.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_int,
            ctypes.c_int,
        ]
        lib.zinnia_recognizer_classify.argtypes = [
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_size_t,
        ]
        lib.zinnia_recognizer_classify.restype = ctypes.c_void_p
        lib.zinnia_result_value.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        lib.zinnia_result_value.restype = ctypes.c_char_p
        lib.zinnia_result_size.argtypes = [ctypes.c_void_p]
        lib.zinnia_result_size.restype = ctypes.c_size_t
        lib.zinnia_result_destroy.argtypes = [ctypes.c_void_p]
        self._model = model
        self._recogniser: int | None = None
        self._lock = threading.Lock()

    def _opened(self) -> int | None:
        """The zinnia recogniser, its model opened on the first character written (the model's
        pages, 31 MB resident once read, are not taken by a kiosk nobody writes on); None if
        the model cannot be opened. Call with the lock held."""
        if self._recogniser is None:
            lib = self._lib
            recogniser = lib.zinnia_recognizer_new()
            if not lib.zinnia_recognizer_open(recogniser, str(self._model).encode()):
                log.warning("zinnia could not open the model %s", self._model)
                return None
            self._recogniser = recogniser
        return self._recogniser

    def classify(self, strokes: Sequence[Stroke], width: float, height: float, n: int) -> list[str]:
        """The `n` likeliest characters for `strokes` drawn in a `width`×`height` box."""
        lib = self._lib
        if not any(strokes):
            return []
        with self._lock:
            recogniser = self._opened()
            if recogniser is None:
                return []
            character = lib.zinnia_character_new()
            try:
                lib.zinnia_character_set_width(character, max(int(width), 1))
                lib.zinnia_character_set_height(character, max(int(height), 1))
                for number, stroke in enumerate(s for s in strokes if s):
                    for x, y in stroke:
                        lib.zinnia_character_add(character, number, int(x), int(y))
                result = lib.zinnia_recognizer_classify(recogniser, character, n)
                if not result:
                    return []
                try:
                    size = lib.zinnia_result_size(result)
                    found = (lib.zinnia_result_value(result, i) for i in range(size))
                    return [value.decode("utf-8") for value in found if value]
                finally:
                    lib.zinnia_result_destroy(result)
            finally:
                lib.zinnia_character_destroy(character)


@functools.cache
def recogniser() -> Recogniser | None:
    """The recogniser, opened once; None (logged once) when zinnia or the model is missing."""
    env = os.environ.get(MODEL_ENV)
    model = next((p for p in ((Path(env),) if env else ()) + MODELS if p.is_file()), None)
    name = ctypes.util.find_library("zinnia") or "libzinnia.so.0"
    try:
        if model is None:
            raise OSError("no handwriting model: install tegaki-zinnia-simplified-chinese")
        return Recogniser(ctypes.CDLL(name), model)
    except OSError as exc:
        log.warning("handwriting input unavailable: %s (install libzinnia0)", exc)
        return None
