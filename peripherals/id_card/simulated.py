"""Driver `simulated`: the real `sam-serial` driver talking to a `SamSimulator` on a pty."""

from __future__ import annotations

from typing import ClassVar

from peripherals.events import Dispatcher
from peripherals.id_card.base import PhotoDecoder
from peripherals.id_card.sam_serial import SamSerialReader
from peripherals.id_card.simulator import SamSimulator


class SimulatedIdCardReader(SamSerialReader):
    """A `sam-serial` reader wired to an in-process simulator, reachable as `.simulator`.

    Options (all optional): `demo_card` (present an invented resident card on first open,
    default True), `timeout`, `poll_interval`, `fingerprint`, `photo_decoder`.
    """

    driver: ClassVar[str] = "simulated"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        demo_card: bool = True,
        timeout: float = 1.0,
        poll_interval: float = 0.05,
        fingerprint: bool = False,
        photo_decoder: PhotoDecoder | str | None = None,
    ) -> None:
        super().__init__(
            name,
            dispatcher,
            timeout=timeout,
            poll_interval=poll_interval,
            fingerprint=fingerprint,
            photo_decoder=photo_decoder,
        )
        self.simulator = SamSimulator()
        """The simulated reader: present cards and inject faults here."""
        self._demo_pending = demo_card

    def _do_open(self) -> None:
        self.port = self.simulator.start()
        if self._demo_pending:
            self._demo_pending = False
            self.simulator.present_card()
        try:
            super()._do_open()
        except BaseException:
            self.simulator.stop()
            raise

    def _do_close(self) -> None:
        try:
            super()._do_close()
        finally:
            self.simulator.stop()
