"""The demo back office's invented world in SQLite: residents' insurance, bills, requests and
notices, created on start (in a file of the folder given, or in memory).

Nobody here is real. A resident is known by any ID number with a valid check character; what
their records say is derived from a hash of the number, and only that hash is stored. An account
is digits; one beginning with 000 is unknown (to try a refusal). Requests to look up from the
start: `SQ000001` (replied) and `SQ000002` (assigned). Paying an order changes no record: the
same answers work again and again.
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
KEPT_IN_MEMORY = 10_000
"""Rows of each growing table (bills seen, orders, requests, applications) kept in memory."""

REFUSED_LISTED = 200
"""Refused waybills a courier's sign-in lists at most (the newest)."""
ELIGIBLE_AGE = 80
RESIDENT_CONTRIBUTION = 380.0
"""Yuan a year of urban and rural resident medical insurance (invented, about the real one)."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS bills (account TEXT NOT NULL, kind TEXT NOT NULL,"
    " holder TEXT NOT NULL, amount_due REAL NOT NULL, period TEXT NOT NULL,"
    " due_date TEXT NOT NULL, PRIMARY KEY (account, kind))",
    "CREATE TABLE IF NOT EXISTS applications (reference TEXT PRIMARY KEY,"
    " resident TEXT NOT NULL, household TEXT NOT NULL, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS requests (reference TEXT PRIMARY KEY, category TEXT NOT NULL,"
    " place TEXT NOT NULL, text TEXT NOT NULL, status TEXT NOT NULL, department TEXT,"
    " reply TEXT, updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS notices (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
    " title TEXT NOT NULL, published TEXT NOT NULL, summary TEXT NOT NULL, body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS refused_waybills (waybill TEXT PRIMARY KEY,"
    " company TEXT NOT NULL, refused_at TEXT NOT NULL)",
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
UNKNOWN_PREFIX = "000"
"""Accounts beginning so are unknown: the refusal path, typed on a keypad."""
REQUEST_PREFIX = "SQ"
_SEEDED_REQUESTS = (
    ("SQ000001", "repairs", "3号楼", "楼道灯坏了", "replied", "物业服务中心",
     "您反映的3号楼楼道灯已于12月3日更换，感谢您的监督。", "2026-12-03T09:30:00"),
    ("SQ000002", "environment", "小区东门", "垃圾桶满了", "assigned", "街道城管科",
     None, "2026-12-04T15:00:00"),
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

    def added(self, table: str) -> None:
        """A row was added to `table`: in memory, the oldest beyond `KEPT_IN_MEMORY` go (a soak
        stays flat); on disk everything is kept."""
        if self.path is None:
            with self.transaction() as db:
                db.execute(
                    f"DELETE FROM {table} WHERE rowid <= (SELECT MAX(rowid) FROM {table}) - ?",
                    (KEPT_IN_MEMORY,),
                )

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
        """An invented resident's medical insurance and yearly payments."""
        number = seed(id_number)
        paid = number % 3 == 0
        year = self.collection_year()
        records = [
            {
                "period": str(past),
                "amount": RESIDENT_CONTRIBUTION - 10 * (year - past),
                "paid_on": f"{past - 1}-12-{10 + past % 9:02d}",
            }
            for past in range(year - 1, year - 7, -1)
        ]
        return {
            "insured": True,
            "category": "urban_resident" if number % 4 else "employee",
            "year": year,
            "paid": paid,
            "amount_due": 0.0 if paid else RESIDENT_CONTRIBUTION,
            "records": records,
        }

    # Utility bills -------------------------------------------------------------------------

    def bill(self, account: str, kind: str) -> dict[str, Any] | None:
        """The bill of a known account (invented on first sight), or None."""
        if not (account.isascii() and account.isdigit()) or account.startswith(UNKNOWN_PREFIX):
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
                self.added("bills")
                return dict(row)
        return dict(row)

    # Elderly allowance ---------------------------------------------------------------------

    def eligibility(self, id_number: str) -> dict[str, Any]:
        """Whether an invented resident may apply for the elderly allowance (80 and over)."""
        try:
            years = age(id_number, self.today())
        except DateError:
            years = 0
        if years < ELIGIBLE_AGE:
            return {"eligible": False, "age": years, "monthly_amount": 0.0, "reason": "under_age"}
        monthly = 100.0 if years < 90 else 300.0 if years < 100 else 600.0
        return {"eligible": True, "age": years, "monthly_amount": monthly}

    def apply_allowance(self, id_number: str, household: str, reference: str) -> None:
        """Keep an application (the resident's hash, never the number)."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO applications VALUES (?, ?, ?, ?)",  # a repeat is a new one
                (reference, resident_key(id_number), household, self._now_text()),
            )
            self.added("applications")

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
            self.added("requests")

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

    # Parcels refused in the courier company's app ---------------------------------------

    def refuse_waybill(self, waybill: str, company: str) -> None:
        """The recipient refused a parcel in the courier company's app (a repeat changes
        nothing)."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO refused_waybills VALUES (?, ?, ?)",
                (waybill, company, self._now_text()),
            )
            self.added("refused_waybills")

    def refused_waybills(self, company: str, limit: int = REFUSED_LISTED) -> list[str]:
        """A company's waybills refused by their recipients, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT waybill FROM refused_waybills WHERE company = ?"
                " ORDER BY rowid DESC LIMIT ?",
                (company, limit),
            ).fetchall()
        return [row["waybill"] for row in rows]

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
        pages = max(1, (total + per_page - 1) // per_page)
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
