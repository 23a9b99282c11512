"""The `pay`, `browse` and paged `info` step kinds on the real engine over fakes."""

from __future__ import annotations

from typing import Any

from kiosk.flow.paging import paginate
from kiosk.flow.prompt import PromptKind
from kiosk.flow.services import BackendError
from tests.kiosk.flow.test_engine_fakes import FakeBackends, Harness

PAY = """
id: pay-demo
title: {zh_CN: 缴费, en: Pay}
defaults: {timeout: 60}
steps:
  - id: review
    kind: confirm
    text: {zh_CN: 请核对, en: Please check}
  - id: pay
    kind: pay
    text: {zh_CN: "请扫码支付{{ order.amount }}元", en: "Scan to pay {{ order.amount }} yuan"}
    backend: billing
    order: {method: POST, path: /orders, json: {amount: 12.5}}
    poll_every: 5
    on_error: not_paid
  - id: done
    kind: finish
    text: {zh_CN: "已支付，凭证号{{ pay.receipt_no }}", en: "Paid: {{ pay.receipt_no }}"}
  - id: not_paid
    kind: finish
    status: failure
    text: {zh_CN: "未支付：{{ error.key }}", en: "Not paid: {{ error.key }}"}
"""


class PaymentOffice(FakeBackends):
    """Issues one order; each status poll answers the next of `statuses` (failures raised)."""

    def __init__(self, statuses: list[str | BackendError]) -> None:
        super().__init__()
        self.statuses = statuses

    async def request(
        self, backend: str, method: str, path: str, json_body: Any = None, query: Any = None
    ) -> Any:
        self.requests.append((backend, method, path, json_body))
        if method == "POST":
            return {
                "order": "PO1",
                "amount": 12.5,
                "qr": "https://pay.invalid/PO1",
                "expires_in": 60,
            }
        status = self.statuses.pop(0) if self.statuses else "pending"
        if isinstance(status, BackendError):
            raise status
        return {"order": "PO1", "status": status, "receipt_no": "R42" if status == "paid" else None}


async def test_the_code_is_shown_and_the_order_polled_until_it_is_paid() -> None:
    office = PaymentOffice(["pending", BackendError("backend.timeout", "slow"), "paid"])
    harness = Harness(PAY, backends=office)
    outcome, renderer, _ = await harness.run({"review": "yes"})
    assert (outcome.status, outcome.step) == ("finished", "done")
    shown = next(e.prompt for e in renderer.transcript if e.prompt.kind is PromptKind.QR_WAIT)
    assert shown.code == "https://pay.invalid/PO1" and shown.text == "请扫码支付12.5元"
    assert shown.timeout is not None and shown.timeout >= 60  # time to take out a phone
    polls = [r for r in office.requests if r[1] == "GET"]
    assert [r[2] for r in polls] == ["/payments/PO1"] * 3  # a failed poll is asked again
    assert renderer.transcript[-1].prompt.text == "已支付，凭证号R42"
    assert ("order" in harness.journal.events("pay")) and "payment" in harness.journal.events("pay")


async def test_an_expired_order_goes_to_on_error_with_its_key() -> None:
    office = PaymentOffice(["pending", "expired"])
    harness = Harness(PAY, backends=office)
    outcome, renderer, _ = await harness.run({"review": "yes"})
    assert (outcome.status, outcome.step) == ("failed", "not_paid")
    assert renderer.transcript[-1].prompt.text == "未支付：payment.expired"


async def test_a_cancelled_order_goes_to_on_error_with_its_key() -> None:
    office = PaymentOffice(["pending", "pending", "cancelled"])
    harness = Harness(PAY, backends=office)
    outcome, renderer, _ = await harness.run({"review": "yes"})
    assert (outcome.status, outcome.step) == ("failed", "not_paid")
    assert renderer.transcript[-1].prompt.text == "未支付：payment.cancelled"


async def test_an_order_never_settled_is_given_up_after_its_expiry() -> None:
    office = PaymentOffice([])  # pending for ever
    harness = Harness(PAY, backends=office)
    outcome, renderer, _ = await harness.run({"review": "yes"})
    assert (outcome.status, outcome.step) == ("failed", "not_paid")
    assert renderer.transcript[-1].prompt.text == "未支付：payment.expired"
    polls = len([r for r in office.requests if r[1] == "GET"])
    assert 10 <= polls <= 20  # (60 s expiry + 30 s grace) / 5 s, not for ever


BROWSE = """
id: notices
title: {zh_CN: 公告, en: Notices}
defaults: {timeout: 60}
steps:
  - id: list
    kind: browse
    text: {zh_CN: 请选择公告, en: Choose a notice}
    backend: community
    request: {method: GET, path: /notices, query: {page: "{{ page }}"}}
    row: {zh_CN: "{{ item.title }}", en: "{{ item.title }}"}
    save_as: notice
  - id: read
    kind: info
    text: {zh_CN: "{{ notice.body }}", en: "{{ notice.body }}"}
    page_chars: 40
  - id: done
    kind: finish
    text: {zh_CN: "看完了{{ notice.title }}", en: "Read {{ notice.title }}"}
"""
BODY = "第一段第一句。第一段第二句很长很长很长很长很长很长。\n第二段。" * 3


class NoticeOffice(FakeBackends):
    """Two pages of notices."""

    async def request(
        self, backend: str, method: str, path: str, json_body: Any = None, query: Any = None
    ) -> Any:
        self.requests.append((backend, method, path, query))
        page = int((query or {}).get("page", 1))
        titles = ["通知甲", "通知乙"] if page == 1 else ["通知丙"]
        return {"items": [{"title": t, "body": BODY} for t in titles], "page": page, "pages": 2}


async def test_records_are_paged_from_the_back_office_and_the_one_picked_is_read_page_by_page() -> (
    None
):
    office = NoticeOffice()
    harness = Harness(BROWSE, backends=office)
    answers = {
        "list": ["next", "previous", "next", "item1"],
        "read": ["next", "previous", "next", "next", "continue"],
    }
    outcome, renderer, _ = await harness.run(answers)
    assert (outcome.status, outcome.step) == ("finished", "done")
    assert [q["page"] for *_, q in office.requests] == ["1", "2", "1", "2"]
    lists = [
        e.prompt
        for e in renderer.transcript
        if e.prompt.step == "list" and e.prompt.kind is PromptKind.CHOOSE
    ]
    assert [o.label for o in lists[0].options] == ["通知甲", "通知乙", "下一页"]
    assert [o.label for o in lists[1].options] == ["通知丙", "上一页"]
    assert "第2页，共2页" in lists[1].text
    pages = [e.prompt for e in renderer.transcript if e.prompt.step == "read"]
    expected = paginate(BODY, 40)
    assert len(expected) > 2 and all(len(p) <= 40 for p in expected)
    assert [p.text.rsplit("\n", 1)[0] for p in pages] == [
        expected[0],
        expected[1],
        expected[0],
        expected[1],
        expected[2],
    ][: len(pages)]
    assert all(p.reading for p in pages) and not any(p.reading for p in lists)  # large type
    assert renderer.transcript[-1].prompt.text == "看完了通知丙"


def test_pages_cut_at_sentences_and_keep_every_character() -> None:
    text = "甲" * 30 + "。" + "乙" * 30 + "。\n" + "丙" * 100
    pages = paginate(text, 40)
    assert all(len(page) <= 40 for page in pages)
    assert pages[0] == "甲" * 30 + "。"  # not cut mid-sentence when a sentence fits
    assert "".join(pages).replace("\n", "") == text.replace("\n", "")
