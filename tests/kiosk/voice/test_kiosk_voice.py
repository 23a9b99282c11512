"""The kiosk's voice as `kiosk run` builds it: its speaker at the configured volume."""

from __future__ import annotations

from pathlib import Path

from kiosk.app import KioskServices
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.flow.session import Session
from kiosk.session.core import SessionCore
from kiosk.voice.kiosk_voice import kiosk_voice
from peripherals.speaker.base import Speaker


async def test_every_session_starts_at_the_configured_volume(tmp_path: Path) -> None:
    config = load_config(None, {"KIOSK__ACCESSIBILITY__VOLUME": "40"})
    with KioskServices(config, simulate=True, data_dir=tmp_path, device_kinds={"speaker"}) as kiosk:
        speaker = kiosk.hub.by_kind("speaker")
        assert isinstance(speaker, Speaker)
        core = SessionCore(ManualClock())
        core.attach(kiosk_voice(core, kiosk))
        assert speaker.volume == 0.4
        core.open(Session(core.clock))
        speaker.change_volume(+0.3)  # a resident turns it up...
        core.end()  # ...and the next one starts at the configured volume again
        assert speaker.volume == 0.4
        core.close()
