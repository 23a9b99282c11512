"""What simulated devices present during a scripted run (the answers file's `devices:` section).

    devices:
      id_card: {name: 张三, id_number: "110105198503122317"}   # fields of the card shown
      smart_card: {card_number: S10000001, name: 王测试}         # fields of the card inserted
      scanner: "E10000001"                                      # the code scanned
      scanner: ["SF1000000001", "SF1000000002"]                 # one per wait, the last kept
      scanner: [null, "SF1000000002"]                           # nothing scanned at the first
                                                                # wait (the code is typed)
      printer: true                                             # just print
      id_card: {fault: unreadable}                              # any simulator fault instead
      lock_board: {close_after_reads: 2, jammed: ["1:3"]}       # doors shut by "the courier"
                                                                # once reported open twice;
                                                                # board 1 lock 3 never opens

A device the section does not mention presents nothing: the step fails at once with
`script.nothing_presented` rather than waiting for a card that never comes.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any

from peripherals.device import Device
from peripherals.errors import MediaError


class ScriptedPresenter:
    """Puts what the script says in front of each simulated device as the kiosk starts waiting."""

    def __init__(self, devices: Mapping[str, Any]) -> None:
        self.devices = dict(devices)
        self._waits: dict[str, int] = {}

    def __call__(self, kind: str, device: Device) -> None:
        """Present the scripted card, code or fault to `device` (called before it waits)."""
        entry = self.devices.get(kind)
        simulator: Any = getattr(device, "simulator", None)
        if kind == "lock_board":
            _lock_board(simulator, entry)
            return
        if kind == "scanner" and isinstance(entry, list):
            # one code per wait, in order, the last one repeating; null: nothing is scanned
            index = self._waits[kind] = self._waits.get(kind, -1) + 1
            entry = entry[min(index, len(entry) - 1)] if entry else None
            if entry is None and simulator is not None:
                simulator.fail(None)
                return  # the resident types the code instead
        if entry in (None, False) or simulator is None:
            if kind == "printer" and entry is None and simulator is not None:
                return
            raise MediaError(
                f"the answers file presents nothing to the {kind}", code="script.nothing_presented"
            )
        fault = entry.get("fault") if isinstance(entry, Mapping) else None
        simulator.fail(fault)
        if fault is not None or entry is True:
            return
        if kind == "id_card":
            simulator.present_card(dict(entry))
        elif kind == "smart_card":
            from peripherals.smart_card.emulator import CardHolder

            fields = dict(entry)
            if isinstance(fields.get("birth_date"), str):
                fields["birth_date"] = datetime.date.fromisoformat(fields["birth_date"])
            simulator.present_card(dataclasses.replace(CardHolder(), **fields))
        elif kind == "scanner":
            simulator.scan(str(entry["code"] if isinstance(entry, Mapping) else entry))


def _lock_board(simulator: Any, entry: Any) -> None:
    """How the simulated doors behave: who shuts them, which locks are jammed, faults."""
    if simulator is None or not isinstance(entry, Mapping):
        return
    after = entry.get("close_after_reads")
    simulator.close_after_reads = None if after is None else int(after)
    for where in entry.get("jammed", ()):
        board, _, lock = str(where).partition(":")
        simulator.jam(int(board), int(lock))
    simulator.fail(entry.get("fault"))
