"""`kiosk devices list` and `kiosk devices test` against every kind's simulator, in process.

Each test runs `main([...])` as a maintainer would type it, reads what was printed, and checks
that no full ID number, phone number or name reaches the output (or the log). Real drivers are
pointed at standalone simulators (a pty, a TCP port, vpcd) the way a maintainer would point them
at hardware. Where a check waits for a resident (a scan, a key), a feeder thread acts only once
the check has started waiting, signalled by the device's own `clear_pending`.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import pytest
import zxingcpp

from kiosk.cli import main
from peripherals import registry
from peripherals.device import Device
from peripherals.id_card.simulator import SamSimulator
from peripherals.keypad import check as keypad_check
from peripherals.lock_board.simulator import LockBusSimulator
from peripherals.printer.simulator import PrinterSimulator
from peripherals.scanner import check as scanner_check
from peripherals.scanner.simulator import ScannerSimulator
from peripherals.smart_card.emulator import VPCD_PORT, CardHolder, SocialSecurityCardEmulator
from tests.support.pcsc import Pcscd, pcscd, wait_for_card_state

__all__ = ["pcscd"]  # the session's pcscd fixture, as in tests/peripherals/smart_card/conftest.py

ANY_ID_NUMBER = re.compile(r"\d{17}[\dXx]")
ANY_PHONE = re.compile(r"1\d{10}")

ID_CARD_FIELDS = (
    "name",
    "sex",
    "nation",
    "birth",
    "address",
    "id_number",
    "issuer",
    "valid_from",
    "valid_to",
    "card_type",
)

_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    """An invented resident ID number with a valid GB 11643 check character."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, _GB11643_WEIGHTS, strict=True)
    )
    return first17 + "10X98765432"[total % 11]


# Invented people; nobody real has these names or numbers.
HOLDER_NAME = "欧阳示例"
HOLDER_ID = id_number("44030519870615281")
HOLDER_PHONE = "13912345678"
CARD_HOLDER_NAME = "钱示范"
CARD_HOLDER_SSN = id_number("32010219920101012")


@dataclass
class Run:
    """What one `kiosk ...` invocation returned and printed."""

    code: int
    out: str
    err: str
    log: str = ""

    @property
    def fields(self) -> dict[str, str]:
        """The `key: value` lines of the plain output."""
        pairs = (line.partition(": ") for line in self.out.splitlines())
        return {key: value for key, sep, value in pairs if sep}

    def json(self) -> Any:
        """The `--json` output, which must be one JSON document."""
        return json.loads(self.out)


def kiosk(
    capsys: pytest.CaptureFixture[str],
    *argv: str,
    caplog: pytest.LogCaptureFixture | None = None,
    secrets: tuple[str, ...] = (),
) -> Run:
    """Run `kiosk ARGV` in process; fail on a traceback or on personal data in output or log."""
    if caplog is not None:
        caplog.set_level(logging.DEBUG)
    try:
        code = main(["-v", *argv] if caplog is not None else list(argv))
    except Exception as exc:  # the CLI must turn every failure into a one-line message
        pytest.fail(f"`kiosk {' '.join(argv)}` raised {type(exc).__name__}: {exc}")
    captured = capsys.readouterr()
    run = Run(code, captured.out, captured.err, caplog.text if caplog is not None else "")
    for where, text in (("output", run.out + run.err), ("log", run.log)):
        assert not ANY_ID_NUMBER.search(text), f"a full ID number reached the {where}: {text}"
        assert not ANY_PHONE.search(text), f"a full phone number reached the {where}: {text}"
        for secret in secrets:
            assert secret not in text, f"{secret!r} reached the {where}"
    assert "Traceback" not in run.err
    return run


def assert_one_line_error(run: Run, *fragments: str) -> None:
    """The run failed with exit 1 and one stderr line naming every fragment."""
    assert run.code == 1, run
    assert run.out == ""
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got: {run.err!r}"
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} missing from {lines[0]!r}"


def sim(device: Device) -> Any:
    """The `.simulator` every simulated driver exposes."""
    return cast(Any, device).simulator


@dataclass
class Created:
    """Devices the CLI created, and what to do to each right after creation."""

    devices: list[Device] = field(default_factory=list)
    prepare: Callable[[Device], None] | None = None


