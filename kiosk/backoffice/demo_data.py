"""The demo back office's invented world in SQLite: residents' insurance, bills, requests and
notices, created on start (in a file of the folder given, or in memory).

Nobody here is real. A resident is known by any ID number with a valid check character; what
their records say is derived from a hash of the number, and only that hash is stored. Accounts are
6-20 digits; one beginning with 9 is unknown (to try a refusal). Seeded references to look up:
requests `26110001` (replied) and `26110002` (assigned).
"""

from __future__ import annotations

import datetime
import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.backoffice.demo_notices import NOTICES
from kiosk.flow.dates import DateError, age
from kiosk.privacy.masking import scrub
from peripherals.id_card.id_number import is_valid

FILE_NAME = "backoffice.sqlite3"

ELIGIBLE_AGE = 80
RESIDENT_CONTRIBUTION = 400.0
"""Yuan a year of urban and rural resident medical insurance (invented, about the real one)."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS bills (account TEXT NOT NULL, kind TEXT NOT NULL,"
    " holder TEXT NOT NULL, amount_due REAL NOT NULL, period TEXT NOT NULL,"
    " due_date TEXT NOT NULL, PRIMARY KEY (account, kind))",
    "CREATE TABLE IF NOT EXISTS contributions (resident TEXT NOT NULL, year INTEGER NOT NULL,"
    " amount REAL NOT NULL, paid_on TEXT NOT NULL, PRIMARY KEY (resident, year))",
    "CREATE TABLE IF NOT EXISTS applications (reference TEXT PRIMARY KEY,"
    " resident TEXT NOT NULL UNIQUE, household TEXT NOT NULL, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS requests (reference TEXT PRIMARY KEY, category TEXT NOT NULL,"
    " place TEXT NOT NULL, text TEXT NOT NULL, status TEXT NOT NULL, department TEXT,"
    " reply TEXT, updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS notices (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
    " title TEXT NOT NULL, published TEXT NOT NULL, summary TEXT NOT NULL, body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, purpose TEXT NOT NULL,"
    " amount REAL NOT NULL, created_at REAL NOT NULL, expires_in INTEGER NOT NULL,"
    " status TEXT NOT NULL, polls INTEGER NOT NULL DEFAULT 0, paid_at TEXT, receipt_no TEXT)",
)

_SURNAMES = "林王李张刘陈杨黄赵吴周徐孙马朱胡郭何高罗"
_UNITS = (
    "幸福里社区服务中心",
    "示例科技有限公司",
    "演示物流有限公司",
    "样例食品加工厂",
    "灵活就业人员",
)
_SEEDED_REQUESTS = (
    ("26110001", "environment", "3号楼北侧", "路灯不亮", "replied", "街道城管科",
     "已安排维修，路灯于11月8日恢复照明。", "2026-11-08T16:20:00"),
    ("26110002", "facilities", "小区东门", "门禁经常失灵", "assigned", "物业服务中心",
     None, "2026-11-21T09:05:00"),
)  # fmt: skip


def seed(text: str) -> int:
    """A stable number derived from `text` (the same input always invents the same record)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def resident_key(id_number: str) -> str:
    """What the store keeps of an ID number: a hash, never the number."""
    return hashlib.sha256(f"resident:{id_number.upper()}".encode()).hexdigest()[:32]


def valid_id(id_number: str) -> bool:
    """A valid check character and a real birth date."""
    if not is_valid(id_number):
        return False
    try:
        datetime.date.fromisoformat(f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}")
    except ValueError:
        return False
    return True


