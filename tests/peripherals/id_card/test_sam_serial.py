"""The real sam-serial driver against the SAM simulator (and a hostile peer) over real ptys."""

from __future__ import annotations

import os
import random
import select
import threading
import time
import tty
from collections.abc import Iterator

import pytest

from peripherals.errors import (
    Busy,
    DeviceFault,
    DeviceTimeout,
    DeviceUnavailable,
    MediaError,
    ProtocolError,
)
from peripherals.id_card import protocol
from peripherals.id_card.card import IdCard
from peripherals.id_card.id_number import check_character
from peripherals.id_card.sam_serial import SamSerialReader
from peripherals.id_card.simulator import SamSimulator
from peripherals.status import State

REPLY_TIMEOUT = 0.3


def invented_id(first17: str) -> str:
    return first17 + check_character(first17)


@pytest.fixture
def sim() -> Iterator[SamSimulator]:
    with SamSimulator() as simulator:
        yield simulator


@pytest.fixture
def reader(sim: SamSimulator) -> Iterator[SamSerialReader]:
    device = SamSerialReader(port=sim.path, timeout=REPLY_TIMEOUT, poll_interval=0.02)
    with device:
        yield device


CARDS = {
    "resident": IdCard(
        name="孙测试",
        sex="男",
        nation="回",
        birth="19700101",
        address="宁夏回族自治区银川市兴庆区示例巷3号",
        id_number=invented_id("64010419700101321"),
        issuer="银川市公安局兴庆区分局",
        valid_from="20100101",
        valid_to="长期",
    ),
    "hmt_residence": IdCard(
        name="周测试",
        sex="女",
        birth="19950505",
        address="广东省深圳市福田区示例大厦5楼",
        id_number=invented_id("82000019950505246"),
        issuer="深圳市公安局",
        valid_from="20210101",
        valid_to="20260101",
        card_type="hmt_residence",
        extra={"pass_number": "M87654321", "issue_count": "02"},
    ),
    "foreign_permanent": IdCard(
        name="吴测试",
        sex="男",
        birth="19750707",
        id_number="GBR310075070701",
        valid_from="20150101",
        valid_to="20250101",
        card_type="foreign_permanent",
        extra={"english_name": "SAMPLE, TEST", "nationality": "GBR"},
    ),
    "foreign_permanent_2023": IdCard(
        name="郑测试",
        sex="女",
        birth="19880808",
        id_number="931250198808080029",
        valid_from="20240101",
        valid_to="20340101",
        card_type="foreign_permanent_2023",
        extra={"english_name": "EXAMPLE, ANNA", "chinese_name": "郑测试", "nationality": "FRA"},
    ),
}


@pytest.mark.parametrize("card_type", sorted(CARDS))
def test_reads_every_card_type(sim: SamSimulator, reader: SamSerialReader, card_type: str) -> None:
    sim.present_card(CARDS[card_type])
    card = reader.read_card(timeout=2)
    expected = CARDS[card_type]
    assert card.card_type == card_type
    assert (card.name, card.sex) == (expected.name, expected.sex)
    assert card.id_number == expected.id_number
    assert (card.valid_from, card.valid_to) == (expected.valid_from, expected.valid_to)
    assert len(card.photo) == 1024
    for key, value in expected.extra.items():
        assert card.extra[key] == value


def test_driver_sends_the_documented_sequence(sim: SamSimulator, reader: SamSerialReader) -> None:
    sim.present_card(CARDS["resident"])
    reader.read_card(timeout=2)
    assert list(sim.received) == [
        bytes.fromhex("AA AA AA 96 69 00 03 20 01 22"),
        bytes.fromhex("AA AA AA 96 69 00 03 20 02 21"),
        bytes.fromhex("AA AA AA 96 69 00 03 30 01 32"),
    ]


def test_fingerprint_option_uses_30_10(sim: SamSimulator) -> None:
    card = CARDS["resident"]
    sim.present_card(IdCard(**{**card.__dict__, "fingerprint": b"F" * 1024}))
    with SamSerialReader(port=sim.path, timeout=REPLY_TIMEOUT, fingerprint=True) as device:
        read = device.read_card(timeout=2)
    assert sim.received[-1] == bytes.fromhex("AA AA AA 96 69 00 03 30 10 23")
    assert read.fingerprint == b"F" * 1024
    assert len(read.photo) == 1024


