"""Payment orders of the demo back office: issued with a QR code URL, polled by the kiosk, paid,
cancelled or expired by a test or a staff member (or paid by themselves after a few polls), and
expired by the back office's clock after `expires_in` seconds."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any, Literal

from kiosk.backoffice.demo_data import DemoData

EXPIRES_IN = 300
"""Seconds an order waits to be paid."""

Outcome = Literal["paid", "cancelled", "expired"]


class Payments:
    """Orders kept in the demo data; `auto_pay_after`: an order is paid at that poll (None:
    only when told)."""

    def __init__(
        self,
        data: DemoData,
        number: Callable[[str], int],
        auto_pay_after: int | None = None,
        expires_in: int = EXPIRES_IN,
    ) -> None:
        self._data = data
        self._number = number
        self.auto_pay_after = auto_pay_after
        self.expires_in = expires_in

    def create(self, purpose: dict[str, Any], amount: float) -> dict[str, Any]:
        """Issue an order for `purpose` (kept with it: what it was for)."""
        order = f"PO{self._number('orders'):06d}"
        with self._data.transaction() as db:
            db.execute(
                "INSERT INTO orders (id, purpose, amount, created_at, expires_in, status)"
                " VALUES (?, ?, ?, ?, ?, 'pending')",
                (order, json.dumps(purpose), amount, self._data.now(), self.expires_in),
            )
            self._data.added("orders")
        return {
            "order": order,
            "amount": amount,
            "qr": f"https://pay.example.invalid/o/{order}",
            "expires_in": self.expires_in,
        }

    def poll(self, order: str) -> dict[str, Any] | None:
        """Where an order stands (a poll: it counts towards `auto_pay_after`), or None."""
        with self._data.transaction() as db:
            row = db.execute("SELECT * FROM orders WHERE id = ?", (order,)).fetchone()
            if row is None:
                return None
            polls = row["polls"] + 1
            db.execute("UPDATE orders SET polls = ? WHERE id = ?", (polls, order))
        if row["status"] == "pending":
            if self._expired(row):
                return self.settle(order, "expired")
            if self.auto_pay_after is not None and polls >= self.auto_pay_after:
                return self.settle(order, "paid")
        return self.get(order)

    def get(self, order: str) -> dict[str, Any] | None:
        """Where an order stands, without counting a poll."""
        with self._data.transaction() as db:
            row = db.execute("SELECT * FROM orders WHERE id = ?", (order,)).fetchone()
        if row is None:
            return None
        if row["status"] == "pending" and self._expired(row):
            return self.settle(order, "expired")
        found = {"order": row["id"], "status": row["status"]}
        if row["status"] == "paid":
            found.update(paid_at=row["paid_at"], receipt_no=row["receipt_no"])
        return found

    def settle(self, order: str, outcome: Outcome) -> dict[str, Any] | None:
        """End a pending order as paid, cancelled or expired; an ended order stays as it is."""
        now = self._data.now()
        with self._data.transaction() as db:
            row = db.execute("SELECT * FROM orders WHERE id = ?", (order,)).fetchone()
            if row is None:
                return None
            if row["status"] == "pending":
                if outcome == "paid" and self._expired(row):
                    outcome = "expired"  # too late to pay
                paid_at = receipt = None
                if outcome == "paid":
                    paid_at = datetime.datetime.fromtimestamp(now).replace(microsecond=0)
                    receipt = f"PR{order[2:]}"
                db.execute(
                    "UPDATE orders SET status = ?, paid_at = ?, receipt_no = ? WHERE id = ?",
                    (outcome, paid_at and paid_at.isoformat(), receipt, order),
                )
        return self.get(order)

    def _expired(self, row: Any) -> bool:
        return bool(self._data.now() >= row["created_at"] + row["expires_in"])
