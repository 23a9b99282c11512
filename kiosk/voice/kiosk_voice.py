"""The voice renderer of a running kiosk, built from its speaker and recogniser."""

from __future__ import annotations

from kiosk.app import KioskServices
from kiosk.session.renderers import SessionInputs
from kiosk.voice.output import NoSpeech
from kiosk.voice.renderer import VoiceRenderer
from peripherals.recognizer.base import Recognizer
from peripherals.speaker.base import Speaker


def kiosk_voice(inputs: SessionInputs, services: KioskServices) -> VoiceRenderer:
    """The kiosk's voice: its speaker (silence when it has none) at the configured volume, and
    its recogniser, if any."""
    speaker = services.hub.by_kind("speaker")
    recognizer = services.hub.by_kind("recognizer")
    if isinstance(speaker, Speaker):
        speaker.set_default_volume(services.config.accessibility.volume / 100)
    return VoiceRenderer(
        speaker if isinstance(speaker, Speaker) else NoSpeech(),
        inputs,
        recognizer if isinstance(recognizer, Recognizer) else None,
    )