@pytest.fixture
def created(monkeypatch: pytest.MonkeyPatch) -> Created:
    """Record every device `kiosk devices test` creates (to reach its `.simulator`)."""
    record = Created()
    original = registry.create

    def create(kind: str, driver: str, options: dict[str, Any] | None = None, **kw: Any) -> Device:
        device = original(kind, driver, options, **kw)
        record.devices.append(device)
        if record.prepare is not None:
            record.prepare(device)
        return device

    monkeypatch.setattr(registry, "create", create)
    return record


def act_when_waiting(
    monkeypatch: pytest.MonkeyPatch, check: ModuleType, act: Callable[[Device], None]
) -> None:
    """Make `act(device)` happen once the check has cleared old input and waits for new input.

    Both the scanner and keypad checks call `clear_pending()` right before waiting; acting
    earlier would have the press or scan discarded, as it is for a resident.
    """
    original = check.run_check

    def run_check(device: Device, params: dict[str, str]) -> dict[str, object]:
        waiting, done = threading.Event(), threading.Event()
        clear = cast(Any, device).clear_pending

        def clear_then_signal() -> None:
            clear()
            waiting.set()

        def feed() -> None:
            if waiting.wait(5.0) and not done.is_set():
                act(device)

        monkeypatch.setattr(device, "clear_pending", clear_then_signal)
        feeder = threading.Thread(target=feed, name="test-feeder")
        feeder.start()
        try:
            result: dict[str, object] = original(device, params)
        finally:
            done.set()
            waiting.set()
            feeder.join()
        return result

    monkeypatch.setattr(check, "run_check", run_check)


# -- kiosk devices list --------------------------------------------------------------------------


def test_list_shows_every_kind_with_its_drivers_and_libraries(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = kiosk(capsys, "devices", "list")
    assert run.code == 0
    rows = [line.split(None, 2) for line in run.out.splitlines()]
    listed = {(kind, driver): state for kind, driver, state in rows}
    for kind in registry.KINDS:
        assert listed[(kind, "simulated")] == "ok", f"{kind} has no usable simulator"
    assert listed[("id_card", "sam-serial")] == "ok"
    assert listed[("lock_board", "lockboard-8a")] == "ok"
    usb = "ok" if importlib.util.find_spec("usb") else "needs: pip install pyusb"
    assert listed[("printer", "escpos-usb")] == usb


def test_list_names_what_to_install_when_a_library_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    find_spec = importlib.util.find_spec

    def without_pyserial(name: str, *args: Any) -> Any:
        return None if name == "serial" else find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_pyserial)
    run = kiosk(capsys, "devices", "list", "--json")
    assert run.code == 0
    rows = {(row["kind"], row["driver"]): row for row in map(json.loads, run.out.splitlines())}
    assert {kind for kind, _ in rows} == set(registry.KINDS)
    sam = rows[("id_card", "sam-serial")]
    assert sam["available"] is False and sam["missing"] == ["pip install pyserial"]
    assert rows[("printer", "escpos-network")]["available"] is True
    assert rows[("keypad", "simulated")]["available"] is True


def test_a_driver_whose_library_is_missing_fails_with_what_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "serial" else find_spec(name, *args),
    )
    run = kiosk(capsys, "devices", "test", "id_card", "--driver", "sam-serial")
    assert_one_line_error(run, "pip install pyserial")


# -- argument and option errors ------------------------------------------------------------------


def test_unknown_driver_names_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    run = kiosk(capsys, "devices", "test", "id_card", "--driver", "sam-usb")
    assert_one_line_error(run, "sam-usb", "sam-serial", "simulated")


def test_unknown_kind_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["devices", "test", "fingerprint"])
    assert exited.value.code == 2
    assert "id_card" in capsys.readouterr().err


@pytest.mark.parametrize("pair", ["port", "=/dev/ttyUSB0"])
def test_malformed_opt_exits_2(capsys: pytest.CaptureFixture[str], pair: str) -> None:
    run = kiosk(capsys, "devices", "test", "id_card", "--opt", pair)
    assert run.code == 2
    assert "KEY=VALUE" in run.err and len(run.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("kind", "pair"),
    [
        ("id_card", "timeout=soon"),  # rejected by the driver's constructor
        ("smart_card", "timeout=0"),  # rejected by the pcsc driver's constructor
        ("lock_board", "boards=many"),  # rejected while parsing the board addresses
        ("keypad", "timeout=soon"),  # not a driver option: rejected by the check itself
    ],
)
def test_a_bad_opt_value_is_a_one_line_usage_error(
    capsys: pytest.CaptureFixture[str], kind: str, pair: str
) -> None:
    # Today these escape `kiosk devices test` as a ValueError traceback.
    run = kiosk(capsys, "devices", "test", kind, "--opt", pair, "--lock", "1:1")
    assert run.code == 2, run
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and pair.partition("=")[0] in lines[0], run.err


