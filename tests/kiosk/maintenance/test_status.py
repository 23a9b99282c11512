"""The status page's receipt paper: enough, nearly out, out, or no printer, as the printer says."""

from __future__ import annotations

from kiosk.maintenance.status import DeviceStatus, paper_state
from peripherals.status import Health, State


def test_the_paper_is_read_from_the_printers_health() -> None:
    def printer(health: Health) -> list[DeviceStatus]:
        return [DeviceStatus("scanner", "scanner", Health(State.ONLINE)),
                DeviceStatus("printer", "printer", health)]  # fmt: skip

    assert paper_state(printer(Health(State.ONLINE))) == "ok"
    low = Health(State.ONLINE, "printer.paper_low", "paper near end", {"paper_low": True})
    assert paper_state(printer(low)) == "near_end"
    assert paper_state(printer(Health(State.MEDIA_PROBLEM, "printer.paper_out"))) == "out"
    assert paper_state([]) == "none"
