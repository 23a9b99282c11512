"""The `simulated` driver: the real `pcsc` driver reading an emulated card through pcscd + vpcd.

It needs pcscd running with vsmartcard-vpcd installed (never on a production kiosk); without
them it raises `DeviceUnavailable` naming what to start. The card starts outside the reader:
`simulator.present_card()` inserts it, `simulator.fail(...)` injects a fault.
"""

from __future__ import annotations

import logging

from peripherals.errors import DeviceUnavailable
from peripherals.events import Dispatcher
from peripherals.smart_card.emulator import VPCD_PORT, SocialSecurityCardEmulator
from peripherals.smart_card.pcsc import PcscSmartCardReader, list_readers

log = logging.getLogger(__name__)

VPCD_HINT = (
    "the simulated smart card needs pcscd with the vsmartcard-vpcd driver: "
    "apt-get install pcscd vsmartcard-vpcd, then start `pcscd --foreground &` (no systemd) "
    "or `systemctl restart pcscd`"
)


class SimulatedSmartCardReader(PcscSmartCardReader):
    """The pcsc driver on vpcd's reader, with `simulator` as the card.

    Options: `port` (the vpcd slot), `timeout`, `demo_card` (insert the invented card at open).
    """

    driver = "simulated"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        port: int = VPCD_PORT,
        timeout: float = 5.0,
        demo_card: bool = False,
    ) -> None:
        self.simulator = SocialSecurityCardEmulator(port=port)
        self._demo_card = demo_card
        super().__init__(name, dispatcher, reader=self.simulator.reader_name, timeout=timeout)

    def _do_open(self) -> None:
        try:
            names = list_readers()
        except DeviceUnavailable as exc:
            raise DeviceUnavailable(f"{VPCD_HINT} ({exc})", code="smart_card.no_vpcd") from exc
        if self.simulator.reader_name not in names:
            raise DeviceUnavailable(
                f"pcscd runs but has no reader {self.simulator.reader_name!r}: {VPCD_HINT}",
                code="smart_card.no_vpcd",
            )
        super()._do_open()
        if self._demo_card:
            self.simulator.present_card()

    def _do_close(self) -> None:
        # disconnect while the card is still in: pcscd marks a reader empty when powering down
        # a vanished card before its poll notices, then misses the next quick insertion.
        # Then remove the card: that releases any command a `mute` fault holds inside pcscd.
        self._drop_session()
        self.simulator.close()
        super()._do_close()
