"""The demo back office's service catalogue routes: medical insurance, utility bills, payments,
elderly allowance, resident requests, community notices and queue tickets (invented data)."""

from __future__ import annotations

import datetime
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from peripherals.id_card.id_number import is_valid as valid_id_number

Reply = tuple[int, Any]
"""An HTTP status and its JSON body."""

BILL_KINDS = ("water", "electricity", "gas")
REQUEST_STATES = ("received", "assigned", "replied", "closed")
ORDER_SECONDS = 300
UNKNOWN_PREFIX = "000"
"""Accounts beginning so are unknown: the refusal path, typed on a keypad."""
ALLOWANCE_AGE = 80
_DEPARTMENTS = ("街道城管科", "社区居委会", "物业服务中心", "供水公司客服中心")
_HOLDERS = "林陈王张刘赵黄周吴徐孙马"
_MATTERS = {"social_security": "A", "medical": "B", "civil": "C", "other": "D"}


def seed(text: str) -> int:
    """A stable number from a text, so invented data is the same on every run."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


_NOTICE_SENTENCES = (
    "本期公开的事项经社区居民委员会讨论通过，并报街道办事处备案。",
    "居民对公开内容有疑问的，可在公开之日起十五日内到社区服务中心咨询。",
    "也可通过自助终端的诉求反映服务提出意见，社区将在五个工作日内答复。",
    "公开期间，社区公开栏和自助终端同步展示，方便行动不便的老年居民就近查看。",
    "社区将继续推进老旧小区改造、电梯加装和便民服务点建设。",
    "欢迎居民积极参与社区议事协商，共建共治共享美好家园。",
    "本公告涉及的原始凭证存放于社区服务中心，居民可在工作时间申请查阅。",
    "如发现公开内容与实际情况不符，可向街道纪工委反映。",
)


def _notice_body(number: int, kind: str) -> str:
    what = "财务" if kind == "finance" else "事务"
    paragraphs = [
        f"为进一步做好社区公开工作，现将本社区2026年第{number}号{what}公开事项公告如下，"
        "请广大居民监督。",
        "一、公开内容。" + "".join(_NOTICE_SENTENCES[i % 8] for i in range(number, number + 4)),
    ]
    if kind == "finance":
        paragraphs.append(
            "二、收支情况（单位：元）。上期结余 12,480.00；本期收入 36,200.00（上级补助 30,000.00，"
            "场地租金 6,200.00）；本期支出 31,915.50（环境整治 18,600.00，老年活动中心 9,315.50，"
            "办公用品 4,000.00）；本期结余 16,764.50。"
        )
    paragraphs.append(
        "三、其他事项。" + "".join(_NOTICE_SENTENCES[i % 8] for i in range(number + 4, number + 8))
    )
    paragraphs.append("特此公告。幸福里社区居民委员会")
    return "\n\n".join(paragraphs)


def _notices() -> list[dict[str, Any]]:
    items = []
    titles = {
        "affairs": ("加装电梯意见征询", "垃圾分类督导员招募", "冬季供暖安排", "社区议事会决议公开"),
        "finance": ("第三季度财务收支公开", "公益金使用情况", "物业维修资金使用公示"),
    }
    number = 0
    for kind, names in titles.items():
        for name in names:
            number += 1
            published = (
                datetime.date(2026, 11, 30) - datetime.timedelta(days=number * 6)
            ).isoformat()
            body = _notice_body(number, kind)
            items.append(
                {
                    "id": f"N{number:03d}",
                    "kind": kind,
                    "title": name,
                    "published": published,
                    "summary": body[:40] + "……",
                    "body": body,
                }
            )
    return items


SEEDED_REQUESTS = 2
"""Requests the demo knows from the start: SQ000001 replied, SQ000002 assigned."""


def _seeded_requests() -> dict[str, dict[str, Any]]:
    return {
        "SQ000001": {
            "reference": "SQ000001",
            "status": "replied",
            "category": "repairs",
            "department": _DEPARTMENTS[2],
            "reply": "您反映的3号楼楼道灯已于12月3日更换，感谢您的监督。",
            "updated_at": "2026-12-03T09:30:00+00:00",
        },
        "SQ000002": {
            "reference": "SQ000002",
            "status": "assigned",
            "category": "environment",
            "department": _DEPARTMENTS[0],
            "updated_at": "2026-12-04T15:00:00+00:00",
        },
    }


@dataclass
class _Order:
    order: str
    amount: float
    created: float
    expires_in: int
    status: str = "pending"
    polls: int = 0
    paid_at: str | None = None
    receipt_no: str | None = None


@dataclass
class DemoServices:
    """The catalogue's routes over in-memory state; `auto_pay_after`: polls before a pending
    order pays by itself (None: only `/_demo/payments/{order}` pays it)."""

    clock: Callable[[], float] = time.monotonic
    auto_pay_after: int | None = 2
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _orders: dict[str, _Order] = field(default_factory=dict)
    _requests: dict[str, dict[str, Any]] = field(default_factory=_seeded_requests)
    _numbers: dict[str, int] = field(default_factory=lambda: {"requests": SEEDED_REQUESTS})
    _notices: list[dict[str, Any]] = field(default_factory=_notices)

    def _next(self, name: str) -> int:
        self._numbers[name] = self._numbers.get(name, 0) + 1
        return self._numbers[name]

    # GET ----------------------------------------------------------------------------------

    def get(self, path: str, query: dict[str, list[str]]) -> Reply | None:
        """The reply to a GET of `path`, or None when it is not one of these routes."""
        one = {k: v[0] for k, v in query.items() if v}
        parts = path.strip("/").split("/")
        with self._lock:
            if path == "/bills":
                return self._bill(one)
            if parts[0] == "payments" and len(parts) == 2:
                return self._payment(parts[1])
            if parts[0] == "requests" and len(parts) == 2:
                found = self._requests.get(parts[1])
                return (200, found) if found else (404, {"error": "unknown_request"})
            if path == "/notices":
                return self._notice_page(one)
            if parts[0] == "notices" and len(parts) == 2:
                for notice in self._notices:
                    if notice["id"] == parts[1]:
                        keys = ("id", "kind", "title", "published", "body")
                        return 200, {k: notice[k] for k in keys}
                return 404, {"error": "unknown_notice"}
        return None

    def _bill(self, query: dict[str, str]) -> Reply:
        account = query.get("account", "").strip()
        kind = query.get("kind", "water")
        if not account:
            return 400, {"error": "missing_account"}
        if kind not in BILL_KINDS:
            return 400, {"error": "invalid_kind"}
        if not account.isdigit() or account.startswith(UNKNOWN_PREFIX):
            return 404, {"error": "unknown_account"}
        number = seed(kind + account)
        return 200, {
            "account": account,
            "kind": kind,
            "holder": _HOLDERS[number % len(_HOLDERS)] + "**",
            "amount_due": round((number % 40000) / 100 + 20, 2),
            "period": f"2026-{number % 11 + 1:02d}",
            "due_date": f"2026-12-{number % 20 + 10:02d}",
        }

    def _payment(self, order_id: str) -> Reply:
        order = self._orders.get(order_id)
        if order is None:
            return 404, {"error": "unknown_order"}
        order.polls += 1
        if order.status == "pending":
            if self.clock() - order.created > order.expires_in:
                order.status = "expired"
            elif self.auto_pay_after is not None and order.polls > self.auto_pay_after:
                self._settle(order, "paid")
        body: dict[str, Any] = {"order": order.order, "status": order.status}
        if order.status == "paid":
            body.update(paid_at=order.paid_at, receipt_no=order.receipt_no)
        return 200, body

    def _settle(self, order: _Order, status: str) -> None:
        order.status = status
        if status == "paid":
            order.paid_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
            order.receipt_no = f"R{seed(order.order) % 10**10:010d}"

    def _notice_page(self, query: dict[str, str]) -> Reply:
        kind = query.get("kind", "affairs")
        try:
            page = max(1, int(query.get("page", "1")))
            per_page = min(20, max(1, int(query.get("per_page", "5"))))
        except ValueError:
            return 400, {"error": "invalid_page"}
        chosen = [n for n in self._notices if n["kind"] == kind]
        pages = max(1, -(-len(chosen) // per_page))
        shown = chosen[(page - 1) * per_page : page * per_page]
        keys = ("id", "title", "published", "summary")
        items = [{k: n[k] for k in keys} for n in shown]
        return 200, {"items": items, "page": page, "pages": pages, "total": len(chosen)}

    # POST ---------------------------------------------------------------------------------

    def post(self, path: str, body: dict[str, Any]) -> Reply | None:
        """The reply to a POST of `path` with `body`, or None when it is not one of these."""
        parts = path.strip("/").split("/")
        with self._lock:
            if path == "/medical/status":
                return self._medical_status(body)
            if path == "/medical/orders":
                id_number = str(body.get("id_number", ""))
                if not valid_id_number(id_number):
                    return 422, {"error": "invalid_id_number"}
                return self._order(380.0)
            if path == "/locker/orders":  # a parcel locker's storage fee
                amount = body.get("amount")
                if not isinstance(amount, int | float) or not 0 < amount <= 10000:
                    return 422, {"error": "invalid_amount"}
                return self._order(float(amount))
            if path == "/bills/orders":
                amount = body.get("amount")
                if body.get("kind") not in BILL_KINDS or not str(body.get("account", "")):
                    return 422, {"error": "invalid_bill"}
                if not isinstance(amount, int | float) or not 0 < amount <= 10000:
                    return 422, {"error": "invalid_amount"}
                return self._order(float(amount))
            if parts[:2] == ["_demo", "payments"] and len(parts) == 3:
                order = self._orders.get(parts[2])
                status = body.get("status")
                if order is None:
                    return 404, {"error": "unknown_order"}
                if status not in ("paid", "expired", "cancelled"):
                    return 422, {"error": "invalid_status"}
                self._settle(order, str(status))
                return 200, {"order": order.order, "status": order.status}
            if path == "/allowance/eligibility":
                return self._eligibility(body)
            if path == "/allowance/applications":
                return self._allowance(body)
            if path == "/requests":
                return self._request(body)
            if parts[0] == "_demo" and parts[1:2] == ["requests"] and parts[3:] == ["reply"]:
                found = self._requests.get(parts[2])
                if found is None:
                    return 404, {"error": "unknown_request"}
                found.update(
                    status="replied",
                    department=str(body.get("department", _DEPARTMENTS[0])),
                    reply=str(body.get("reply", "")),
                    updated_at=_now(),
                )
                return 200, found
            if path == "/queue/tickets":
                matter = str(body.get("matter", "other"))
                letter = _MATTERS.get(matter, "D")
                number = self._next(f"queue-{letter}")
                waiting = seed(f"{matter}{number}") % 6
                return 201, {
                    "ticket": f"{letter}{number:03d}",
                    "window": f"{ord(letter) - 64}号窗口",
                    "waiting": waiting,
                    "expected_minutes": waiting * 4 + 2,
                }
        return None

    def _order(self, amount: float) -> Reply:
        number = self._next("orders")
        order = f"PO{number:08d}"
        self._orders[order] = _Order(order, amount, self.clock(), ORDER_SECONDS)
        return 201, {
            "order": order,
            "amount": amount,
            "qr": f"https://pay.example.invalid/qr/{order}",
            "expires_in": ORDER_SECONDS,
        }

    def _medical_status(self, body: dict[str, Any]) -> Reply:
        id_number = str(body.get("id_number", ""))
        if not valid_id_number(id_number):
            return 422, {"error": "invalid_id_number"}
        number = seed(id_number)
        paid = number % 3 == 0
        records = [
            {
                "period": str(year),
                "amount": 350.0 + 10 * (year - 2021),
                "paid_on": f"{year - 1}-12-1{year % 9}",
            }
            for year in range(2026, 2020, -1)
        ]
        return 200, {
            "insured": True,
            "category": "urban_resident" if number % 4 else "employee",
            "year": 2027,
            "paid": paid,
            "amount_due": 0.0 if paid else 380.0,
            "records": records,
        }

    def _eligibility(self, body: dict[str, Any]) -> Reply:
        id_number = str(body.get("id_number", ""))
        if not valid_id_number(id_number):
            return 422, {"error": "invalid_id_number"}
        born = datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        today = datetime.date.today()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        eligible = age >= ALLOWANCE_AGE
        amount = 0 if not eligible else (100 if age < 90 else 300 if age < 100 else 600)
        reply: dict[str, Any] = {"eligible": eligible, "age": age, "monthly_amount": amount}
        if not eligible:
            reply["reason"] = "under_age"
        return 200, reply

    def _allowance(self, body: dict[str, Any]) -> Reply:
        status, eligibility = self._eligibility(body)
        if status != 200:
            return status, eligibility
        if not eligibility["eligible"]:
            return 422, {"error": "not_eligible"}
        last4 = str(body.get("bank_card_last4", ""))
        if not (len(last4) == 4 and last4.isdigit()):
            return 422, {"error": "invalid_bank_card"}
        return 201, {"reference": f"GL{self._next('allowance'):06d}", "expected_days": 15}

    def _request(self, body: dict[str, Any]) -> Reply:
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return 422, {"error": "missing_text"}
        reference = f"SQ{self._next('requests'):06d}"
        self._requests[reference] = {
            "reference": reference,
            "status": "received",
            "category": str(body.get("category", "other")),
            "updated_at": _now(),
        }
        return 201, {"reference": reference}


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
