"""Fixtures for the smart-card tests: the session's pcscd, an emulated card, an opened reader."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from peripherals.events import QueueDispatcher
from peripherals.smart_card.emulator import SocialSecurityCardEmulator
from tests.support.pcsc import Pcscd, pcscd, wait_for_card_state

__all__ = ["pcscd"]


@pytest.fixture
def card(pcscd: Pcscd) -> Iterator[SocialSecurityCardEmulator]:
    """An emulated social security card, not yet inserted; removed (and seen gone) afterwards."""
    emulator = SocialSecurityCardEmulator()
    yield emulator
    emulator.close()
    assert wait_for_card_state(emulator.reader_name, present=False), "card still seen in reader"


@pytest.fixture
def events() -> QueueDispatcher:
    """Collects the device's events."""
    return QueueDispatcher()


@pytest.fixture
def reader(pcscd: Pcscd, events: QueueDispatcher) -> Iterator[object]:
    """The pcsc driver on vpcd's first reader, with a 1 s command timeout."""
    from peripherals.smart_card.pcsc import PcscSmartCardReader

    device = PcscSmartCardReader(reader="Virtual PCD 00 00", timeout=1.0, dispatcher=events)
    device.open()
    yield device
    device.close()


@pytest.fixture
def insert(card: SocialSecurityCardEmulator) -> Callable[[], None]:
    """Insert `card` and wait until pcscd has seen it."""

    def do_insert() -> None:
        card.present_card()
        assert wait_for_card_state(card.reader_name, present=True), "pcscd did not see the card"

    return do_insert
