"""The menu offers a terminal only the flows meant for its mode."""

from __future__ import annotations

from kiosk.flow.loader import DEFAULT_FLOWS_DIR, load_flows
from kiosk.session.menu import for_mode

FLOWS = load_flows([DEFAULT_FLOWS_DIR]).flows


def test_government_flows_stay_off_parcel_lockers() -> None:
    certificate = FLOWS["si-certificate"]
    assert for_mode(certificate, "government")
    assert not for_mode(certificate, "locker")


def test_a_flow_may_serve_both_kinds_of_terminal() -> None:
    feedback = FLOWS["resident-feedback"]
    assert for_mode(feedback, "government") and for_mode(feedback, "locker")