# -- id_card -------------------------------------------------------------------------------------


def test_id_card_simulated_prints_every_field_masked(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    run = kiosk(capsys, "devices", "test", "id_card", caplog=caplog, secrets=("王测试",))
    assert run.code == 0, run.err
    fields = run.fields
    assert set(ID_CARD_FIELDS) <= set(fields)
    assert fields["card_type"] == "resident"
    assert fields["name"] == "王**"
    assert fields["id_number"].startswith("110") and "*" in fields["id_number"]
    assert fields["address"].startswith("北京市") and fields["address"].endswith("*")
    assert fields["valid_from"] == "20200101" and fields["valid_to"] == "20400101"
    assert "示例街道" not in run.out


@pytest.fixture
def sam() -> Iterator[SamSimulator]:
    """A standalone SAM reader simulator on a pty, with an invented person's card on it."""
    with SamSimulator() as simulator:
        simulator.present_card(
            name=HOLDER_NAME,
            sex="女",
            nation="汉",
            birth="19870615",
            address=f"广东省深圳市南山区示例路88号{HOLDER_PHONE}",
            id_number=HOLDER_ID,
            issuer="深圳市公安局南山分局",
            valid_from="20150301",
            valid_to="20350301",
        )
        yield simulator


def test_sam_serial_reads_a_standalone_simulator_as_json(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, sam: SamSimulator
) -> None:
    run = kiosk(
        capsys,
        *("devices", "test", "id_card", "--driver", "sam-serial", "--opt", f"port={sam.path}"),
        "--json",
        caplog=caplog,
        secrets=(HOLDER_NAME, "示例路88号"),
    )
    assert run.code == 0, run.err
    card = run.json()
    assert set(ID_CARD_FIELDS) <= set(card)
    assert card["name"].startswith("欧") and set(card["name"][1:]) == {"*"}
    assert card["id_number"].endswith(HOLDER_ID[-4:]) and "*" in card["id_number"]
    assert card["address"].startswith("广东省深圳市") and "*" in card["address"]
    assert card["valid_to"] == "20350301"
    assert sam.received, "the driver never talked to the simulator"


def test_id_card_with_no_card_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], sam: SamSimulator
) -> None:
    sam.remove_card()
    argv = ("devices", "test", "id_card", "--driver", "sam-serial", "--opt", f"port={sam.path}")
    run = kiosk(capsys, *argv, "--opt", "timeout=0.3")
    assert_one_line_error(run, "id_card.no_card")


def test_id_card_reader_that_does_not_answer_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], sam: SamSimulator
) -> None:
    sam.fail("silent")
    argv = ("devices", "test", "id_card", "--driver", "sam-serial", "--opt", f"port={sam.path}")
    run = kiosk(capsys, *argv, "--opt", "timeout=0.2")
    assert run.code == 1 and len(run.err.strip().splitlines()) == 1, run


def test_absent_id_card_reader_fails_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("devices", "test", "id_card", "--driver", "sam-serial")
    run = kiosk(capsys, *argv, "--opt", "port=/dev/nonexistent")
    assert_one_line_error(run, "/dev/nonexistent")


# -- smart_card ----------------------------------------------------------------------------------


def _present_when_created(device: Device) -> None:
    sim(device).present_card(
        CardHolder(
            card_number="S20000002",
            ssn=CARD_HOLDER_SSN,
            name=CARD_HOLDER_NAME,
            sex="2",
            birthplace="320102",
            birth_date=datetime.date(1992, 1, 1),
        )
    )


def test_smart_card_simulated_reads_the_card_masked(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    pcscd: Pcscd,
    created: Created,
) -> None:
    created.prepare = _present_when_created
    run = kiosk(
        capsys,
        *("devices", "test", "smart_card", "--opt", "timeout=5", "--json"),
        caplog=caplog,
        secrets=(CARD_HOLDER_NAME, "S20000002"),
    )
    reader = sim(created.devices[0]).reader_name
    assert wait_for_card_state(reader, present=False), "the card was left in the reader"
    assert run.code == 0, run.err
    card = run.json()
    assert card["atr"].startswith("3B 6C")
    assert card["card_number"].startswith("S20") and "*" in card["card_number"]
    assert card["name"].startswith("钱") and "*" in card["name"]
    assert "*" in card["ssn"] and "*" in card["birth_date"]
    assert card["readable_fields"][0] == "card_number" and "name" in card["readable_fields"]