def test_long_term_validity_is_kept(sim: SamSimulator, reader: SamSerialReader) -> None:
    sim.present_card(CARDS["resident"])
    assert reader.read_card(timeout=2).valid_to == "长期"


def test_waits_for_a_card_placed_during_the_read(
    sim: SamSimulator, reader: SamSerialReader
) -> None:
    sim.remove_card()
    placed = threading.Timer(0.1, sim.present_card, args=(CARDS["resident"],))
    placed.start()
    try:
        card = reader.read_card(timeout=3)
    finally:
        placed.join()
    assert card.name == "孙测试"


def test_no_card_within_the_timeout(sim: SamSimulator, reader: SamSerialReader) -> None:
    sim.remove_card()
    started = time.monotonic()
    with pytest.raises(MediaError) as exc:
        reader.read_card(timeout=0.3)
    assert exc.value.code == "id_card.no_card"
    assert 0.25 < time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    ("fault", "error", "code"),
    [
        ("no_card", MediaError, "id_card.no_card"),
        ("unreadable", MediaError, "id_card.unreadable"),
        ("bad_checksum", ProtocolError, "id_card.frame_checksum"),
        ("truncated", ProtocolError, "id_card.truncated"),
        ("garbage", ProtocolError, "id_card.garbage"),
        ("silent", DeviceTimeout, "id_card.no_response"),
        ("sam_fault", DeviceFault, "id_card.sam_fault"),
    ],
)
def test_every_fault_gives_a_clear_error_in_time(
    sim: SamSimulator,
    reader: SamSerialReader,
    fault: str,
    error: type[Exception],
    code: str,
) -> None:
    sim.present_card(CARDS["resident"])
    sim.fail(fault)
    started = time.monotonic()
    with pytest.raises(error) as exc:
        reader.read_card(timeout=0.4)
    assert getattr(exc.value, "code", None) == code
    assert time.monotonic() - started < 0.4 + 3 * REPLY_TIMEOUT
    sim.fail(None)
    assert reader.read_card(timeout=1).id_number == CARDS["resident"].id_number


def test_noise_before_replies_is_skipped(sim: SamSimulator, reader: SamSerialReader) -> None:
    sim.present_card(CARDS["resident"])
    sim.fail("noisy")
    assert reader.read_card(timeout=2).name == "孙测试"


def test_bad_check_digit_on_a_resident_card(sim: SamSimulator, reader: SamSerialReader) -> None:
    good = CARDS["resident"].id_number
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    sim.present_card(IdCard(**{**CARDS["resident"].__dict__, "id_number": bad}))
    with pytest.raises(DeviceFault) as exc:
        reader.read_card(timeout=1)
    assert exc.value.code == "id_card.bad_id_number"


def test_sam_id_reset_and_health(sim: SamSimulator, reader: SamSerialReader) -> None:
    assert reader.sam_id() == "05.01-20074458-0011450825-0118411825"
    reader.reset()
    assert reader.health().state is State.ONLINE
    sim.fail("sam_fault")
    health = reader.health()
    assert (health.state, health.code) == (State.HARDWARE_ERROR, "id_card.sam_fault")
    sim.fail("silent")
    assert reader.health().state is State.OFFLINE


def test_reset_command_byte_is_configurable(sim: SamSimulator) -> None:
    with SamSerialReader(port=sim.path, timeout=REPLY_TIMEOUT, reset_command=0x01) as device:
        device.reset()
    assert sim.received[-1] == protocol.build_request(0x01, 0xFF)


def test_photo_decoder_plugin(sim: SamSimulator) -> None:
    sim.present_card(CARDS["resident"])
    with SamSerialReader(
        port=sim.path, timeout=REPLY_TIMEOUT, photo_decoder=lambda wlt: b"BM" + wlt[:4]
    ) as device:
        card = device.read_card(timeout=1)
    assert card.extra["photo_image"] == b"BM" + card.photo[:4]


def test_failing_photo_decoder_does_not_spoil_the_read(sim: SamSimulator) -> None:
    def broken(_: bytes) -> bytes:
        raise RuntimeError("vendor library crashed")

    sim.present_card(CARDS["resident"])
    with SamSerialReader(port=sim.path, timeout=REPLY_TIMEOUT, photo_decoder=broken) as device:
        card = device.read_card(timeout=1)
    assert "photo_image" not in card.extra and card.name == "孙测试"


