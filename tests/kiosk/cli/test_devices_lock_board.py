"""`kiosk devices test lock_board` with boards as installed, and `--opt` values read as TOML.

Needs no pcscd (unlike tests/kiosk/cli/test_devices.py, which also tests smart cards): the
boards are the pty simulators.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from kiosk.cli import main
from kiosk.cli.devices import BadOptionValue, option_value
from peripherals.lock_board.simulator import LockBusSimulator


@dataclass
class Run:
    """What one `kiosk ...` invocation returned and printed."""

    code: int
    out: str
    err: str

    @property
    def fields(self) -> dict[str, str]:
        pairs = (line.partition(": ") for line in self.out.splitlines())
        return {key: value for key, sep, value in pairs if sep}


def kiosk(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    try:
        code = main(list(argv))
    except Exception as exc:  # the CLI must turn every failure into a one-line message
        pytest.fail(f"`kiosk {' '.join(argv)}` raised {type(exc).__name__}: {exc}")
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return Run(code, captured.out, captured.err)


def assert_usage_error(run: Run, *fragments: str) -> None:
    """Exit 2 and one stderr line naming every fragment."""
    assert run.code == 2, run
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got: {run.err!r}"
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} missing from {lines[0]!r}"


@pytest.fixture
def wkly() -> Iterator[LockBusSimulator]:
    """One WKLY board at address 0, as LockDemo's boards are installed."""
    with LockBusSimulator("wkly", boards=[0]) as simulator:
        yield simulator


def test_a_wkly_board_at_address_zero_opens_from_the_command_line(
    capsys: pytest.CaptureFixture[str], wkly: LockBusSimulator
) -> None:
    argv = ("devices", "test", "lock_board", "--driver", "lockboard-wkly")
    run = kiosk(capsys, *argv, "--opt", f"port={wkly.port}", "--opt", "boards=[0]", "--lock", "0:1")
    assert run.code == 0, run.err
    assert run.fields == {
        "board": "0",
        "lock": "1",
        "state": "open",
        "feedback": "locked-short fits (the door read closed, then open)",
    }
    assert wkly.opened == [(0, 1)]


@pytest.mark.parametrize("boards", ["[0]", "[ 0, 1 ]", "0-1", '"0-1"'])
def test_the_simulated_family_takes_board_lists_and_ranges(
    capsys: pytest.CaptureFixture[str], boards: str
) -> None:
    argv = ("devices", "test", "lock_board", "--opt", "family=wkly", "--opt", f"boards={boards}")
    run = kiosk(capsys, *argv, "--lock", "0:2", "--json")
    assert run.code == 0, run.err
    assert json.loads(run.out) == {
        "board": 0,
        "lock": 2,
        "state": "open",
        "feedback": "locked-short fits (the door read closed, then open)",
    }


def test_a_table_value_reaches_the_driver(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("devices", "test", "lock_board", "--opt", "family=wkly", "--opt", "locks_per_board=12")
    run = kiosk(capsys, *argv, "--opt", 'light_channels={"1" = 2}', "--lock", "0:1")
    # The table arrived whole: the driver refuses it for the right reason.
    assert_usage_error(run, "light_channels", "drives lock 2")


@pytest.mark.parametrize(
    ("pair", "says"),
    [
        ("boards=[0", "boards"),  # a list that is not one
        ('boards="0', "boards"),
        ("wire_time=True", "true"),  # not TOML; as text it would read as true, even False
        ("boards=0", "boards = [0]"),  # a count of none: the board at 0 is written [0]
        ("boards=[32]", "0-31"),  # WKLY boards are addressed 0-31
        ("boards=many", "boards"),
    ],
)
def test_a_bad_opt_value_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], pair: str, says: str
) -> None:
    argv = ("devices", "test", "lock_board", "--opt", "family=wkly", "--opt", pair)
    assert_usage_error(kiosk(capsys, *argv, "--lock", "0:1"), says)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("[0]", [0]),
        ("[0, 1, 2]", [0, 1, 2]),
        (
            '{"2" = {order = "high_first", open_bit = 0}}',
            {"2": {"order": "high_first", "open_bit": 0}},
        ),
        ("0", 0),
        ("0.25", 0.25),
        ("true", True),
        ("false", False),
        ('"quoted text"', "quoted text"),
        ("'literal'", "literal"),
        ("/dev/ttyUSB0", "/dev/ttyUSB0"),  # not TOML, unambiguously text
        ("192.168.1.50", "192.168.1.50"),
        ("COM3", "COM3"),
        ("一,二,三", "一,二,三"),
        ("0-3", "0-3"),
        ("", ""),
    ],
)
def test_opt_values_are_read_as_in_the_devices_table(text: str, value: Any) -> None:
    assert option_value(text) == value
    assert type(option_value(text)) is type(value)


@pytest.mark.parametrize("text", ["[0", "{a = ", '"open', "'open", "True", "FALSE", "1\nx = 2"])
def test_values_that_meant_toml_but_are_not_are_refused(text: str) -> None:
    with pytest.raises(BadOptionValue):
        option_value(text)


def test_a_door_read_the_wrong_way_round_is_told_which_feedback_fits(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with LockBusSimulator("8a", boards=[1], feedback="unlocked-short") as sim:
        argv = ("devices", "test", "lock_board", "--driver", "lockboard-8a")
        options = ("--opt", f"port={sim.port}", "--opt", "open_timeout=0.2")
        run = kiosk(capsys, *argv, *options, "--lock", "1:1")
        assert run.code == 1
        assert 'set feedback = "unlocked-short"' in run.err
        assert sim.door_open(1, 1)
        fixed = kiosk(capsys, *argv, *options, "--opt", "feedback=unlocked-short", "--lock", "1:2")
    assert fixed.code == 0, fixed.err
    assert fixed.fields["state"] == "open"
    assert fixed.fields["feedback"].startswith("unlocked-short fits")