def test_smart_card_simulated_works_without_a_hand_to_insert_the_card(
    capsys: pytest.CaptureFixture[str], pcscd: Pcscd
) -> None:
    # The id_card simulator puts its demo card on the reader (option demo_card); the smart-card
    # simulator has no such option, so from the command line this always ends in "no card".
    run = kiosk(
        capsys,
        *("devices", "test", "smart_card", "--opt", "demo_card=true", "--opt", "timeout=1"),
        secrets=("王测试",),
    )
    assert wait_for_card_state("Virtual PCD 00 00", present=False)
    assert run.code == 0, run.err
    assert run.fields["name"] == "王**"


@pytest.fixture
def second_slot_card(pcscd: Pcscd) -> Iterator[SocialSecurityCardEmulator]:
    """An invented person's card, inserted into vpcd's second reader and seen by pcscd."""
    emulator = SocialSecurityCardEmulator(
        CardHolder(card_number="S30000003", ssn=CARD_HOLDER_SSN, name=CARD_HOLDER_NAME),
        port=VPCD_PORT + 1,
    )
    emulator.present_card()
    try:
        assert wait_for_card_state(emulator.reader_name, present=True), "pcscd missed the card"
        yield emulator
    finally:
        emulator.close()
        assert wait_for_card_state(emulator.reader_name, present=False)


def test_pcsc_reads_a_standalone_card_in_a_named_reader(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    second_slot_card: SocialSecurityCardEmulator,
) -> None:
    run = kiosk(
        capsys,
        *("devices", "test", "smart_card", "--driver", "pcsc"),
        *("--opt", f"reader={second_slot_card.reader_name}", "--opt", "timeout=5"),
        caplog=caplog,
        secrets=(CARD_HOLDER_NAME, "S30000003"),
    )
    assert run.code == 0, run.err
    assert run.fields["card_number"].startswith("S30") and "*" in run.fields["card_number"]
    assert run.fields["name"].startswith("钱")
    assert second_slot_card.commands, "the card was never asked anything"


def test_pcsc_with_an_unknown_reader_lists_the_readers(
    capsys: pytest.CaptureFixture[str], pcscd: Pcscd
) -> None:
    argv = ("devices", "test", "smart_card", "--driver", "pcsc", "--opt", "reader=ACS ACR39U")
    run = kiosk(capsys, *argv)
    assert_one_line_error(run, "smart_card.no_reader", "Virtual PCD 00 00")


# -- printer -------------------------------------------------------------------------------------


def _printed_qr(simulator: PrinterSimulator) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(simulator.preview().convert("L"))]


def test_printer_simulated_prints_the_test_receipt_and_status(
    capsys: pytest.CaptureFixture[str], created: Created
) -> None:
    run = kiosk(capsys, "devices", "test", "printer")
    assert run.code == 0, run.err
    assert run.fields["printed"] == "True"
    assert "'online': True" in run.fields["status"]
    simulator: PrinterSimulator = sim(created.devices[0])
    assert "打印机测试" in simulator.paper().text and simulator.paper().cuts == 1
    assert _printed_qr(simulator) == ["https://example.invalid/kiosk/printer-test?字=堃"]