class DemoData:
    """The invented records; `folder=None` keeps them in memory. Thread-safe."""

    def __init__(self, folder: Path | None, now: Callable[[], float]) -> None:
        self.path = None if folder is None else folder / FILE_NAME
        self.now = now
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            ":memory:" if self.path is None else str(self.path),
            isolation_level=None,
            check_same_thread=False,
        )
        self._db.row_factory = sqlite3.Row
        if self.path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        with self.transaction() as db:
            for statement in _SCHEMA:
                db.execute(statement)
            if db.execute("SELECT COUNT(*) FROM notices").fetchone()[0] == 0:
                self._seed(db)

    def _seed(self, db: sqlite3.Connection) -> None:
        for notice in NOTICES:
            db.execute(
                "INSERT INTO notices (kind, title, published, summary, body) VALUES (?,?,?,?,?)",
                (notice.kind, notice.title, notice.published, notice.summary, notice.body),
            )
        db.executemany("INSERT INTO requests VALUES (?,?,?,?,?,?,?,?)", _SEEDED_REQUESTS)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection inside one transaction (committed, or rolled back on an error); one
        opened inside another joins it."""
        with self._lock:
            if self._db.in_transaction:
                yield self._db
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        """Close the file (or drop the memory)."""
        with self._lock:
            self._db.close()

    # Social and medical insurance ----------------------------------------------------------

    def certificate(self, id_number: str, kind: str) -> dict[str, Any]:
        """A social insurance certificate for an invented resident."""
        number = seed(id_number)
        months = 12 + number % 220
        year = self.today().year
        return {
            "type": kind,
            "pages": 1 if kind == "personal" else 1 + months // 60,
            "insured_since": f"{year - months // 12 - 1}-{number % 12 + 1:02d}",
            "unit": _UNITS[number % len(_UNITS)],
            "months": months,
            "verify_code": f"https://si.example.invalid/verify/SI{number:08d}",
        }

    def collection_year(self) -> int:
        """The medical contribution year being collected (next year's from September on)."""
        today = self.today()
        return today.year + 1 if today.month >= 9 else today.year

    def medical_status(self, id_number: str) -> dict[str, Any]:
        """An invented resident's medical insurance and recent payments."""
        number = seed(f"medical:{id_number}")
        year = self.collection_year()
        if number % 5 == 0:  # an employee: the employer pays every month
            records = [
                {"period": period, "amount": round(180 + number % 200, 2), "paid_on": paid_on}
                for period, paid_on in self._months_back(3)
            ]
            return {
                "insured": True,
                "category": "employee",
                "year": year,
                "paid": True,
                "amount_due": 0.0,
                "records": records,
            }
        key = resident_key(id_number)
        with self._lock:
            paid = self._db.execute(
                "SELECT year, amount, paid_on FROM contributions WHERE resident = ?"
                " ORDER BY year DESC",
                (key,),
            ).fetchall()
        years_paid = {row["year"] for row in paid}
        records = [
            {"period": str(row["year"]), "amount": row["amount"], "paid_on": row["paid_on"]}
            for row in paid
        ]
        insured = number % 7 != 0  # some never enrolled: they may start by paying
        if insured:
            for back in (1, 2):
                if year - back not in years_paid:
                    records.append(
                        {
                            "period": str(year - back),
                            "amount": RESIDENT_CONTRIBUTION - 20 * back,
                            "paid_on": f"{year - back - 1}-{10 + number % 3}-{1 + number % 27:02d}",
                        }
                    )
        paid_now = year in years_paid
        return {
            "insured": insured or paid_now,
            "category": "urban_resident",
            "year": year,
            "paid": paid_now,
            "amount_due": 0.0 if paid_now else RESIDENT_CONTRIBUTION,
            "records": records,
        }

    def _months_back(self, count: int) -> list[tuple[str, str]]:
        today = self.today()
        found = []
        year, month = today.year, today.month
        for _ in range(count):
            month -= 1
            if month == 0:
                year, month = year - 1, 12
            found.append((f"{year}-{month:02d}", f"{year}-{month:02d}-15"))
        return found

    def record_contribution(self, id_number_key: str, year: int, amount: float) -> None:
        """A paid medical order: the year's contribution is paid."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO contributions VALUES (?, ?, ?, ?)",
                (id_number_key, year, amount, self.today().isoformat()),
            )

    # Utility bills -------------------------------------------------------------------------

    def bill(self, account: str, kind: str) -> dict[str, Any] | None:
        """The bill of a known account (invented on first sight), or None."""
        if not (account.isascii() and account.isdigit() and 6 <= len(account) <= 20):
            return None
        if account.startswith("9"):
            return None
        with self.transaction() as db:
            row = db.execute(
                "SELECT * FROM bills WHERE account = ? AND kind = ?", (account, kind)
            ).fetchone()
            if row is None:
                number = seed(f"{kind}:{account}")
                today = self.today()
                period = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
                due = today.replace(day=1) + datetime.timedelta(days=40)
                row = {
                    "account": account,
                    "kind": kind,
                    "holder": _SURNAMES[number % len(_SURNAMES)] + "**",
                    "amount_due": round((number % 40000) / 100 + 20, 2),
                    "period": period,
                    "due_date": due.replace(day=min(due.day, 25)).isoformat(),
                }
                db.execute(
                    "INSERT INTO bills VALUES (:account, :kind, :holder, :amount_due,"
                    " :period, :due_date)",
                    row,
                )
                return dict(row)
        return dict(row)

    def pay_bill(self, account: str, kind: str, amount: float) -> None:
        """A paid bill order: the amount comes off what is due."""
        with self.transaction() as db:
            db.execute(
                "UPDATE bills SET amount_due = MAX(0, ROUND(amount_due - ?, 2))"
                " WHERE account = ? AND kind = ?",
                (amount, account, kind),
            )

    # Elderly allowance ---------------------------------------------------------------------

    def eligibility(self, id_number: str) -> dict[str, Any]:
        """Whether an invented resident may apply for the elderly allowance."""
        try:
            years = age(id_number, self.today())
        except DateError:
            years = 0
        with self._lock:
            applied = self._db.execute(
                "SELECT 1 FROM applications WHERE resident = ?", (resident_key(id_number),)
            ).fetchone()
        if years < ELIGIBLE_AGE:
            return {"eligible": False, "age": years, "monthly_amount": 0.0, "reason": "too_young"}
        monthly = 100.0 if years < 90 else 300.0 if years < 100 else 500.0
        if applied:
            return {
                "eligible": False,
                "age": years,
                "monthly_amount": monthly,
                "reason": "already_applied",
            }
        return {"eligible": True, "age": years, "monthly_amount": monthly}

    def apply_allowance(self, id_number: str, household: str, reference: str) -> None:
        """Keep an application (the resident's hash, never the number)."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO applications VALUES (?, ?, ?, ?)",
                (reference, resident_key(id_number), household, self._now_text()),
            )

    # Resident requests ---------------------------------------------------------------------

    def add_request(self, reference: str, body: dict[str, Any]) -> None:
        """Register a resident's request (the callback phone is not kept here)."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO requests VALUES (?, ?, ?, ?, 'received', NULL, NULL, ?)",
                (
                    reference,
                    scrub(body["category"]),
                    scrub(body["place"]),
                    scrub(body["text"]),
                    self._now_text(),
                ),
            )

    def request(self, reference: str) -> dict[str, Any] | None:
        """Where a request stands, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT reference, status, category, department, reply, updated_at"
                " FROM requests WHERE reference = ?",
                (reference,),
            ).fetchone()
        if row is None:
            return None
        found = dict(row)
        return {k: v for k, v in found.items() if v is not None}

    def reply_request(self, reference: str, department: str, reply: str) -> bool:
        """A department answers a request; False if there is no such request."""
        with self.transaction() as db:
            return bool(
                db.execute(
                    "UPDATE requests SET status = 'replied', department = ?, reply = ?,"
                    " updated_at = ? WHERE reference = ?",
                    (department, reply, self._now_text(), reference),
                ).rowcount
            )

    # Notices -------------------------------------------------------------------------------

    def notices(self, kind: str | None, page: int, per_page: int) -> dict[str, Any]:
        """A page of notice summaries, newest first."""
        with self._lock:
            total = self._db.execute(
                "SELECT COUNT(*) FROM notices WHERE ? IS NULL OR kind = ?", (kind, kind)
            ).fetchone()[0]
            rows = self._db.execute(
                "SELECT id, title, published, summary FROM notices WHERE ? IS NULL OR kind = ?"
                " ORDER BY published DESC, id LIMIT ? OFFSET ?",
                (kind, kind, per_page, (page - 1) * per_page),
            ).fetchall()
        pages = (total + per_page - 1) // per_page
        return {"items": [dict(r) for r in rows], "page": page, "pages": pages, "total": total}

    def notice(self, notice_id: int) -> dict[str, Any] | None:
        """One whole notice, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, kind, title, published, body FROM notices WHERE id = ?", (notice_id,)
            ).fetchone()
        return None if row is None else dict(row)

    def today(self) -> datetime.date:
        """The date by the back office's clock."""
        return datetime.date.fromtimestamp(self.now())

    def _now_text(self) -> str:
        return datetime.datetime.fromtimestamp(self.now()).replace(microsecond=0).isoformat()
