"""The pcsc driver against a real pcscd, vpcd and the emulated card."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from peripherals.errors import DeviceTimeout, DeviceUnavailable, MediaError
from peripherals.events import EventType, QueueDispatcher
from peripherals.smart_card import ssse
from peripherals.smart_card.emulator import CardHolder, SocialSecurityCardEmulator
from peripherals.smart_card.pcsc import PcscSmartCardReader, choose_reader, list_readers
from peripherals.status import State

Insert = Callable[[], None]


def next_event(
    events: QueueDispatcher, wanted: EventType, timeout: float = 5.0
) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        event = events.get(timeout=max(0.0, deadline - time.monotonic()))
        if event.type == wanted:
            return event.data


def test_lists_the_vpcd_readers(pcscd: object) -> None:
    names = list_readers()
    assert "Virtual PCD 00 00" in names and "Virtual PCD 00 01" in names


def test_chooses_reader_by_index_or_substring() -> None:
    names = ["ACS ACR39U 00 00", "Virtual PCD 00 00"]
    assert choose_reader(names, None) == "ACS ACR39U 00 00"
    assert choose_reader(names, 1) == "Virtual PCD 00 00"
    assert choose_reader(names, "1") == "Virtual PCD 00 00"
    assert choose_reader(names, "virtual") == "Virtual PCD 00 00"
    with pytest.raises(DeviceUnavailable, match="ACR39U") as caught:
        choose_reader(names, "gemalto")
    assert caught.value.code == "smart_card.no_reader"
    with pytest.raises(DeviceUnavailable, match="plug one in"):
        choose_reader([], None)


def test_opening_an_absent_reader_fails_clearly(pcscd: object) -> None:
    device = PcscSmartCardReader(reader="No Such Reader")
    with pytest.raises(DeviceUnavailable, match="Virtual PCD 00 00") as caught:
        device.open()
    assert caught.value.code == "smart_card.no_reader"
    assert not device.is_open


def test_no_card_is_a_media_error_within_the_timeout(reader: PcscSmartCardReader) -> None:
    started = time.monotonic()
    with pytest.raises(MediaError) as caught:
        reader.wait_for_card(0.3)
    assert caught.value.code == "smart_card.no_card"
    assert time.monotonic() - started < 2.0
    with pytest.raises(MediaError, match="no card"):
        reader.transmit(ssse.SELECT_SSSE)


def test_insert_and_remove_events(
    reader: PcscSmartCardReader, card: SocialSecurityCardEmulator, events: QueueDispatcher
) -> None:
    card.present_card()
    inserted = next_event(events, EventType.CARD_INSERTED)
    assert inserted == {"reader": "Virtual PCD 00 00", "atr": card.atr.hex()}
    card.remove_card()
    assert next_event(events, EventType.CARD_REMOVED) == {"reader": "Virtual PCD 00 00"}


def test_waiting_returns_the_atr_once_the_card_arrives(
    reader: PcscSmartCardReader, card: SocialSecurityCardEmulator
) -> None:
    timer = threading.Timer(0.2, card.present_card)
    timer.start()
    try:
        assert reader.wait_for_card(5.0) == card.atr
        assert reader.atr() == card.atr
    finally:
        timer.join()


def test_reads_the_social_security_fields(reader: PcscSmartCardReader, insert: Insert) -> None:
    insert()
    result = reader.read_social_security_card(2.0)
    holder = CardHolder()
    assert result.card_number == holder.card_number
    assert result.ssn == holder.ssn
    assert result.name == "王测试"
    assert (result.sex, result.nation) == ("1", "01")
    assert result.birthplace == "110105"
    assert result.birth_date == holder.birth_date
    assert holder.ssn not in repr(result) and "王" not in repr(result)  # safe to log


def test_a_card_number_is_read_alone(
    reader: PcscSmartCardReader, card: SocialSecurityCardEmulator
) -> None:
    card.present_card(CardHolder(card_number="K88000001"))
    assert reader.read_card_number(2.0) == "K88000001"
    assert ssse.SELECT_EF06 not in card.commands  # nothing personal is read


def test_61xx_is_followed_by_get_response(
    reader: PcscSmartCardReader, card: SocialSecurityCardEmulator, insert: Insert
) -> None:
    insert()
    data, sw = reader.transmit(ssse.SELECT_SSSE)
    assert sw == 0x9000
    assert data[:4] == bytes([0x6F, 17, 0x84, 15]) and data.endswith(ssse.SSSE_NAME)
    assert card.commands[-1] == ssse.get_response(len(data))


def test_6cxx_resends_with_the_right_length(
    reader: PcscSmartCardReader, card: SocialSecurityCardEmulator, insert: Insert
) -> None:
    insert()
    reader.transmit(ssse.SELECT_SSSE)
    data, sw = reader.transmit(bytes.fromhex("00B2072C05"))
    assert sw == 0x9000 and ssse.record_value(data) == b"S10000001"
    assert card.commands[-1] == bytes.fromhex("00B2072C0B")


def test_raw_apdu_passes_status_words_through(reader: PcscSmartCardReader, insert: Insert) -> None:
    insert()
    assert reader.transmit(bytes.fromhex("0084000008")) == (b"", 0x6D00)
    assert reader.transmit(ssse.FIELDS[1].apdu) == (b"", 0x6985)  # nothing selected
    with pytest.raises(ValueError):
        reader.transmit(b"\x00\xa4")


def test_refused_select_says_it_is_not_a_social_security_card(
    reader: PcscSmartCardReader, card: SocialSecurityCardEmulator, insert: Insert
) -> None:
    card.fail("refuse_select")
    insert()
    with pytest.raises(MediaError) as caught:
        reader.read_social_security_card(2.0)
    assert caught.value.code == "smart_card.not_social_security"


def test_refused_records_are_none(
    reader: PcscSmartCardReader, card: SocialSecurityCardEmulator, insert: Insert
) -> None:
    card.fail("auth_required")
    insert()
    result = reader.read_social_security_card(2.0)
    assert result.card_number == "S10000001"
    assert result.readable() == ["card_number"]
    assert result.name is None and result.birth_date is None


def test_mute_card_times_out_and_the_reader_recovers(
    reader: PcscSmartCardReader, card: SocialSecurityCardEmulator, insert: Insert
) -> None:
    insert()
    card.fail("mute")
    started = time.monotonic()
    with pytest.raises(DeviceTimeout) as caught:
        reader.read_social_security_card(2.0)
    assert caught.value.code == "smart_card.not_answering"
    assert time.monotonic() - started < reader.timeout + 1.0
    card.fail(None)
    assert reader.read_social_security_card(2.0).name == "王测试"


def test_card_removed_mid_read(
    reader: PcscSmartCardReader, card: SocialSecurityCardEmulator, insert: Insert
) -> None:
    card.fail("remove")
    insert()
    with pytest.raises(MediaError) as caught:
        reader.read_social_security_card(2.0)
    assert caught.value.code == "smart_card.removed"
    assert card.gone.is_set()


def test_health_reports_reader_and_card(reader: PcscSmartCardReader, insert: Insert) -> None:
    health = reader.health()
    assert health.state is State.ONLINE and health.extra["card_present"] is False
    insert()
    assert reader.health().extra["card_present"] is True


def test_reader_events_report_changes_only(
    reader: PcscSmartCardReader, events: QueueDispatcher
) -> None:
    # vpcd's readers never come and go, so drive the observer pyscard's monitor calls
    observer = reader._reader_observer
    observer.update(None, (["Virtual PCD 00 00", "USB Reader 01"], []))
    assert next_event(events, EventType.READER_ADDED) == {"reader": "USB Reader 01"}
    observer.update(None, ([], ["USB Reader 01"]))
    assert next_event(events, EventType.READER_REMOVED) == {"reader": "USB Reader 01"}
    assert events.queue.empty()


def test_close_stops_the_monitor_threads(pcscd: object) -> None:
    from smartcard.CardMonitoring import CardMonitoringThread

    device = PcscSmartCardReader(reader="Virtual PCD 00 00")
    device.open()
    names = {thread.name for thread in threading.enumerate()}
    assert "smartcard.ReaderMonitoringThread" in names
    device.close()
    names = {thread.name for thread in threading.enumerate()}
    assert "smartcard.ReaderMonitoringThread" not in names
    assert CardMonitoringThread.instance is None
    assert not [t for t in threading.enumerate() if t.name.startswith("pcsc-")]
