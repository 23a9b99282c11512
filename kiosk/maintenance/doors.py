"""The locker's doors as the service menu sees them, over the lock boards directly (the locker's
own inventory does not exist yet): each door's state, and compartments out of service."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.flow.services import Clock
from kiosk.maintenance.lockout import COMPONENT, MIGRATIONS
from kiosk.storage.database import Database
from peripherals.lock_board.base import DoorState, LockBoard


@dataclass(frozen=True)
class OutOfService:
    """A compartment taken out of service, why and since when."""

    board: int
    lock: int
    reason: str
    since: float


class Doors:
    """Door states of one lock-board device and its compartments out of service."""

    def __init__(self, db: Database, device: LockBoard, clock: Clock) -> None:
        self._db = db
        self.device = device
        self._clock = clock
        db.migrate(COMPONENT, MIGRATIONS)

    def states(self) -> dict[int, dict[int, DoorState]]:
        """Every door of every board, read now (blocking: run it in a thread)."""
        return {board: self.device.door_states(board) for board in self.device.boards}

    def out_of_service(self) -> list[OutOfService]:
        """Compartments out of service, by board and lock."""
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT board, lock, reason, since FROM maintenance_out_of_service"
                " WHERE device = ? ORDER BY board, lock",
                (self.device.name,),
            ).fetchall()
        return [OutOfService(int(r[0]), int(r[1]), str(r[2]), float(r[3])) for r in rows]

    def take_out(self, board: int, lock: int, reason: str) -> bool:
        """Take a compartment out of service; False if it already was."""
        with self._db.transaction() as conn:
            return bool(
                conn.execute(
                    "INSERT OR IGNORE INTO maintenance_out_of_service"
                    " (device, board, lock, reason, since) VALUES (?, ?, ?, ?, ?)",
                    (self.device.name, board, lock, reason, self._clock.now()),
                ).rowcount
            )

    def put_back(self, board: int, lock: int) -> bool:
        """Put a compartment back in service; False if it was not out."""
        with self._db.transaction() as conn:
            return bool(
                conn.execute(
                    "DELETE FROM maintenance_out_of_service"
                    " WHERE device = ? AND board = ? AND lock = ?",
                    (self.device.name, board, lock),
                ).rowcount
            )
