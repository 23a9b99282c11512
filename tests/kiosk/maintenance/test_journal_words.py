"""The Journal page says each entry in words, in both languages, and never crashes or leaks."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from kiosk.maintenance.audit import Audit
from kiosk.maintenance.journal_words import entry_words, event_words, known
from kiosk.storage.database import Database
from kiosk.storage.journal import JournalEntry, SqliteJournal
from kiosk.updates.status import UpdateState
from tests.support.journal_events import WrittenEvents

FLOWS = {"resident-request": "诉求反映"}


def entry(event: str, detail: dict[str, Any], flow: str = "", step: str = "") -> JournalEntry:
    """A journal entry as the page reads it."""
    return JournalEntry(1, time.time(), "gx-0001", "s-1", flow, step, event, detail)


def test_a_sessions_end_reads_as_words_in_both_languages() -> None:
    ended = entry("ended", {"status": "finished"}, "resident-request", "done")
    words = entry_words(ended, "zh_CN", FLOWS)
    assert words.title == "办理结束 · 诉求反映 › done · 已完成"
    english = entry_words(ended, "en", {"resident-request": "Report a problem"})
    assert english.title == "Session ended · Report a problem › done · completed"
    assert english.row() == (words.time, english.title)  # nothing more to say: one line


def test_a_menu_entry_names_the_device_fault_and_who() -> None:
    detail = {"code": "printer.paper_out", "device": "printer", "outcome": "failed",
              "role": "administrator", "who": "pin:anna"}  # fmt: skip
    words = entry_words(entry("service.selftest.printer", detail, "$service", "selftest"),
                        "zh_CN", {})  # fmt: skip
    assert words.title == "设备自检：凭条打印机 · 失败"
    assert words.detail == "故障：缺纸 · 管理员 pin:anna"  # the device said once, in the title


def test_an_unknown_event_and_odd_detail_show_raw_and_masked() -> None:
    detail = {"n": "13800138000", "nested": {"a": [1, None]}, "flag": True, "none": None}
    words = entry_words(entry("made.up:thing", detail, "no-such-flow", "x"), "en", {})
    assert words.title == "made.up:thing · no-such-flow › x"
    assert "13800138000" not in words.detail and "138****8000" in words.detail
    assert "flag: Yes" in words.detail and "none" not in words.detail  # no value, no pair


def test_a_familys_unknown_part_is_said_as_it_is() -> None:
    assert event_words("service.selftest.printer", "en") == "Self-test: Receipt printer"
    assert event_words("service.selftest.toaster", "en") == "Self-test: toaster"
    assert event_words("error:backend.unreachable", "zh_CN") == "出错：无法连接"


def test_every_update_state_the_agent_journals_has_words() -> None:
    assert all(known(f"update_{s.value}") for s in UpdateState if s is not UpdateState.CURRENT)


def test_events_the_code_writes_without_words_are_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = WrittenEvents(monkeypatch)
    with Database(tmp_path / "k.db") as db:
        journal = SqliteJournal(db, "gx-0001")
        journal.record("s-1", "f", "s", "not.an.event")  # a test's own entry: not the code's
        audit = Audit(journal)
        audit.record("selftest", "selftest.printer", "passed")
        audit.record("home", "teleported", "ok")  # the code writes an event without words
    assert written.unknown() == {"service.teleported": "kiosk.maintenance.audit"}


def test_the_lockers_own_entries_name_the_compartment() -> None:
    words = entry_words(entry("recorded.pickup", {"parcel": "P000001"}, "locker", "A-01"),
                        "zh_CN", {})  # fmt: skip
    assert words.row()[1] == "取件已记录 · 快递柜 A-01\n包裹：P000001"
    counted = entry_words(entry("attempt", {"ok": False, "tag": "1"}, "locker", "pickup"),
                          "en", {})  # fmt: skip
    assert (counted.title, counted.detail) == (
        "Code checked · Locker Pickup",
        "Accepted: No · Tag: 1",
    )


def test_steps_and_what_a_resident_mistyped_are_said_in_words_not_ids() -> None:
    from kiosk.flow.loader import DEFAULT_FLOWS_DIR, load_flows
    from kiosk.maintenance.journal_words import step_words

    shipped = list(load_flows(sorted(DEFAULT_FLOWS_DIR.glob("*.yaml"))).flows.values())
    titles = {"zh_CN": {f.id: f.title.get("zh_CN") for f in shipped},
              "en": {f.id: f.title.get("en") for f in shipped}}  # fmt: skip
    said = {lang: step_words(shipped, lang) for lang in ("zh_CN", "en")}
    mistyped = entry("invalid:input.invalid_phone", {}, "resident-request", "phone")
    assert entry_words(mistyped, "zh_CN", titles["zh_CN"], said["zh_CN"]).title == (
        "输入无效：手机号码应为以1开头的11位数字 · 诉求反映 › 请输入您的手机号码"
    )
    assert entry_words(mistyped, "en", titles["en"], said["en"]).title == (
        "Invalid input: A mobile number has 11 digits and starts with 1"
        " · Report a problem › Type your mobile number"
    )
    # a screen text that starts with a template is said by the step's kind
    assert said["zh_CN"][("parcel-pickup", "fee")] == "核对确认"
    assert said["en"][("parcel-deposit", "another")] == "Choice"
    for lang in ("zh_CN", "en"):  # every shipped step has words, none is left as its id
        for (flow, step), words in said[lang].items():
            assert words != step, (lang, flow, step)
