"""What simulated devices present during a scripted run."""

from __future__ import annotations

from typing import Any

from kiosk.simulation import ScriptedPresenter


class Scanner:
    """A scanner simulator's switches, noting what it was given."""

    def __init__(self) -> None:
        self.simulator = self
        self.scanned: list[str] = []

    def fail(self, fault: Any) -> None:
        assert fault is None

    def scan(self, code: str) -> None:
        self.scanned.append(code)


def test_a_list_of_codes_is_scanned_one_per_wait_the_last_kept() -> None:
    presenter = ScriptedPresenter({"scanner": ["SF1000000001", {"code": "SF1000000002"}]})
    scanner = Scanner()
    for _ in range(3):
        presenter("scanner", scanner)  # type: ignore[arg-type]
    assert scanner.scanned == ["SF1000000001", "SF1000000002", "SF1000000002"]


def test_null_in_the_list_scans_nothing_at_that_wait_the_code_is_typed() -> None:
    presenter = ScriptedPresenter({"scanner": [None, "SF1000000002"]})
    scanner = Scanner()
    presenter("scanner", scanner)  # type: ignore[arg-type]
    assert scanner.scanned == []  # no fault either: the scanner just waits
    presenter("scanner", scanner)  # type: ignore[arg-type]
    assert scanner.scanned == ["SF1000000002"]