def test_escpos_network_prints_on_a_standalone_simulator(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with PrinterSimulator() as simulator:
        run = kiosk(
            capsys,
            *("devices", "test", "printer", "--driver", "escpos-network"),
            *("--opt", "host=127.0.0.1", "--opt", f"port={simulator.port}", "--json"),
        )
        assert simulator.wait_for_cuts(1, timeout=2)
        paper = simulator.paper()
        qr = _printed_qr(simulator)
    assert run.code == 0, run.err
    result = run.json()
    assert result["printed"] is True and result["status"]["online"] is True
    assert "QR" in result["features"] and "STATUS" in result["features"]
    assert "社区自助服务终端" in paper.text and "堃" in paper.text
    assert qr == ["https://example.invalid/kiosk/printer-test?字=堃"]


def test_printer_out_of_paper_fails_and_prints_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with PrinterSimulator() as simulator:
        simulator.fail("paper_out")
        run = kiosk(
            capsys,
            *("devices", "test", "printer", "--driver", "escpos-network"),
            *("--opt", "host=127.0.0.1", "--opt", f"port={simulator.port}"),
        )
        paper = simulator.paper()
    assert_one_line_error(run, "printer.paper_out")
    assert paper.items == []


def test_printer_nobody_listening_fails_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
    run = kiosk(
        capsys,
        *("devices", "test", "printer", "--driver", "escpos-network"),
        *("--opt", "host=127.0.0.1", "--opt", f"port={port}", "--opt", "timeout=1"),
    )
    assert_one_line_error(run, str(port))


# -- lock_board ----------------------------------------------------------------------------------


@pytest.mark.parametrize("family", ["8a", "wkly", "kerong"])
def test_lock_board_simulated_opens_the_lock_and_prints_the_door(
    capsys: pytest.CaptureFixture[str], created: Created, family: str
) -> None:
    argv = ("devices", "test", "lock_board", "--opt", f"family={family}", "--lock", "1:3")
    run = kiosk(capsys, *argv, "--json")
    assert run.code == 0, run.err
    assert run.json() == {
        "board": 1,
        "lock": 3,
        "state": "open",
        "feedback": "locked-short fits (the door read closed, then open)",
    }
    assert sim(created.devices[0]).opened == [(1, 3)]


@pytest.fixture
def bus() -> Iterator[LockBusSimulator]:
    """A standalone bus of two 8A boards on a pty."""
    with LockBusSimulator("8a", boards=2) as simulator:
        yield simulator


def test_lockboard_8a_opens_a_lock_on_a_standalone_bus(
    capsys: pytest.CaptureFixture[str], bus: LockBusSimulator
) -> None:
    argv = ("devices", "test", "lock_board", "--driver", "lockboard-8a")
    run = kiosk(capsys, *argv, "--opt", f"port={bus.port}", "--opt", "boards=2", "--lock", "2:5")
    assert run.code == 0, run.err
    assert run.fields == {
        "board": "2",
        "lock": "5",
        "state": "open",
        "feedback": "locked-short fits (the door read closed, then open)",
    }
    assert bus.opened == [(2, 5)] and bus.door_open(2, 5)


def test_jammed_lock_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], bus: LockBusSimulator
) -> None:
    bus.jam(1, 4)
    argv = (
        "devices",
        "test",
        "lock_board",
        "--driver",
        "lockboard-8a",
        "--opt",
        f"port={bus.port}",
    )
    run = kiosk(capsys, *argv, "--opt", "open_timeout=0.2", "--lock", "1:4")
    assert_one_line_error(run, "lock.jammed")
    assert bus.opened == [(1, 4)]


def test_silent_board_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], bus: LockBusSimulator
) -> None:
    bus.fail("silent")
    argv = (
        "devices",
        "test",
        "lock_board",
        "--driver",
        "lockboard-8a",
        "--opt",
        f"port={bus.port}",
    )
    run = kiosk(capsys, *argv, "--opt", "timeout=0.05", "--opt", "retries=0", "--lock", "1:1")
    assert_one_line_error(run, "lock.no_reply")


def test_absent_lock_board_fails_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("devices", "test", "lock_board", "--driver", "lockboard-8a")
    run = kiosk(capsys, *argv, "--opt", "port=/dev/nonexistent", "--lock", "1:1")
    assert_one_line_error(run, "/dev/nonexistent")


def test_lock_board_without_lock_says_to_pass_lock(capsys: pytest.CaptureFixture[str]) -> None:
    run = kiosk(capsys, "devices", "test", "lock_board")
    assert run.code != 0 and run.out == ""
    # The message must name the option this command has (`--lock 1:3`), not `--param`.
    assert "--lock" in run.err and "--param" not in run.err, run.err


@pytest.mark.parametrize(("lock", "says"), [("three", "BOARD:LOCK"), ("9:1", "board 9")])
def test_lock_board_with_a_bad_lock_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], lock: str, says: str
) -> None:
    run = kiosk(capsys, "devices", "test", "lock_board", "--lock", lock)
    assert_one_line_error(run, says)


# -- scanner -------------------------------------------------------------------------------------

HEALTH_CODE = f"HC1:{HOLDER_ID}:{HOLDER_PHONE}:绿码"