def test_photo_decoder_named_in_configuration() -> None:
    device = SamSerialReader(port="/dev/null", photo_decoder="binascii:hexlify")
    assert device._photo_decoder is not None and device._photo_decoder(b"\x01") == b"01"
    with pytest.raises(DeviceUnavailable):
        SamSerialReader(port="/dev/null", photo_decoder="no_such_module_xyz:decode")


def test_a_second_concurrent_read_is_refused(sim: SamSimulator, reader: SamSerialReader) -> None:
    sim.remove_card()
    outcome: list[BaseException] = []

    def first() -> None:
        try:
            reader.read_card(timeout=0.6)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=first, daemon=True)
    # The first read is polling once the simulator has seen its first request.
    sim.request_seen.clear()
    thread.start()
    assert sim.request_seen.wait(2)
    with pytest.raises(Busy):
        reader.read_card(timeout=0.1)
    thread.join()
    assert isinstance(outcome[0], MediaError)


def test_missing_or_bad_port_is_unavailable() -> None:
    with pytest.raises(DeviceUnavailable):
        SamSerialReader().open()
    with pytest.raises(DeviceUnavailable) as exc:
        SamSerialReader(port="/dev/does-not-exist-sam").open()
    assert exc.value.code == "id_card.port_unavailable"


def test_closed_reader_refuses_reads() -> None:
    with pytest.raises(DeviceUnavailable):
        SamSerialReader(port="/dev/null").read_card(1)


# -- hostile peers ------------------------------------------------------------------------


class HostilePeer:
    """Answers each request with the next scripted bytes (or nothing when the script ends)."""

    def __init__(self, replies: list[bytes]) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self._replies = list(replies)
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        parser = protocol.FrameParser()
        while True:
            ready, _, _ = select.select([self.master, self._stop_r], [], [])
            if self._stop_r in ready:
                return
            parser.feed(os.read(self.master, 1024))
            while parser.next_body() is not None:
                if self._replies:
                    os.write(self.master, self._replies.pop(0))

    def close(self) -> None:
        os.write(self._stop_w, b"x")
        self._thread.join(timeout=2)
        for fd in (self.master, self.slave, self._stop_r, self._stop_w):
            os.close(fd)


def hostile_read(replies: list[bytes], timeout: float = 0.5) -> tuple[Exception, float]:
    peer = HostilePeer(replies)
    try:
        with SamSerialReader(port=peer.path, timeout=REPLY_TIMEOUT) as device:
            started = time.monotonic()
            try:
                device.read_card(timeout=timeout)
            except Exception as exc:
                return exc, time.monotonic() - started
            raise AssertionError("hostile input was accepted")
    finally:
        peer.close()


@pytest.mark.parametrize("seed", range(5))
def test_random_garbage_is_a_clear_error(seed: int) -> None:
    rng = random.Random(seed)
    noise = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
    exc, elapsed = hostile_read([noise])
    assert isinstance(exc, ProtocolError | DeviceTimeout)
    assert elapsed < 0.5 + 3 * REPLY_TIMEOUT


def test_huge_len_is_refused_at_once() -> None:
    exc, elapsed = hostile_read([protocol.PREAMBLE + b"\xff\xf0" + b"\x00" * 64])
    assert isinstance(exc, ProtocolError) and exc.code == "id_card.bad_length"
    assert elapsed < REPLY_TIMEOUT


def test_half_a_frame_then_silence() -> None:
    found = protocol.build_response(0x9F, bytes(4))
    select_ok = protocol.build_response(0x90, bytes(8))
    big = protocol.build_response(0x90, b"\x01\x00\x04\x00" + bytes(1280))
    exc, elapsed = hostile_read([found, select_ok, big[:700]], timeout=2)
    assert isinstance(exc, ProtocolError) and exc.code == "id_card.truncated"
    assert elapsed < 3 * REPLY_TIMEOUT + 0.2


def test_reply_with_inconsistent_lengths() -> None:
    found = protocol.build_response(0x9F, bytes(4))
    select_ok = protocol.build_response(0x90, bytes(8))
    lying = protocol.build_response(0x90, b"\x01\x00\x04\x00" + bytes(100))
    exc, _ = hostile_read([found, select_ok, lying])
    assert isinstance(exc, ProtocolError) and exc.code == "id_card.bad_length"


def test_unknown_status_from_the_reader() -> None:
    exc, _ = hostile_read([protocol.build_response(0x5A)])
    assert isinstance(exc, ProtocolError) and exc.code == "id_card.unknown_status"