def test_scanner_simulated_prints_the_next_code_masked(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    act_when_waiting(monkeypatch, scanner_check, lambda d: sim(d).scan(HEALTH_CODE))
    run = kiosk(capsys, "devices", "test", "scanner", "--opt", "timeout=5", caplog=caplog)
    assert run.code == 0, run.err
    assert run.fields["length"] == str(len(HEALTH_CODE))
    assert run.fields["ascii"] == "False"
    assert run.fields["code"].startswith("HC1") and "*" in run.fields["code"]


def test_scanner_serial_reads_a_standalone_simulator(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with ScannerSimulator() as simulator:
        act_when_waiting(monkeypatch, scanner_check, lambda _: simulator.scan("PICKUP-0042"))
        argv = ("devices", "test", "scanner", "--driver", "scanner-serial")
        run = kiosk(
            capsys, *argv, "--opt", f"port={simulator.path}", "--opt", "timeout=5", "--json"
        )
    assert run.code == 0, run.err
    result = run.json()
    assert result["length"] == len("PICKUP-0042") and result["ascii"] is True
    assert result["code"] != "PICKUP-0042" and result["code"].endswith("0042")


def test_scanner_with_nothing_scanned_times_out_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = kiosk(capsys, "devices", "test", "scanner", "--opt", "timeout=0.1")
    assert_one_line_error(run, "scanner.no_code")


def test_absent_scanner_fails_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("devices", "test", "scanner", "--driver", "scanner-serial")
    run = kiosk(capsys, *argv, "--opt", "port=/dev/nonexistent")
    assert_one_line_error(run, "/dev/nonexistent")


# -- keypad, speaker, recognizer, headset --------------------------------------------------------


def test_keypad_simulated_reports_the_key_pressed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    act_when_waiting(monkeypatch, keypad_check, lambda d: sim(d).press("#"))
    run = kiosk(capsys, "devices", "test", "keypad", "--opt", "timeout=5", "--json")
    assert run.code == 0, run.err
    assert run.json()["key"] == "#"


def test_keypad_with_no_press_times_out_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    run = kiosk(capsys, "devices", "test", "keypad", "--opt", "timeout=0.1")
    assert_one_line_error(run, "keypad.no_key")


def test_unplugged_keypad_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], created: Created
) -> None:
    created.prepare = lambda device: sim(device).fail("unplugged")
    run = kiosk(capsys, "devices", "test", "keypad")
    assert_one_line_error(run, "keypad.disconnected")


def test_speaker_simulated_speaks_both_languages(
    capsys: pytest.CaptureFixture[str], created: Created
) -> None:
    run = kiosk(capsys, "devices", "test", "speaker", "--json")
    assert run.code == 0, run.err
    assert set(run.json()) == {"zh_CN", "en"}
    spoken = sim(created.devices[0]).spoken
    assert [(u.language, u.text) for u in spoken] == list(run.json().items())


def test_speaker_without_audio_device_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], created: Created
) -> None:
    created.prepare = lambda device: sim(device).fail("no_audio_device")
    run = kiosk(capsys, "devices", "test", "speaker", "--opt", "timeout=2")
    assert_one_line_error(run, "no_audio_device")


def test_speaker_simulated_cannot_write_audio_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "check.wav"
    run = kiosk(capsys, "devices", "test", "speaker", "--opt", f"out={out}")
    assert_one_line_error(run, "speaker.no_audio")
    assert not out.exists()


def test_recognizer_simulated_matches_what_it_heard(
    capsys: pytest.CaptureFixture[str], created: Created
) -> None:
    created.prepare = lambda device: sim(device).hear("是的")
    argv = ("devices", "test", "recognizer", "--phrases", "是的,不是", "--opt", "timeout=2")
    run = kiosk(capsys, *argv, "--json")
    assert run.code == 0, run.err
    assert run.json() == {"text": "是的", "phrase": "是的", "phrases": ["是的", "不是"]}
    assert sim(created.devices[0]).grammars == [["是的", "不是"]]


def test_recognizer_without_microphone_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], created: Created
) -> None:
    created.prepare = lambda device: sim(device).fail("no_microphone")
    run = kiosk(capsys, "devices", "test", "recognizer", "--phrases", "是,否")
    assert_one_line_error(run, "recognizer.no_microphone")


@pytest.mark.parametrize("plugged", [False, True])
def test_headset_simulated_reports_the_jack(
    capsys: pytest.CaptureFixture[str], created: Created, plugged: bool
) -> None:
    if plugged:
        created.prepare = lambda device: sim(device).plug()
    run = kiosk(capsys, "devices", "test", "headset", "--json")
    assert run.code == 0, run.err
    assert run.json() == {"plugged": plugged}
