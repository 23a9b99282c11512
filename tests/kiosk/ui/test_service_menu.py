"""The maintainers' service menu on the whole touch kiosk, headless, with simulated faults.

Each test runs `TouchKiosk` (what `kiosk run --simulate` runs) with a configuration holding
two maintainers' PINs, and drives the menu as a maintainer would: the maintenance key or a
long press in the corner, the PIN on the tactile keypad, pages picked by number or by touch.
What a maintainer notices is asserted: the words on the page, the pass or fail of a test, the
audit trail row by row.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from test_app_kiosk import (
    advance,
    at_attract,
    device,
    loop,
    on_menu,
    press,
    shell,
    tap,
    until,
    view,
)
from ui_harness import texts_on_screen

from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.flow.prompt import PromptKind
from kiosk.flow.services import BackendError
from kiosk.maintenance.export import verify
from kiosk.maintenance.pins import check_new_pin
from kiosk.session.loop import Where
from kiosk.ui.lockdown import WindowOptions
from kiosk.ui.touch_kiosk import TouchKiosk
from peripherals.keypad.keys import Key
from tests.support.pcsc import Pcscd, pcscd

__all__ = ["pcscd"]

TECH_PIN, ADMIN_PIN = "246810", "135790"
PERSONAL = re.compile(r"\d{17}[\dXx]|1\d{10}")


CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
"""argon2id at its lowest costs. The kiosk checks a PIN with the costs its hash names: the
product's (64 MiB, 3 passes; `hash_pin`) take ~0.2 s of CPU per PIN tried, on purpose, and a
wrong PIN is tried against every configured one; these tests try some thirty."""


@functools.cache
def hashed(pin: str) -> str:
    """The PIN's argon2id hash, as `kiosk menu pin` writes it but at the lowest costs, made once
    per test run (`test_menu_pin_writes_a_hash_that_the_kiosk_recognises` checks the real one)."""
    return CHEAP_HASHER.hash(check_new_pin(pin))


def write_config(folder: Path, mode: str, extra: str = "", devices: str = "") -> Path:
    """A kiosk.toml with a technician's and an administrator's PIN (hashed, as menu-pin does);
    `extra` goes in `[maintenance]`, `devices` (or any other tables) at the end."""
    path = folder / "kiosk.toml"
    path.write_text(
        f"""# the test kiosk
simulate = true
data_dir = "{folder / "data"}"

[terminal]
id = "gx-0042"
mode = "{mode}"

[accessibility]
volume = 70  # loud enough for the hall

[maintenance]
long_press = 0.3
inactivity = 90
export_dir = "{folder / "usb"}"
{extra}
[maintenance.pins.tech]
role = "technician"
hash = "{hashed(TECH_PIN)}"

[maintenance.pins.admin]
role = "administrator"
hash = "{hashed(ADMIN_PIN)}"
{devices}""",
        encoding="utf-8",
    )
    return path


async def running(
    window: Any, folder: Path, mode: str, extra: str = "", devices: str = ""
) -> AsyncIterator[TouchKiosk]:
    from kivy.base import EventLoop

    before = (EventLoop.status, EventLoop.quit)
    clock = ManualClock(1_700_000_000.0)
    kiosk = TouchKiosk(
        load_config(write_config(folder, mode, extra, devices)),
        simulate=True,
        options=WindowOptions.development(),
        data_dir=folder / "data",
        clock=clock,
        result_hold=600.0,
    )
    task = asyncio.ensure_future(kiosk.run())
    await asyncio.wait_for(asyncio.shield(kiosk.ready.wait()), 15)
    kiosk.clock_for_tests = clock  # type: ignore[attr-defined]
    try:
        yield kiosk
    finally:
        kiosk.stop()
        await asyncio.wait_for(task, 15)
        EventLoop.status, EventLoop.quit = before
        task.result()


@pytest.fixture
async def kiosk(window: Any, tmp_path: Path) -> AsyncIterator[TouchKiosk]:
    """A government kiosk with the service menu configured."""
    async for k in running(window, tmp_path, "government"):
        yield k


# -- driving the menu ------------------------------------------------------------------------------


def on_page(k: TouchKiosk, step: str) -> bool:
    shown = view(k)
    return shown is not None and shown.prompt.step == step and shown.waiting


def rows(k: TouchKiosk) -> dict[str, str]:
    """The page's rows as the maintainer reads them: label → value."""
    return {row.label: row.shown for row in view(k).prompt.rows}


def actions(k: TouchKiosk) -> list[str]:
    return [option.value for option in view(k).prompt.options]


async def pick(k: TouchKiosk, value: str, then: str) -> None:
    """Pick an action by its number on the tactile keypad; wait for page `then`."""
    option = next(o for o in view(k).prompt.options if o.value == value)
    press(k, Key(str(option.key)))
    await until(lambda: on_page(k, then), f"page {then}")


async def enter_pin(k: TouchKiosk, pin: str) -> None:
    await until(lambda: (v := view(k)) is not None and v.prompt.step.startswith("login"), "PIN")
    step = view(k).prompt.step
    press(k, *(Key(d) for d in pin), Key.ENTER)
    await until(lambda: view(k) is not None and view(k).prompt.step != step, "the PIN taken")


async def open_menu(k: TouchKiosk, pin: str, key: Key = Key.SERVICE) -> None:
    await until(at_attract(k), "the attract screen")
    press(k, key)
    await enter_pin(k, pin)
    await until(lambda: on_page(k, "home"), "the service menu's home page")


def audit(k: TouchKiosk) -> list[tuple[str, str, dict[str, Any]]]:
    """The service menu's journal entries, oldest first: (step, event, detail)."""
    assert k.services is not None
    entries = reversed(k.services.journal.recent(500))
    return [(e.step, e.event, e.detail) for e in entries if e.flow == "$service"]


def screen_text(k: TouchKiosk) -> str:
    return " ".join(texts_on_screen(shell(k)))


# -- tests ---------------------------------------------------------------------------------------


async def test_a_technicians_visit_by_keypad_is_audited_row_by_row(kiosk: TouchKiosk) -> None:
    await open_menu(kiosk, TECH_PIN)
    assert loop(kiosk).where is Where.MAINTENANCE
    assert actions(kiosk) == ["status", "selftest", "exit"]  # no outbox, journal, settings
    assert rows(kiosk)["角色"] == "技术员" and rows(kiosk)["登录身份"] == "pin:tech"
    await pick(kiosk, "status", "status")
    shown = rows(kiosk)
    assert shown["凭条打印机"] == "正常"
    assert shown["凭条纸"] == "纸量充足"
    assert shown["业务系统 demo"] == "可连接"
    assert "MiB" in shown["磁盘剩余空间"] and "si-certificate v" in shown["业务流程（版本）"]
    assert shown["在用业务包"] == "随软件安装的流程" and shown["已运行"].endswith("秒")
    press(kiosk, Key.CLEAR)  # back
    await until(lambda: on_page(kiosk, "home"), "home again")
    press(kiosk, Key(str(len(actions(kiosk)))))  # the last action: leave
    await until(at_attract(kiosk), "the attract screen after leaving")
    assert loop(kiosk).sessions == 0 and loop(kiosk).visits == 1
    trail = audit(kiosk)
    visit = {e.session for e in kiosk.services.journal.recent(50) if e.flow == "$service"}
    assert len(visit) == 1  # one visit, one id
    times = [e.time for e in reversed(kiosk.services.journal.recent(50)) if e.flow == "$service"]
    assert times == sorted(times) and times[0] > 1_700_000_000  # each row stamped when done
    expected = [
        ("entry", "service.opened", {"role": "", "who": "", "outcome": "ok", "how": "key"}),
        ("login", "service.login", {"role": "technician", "who": "pin:tech", "outcome": "ok",
                                    "method": "pin"}),
        ("status", "service.open", {"role": "technician", "who": "pin:tech", "outcome": "ok"}),
        ("status", "service.viewed", {"role": "technician", "who": "pin:tech", "outcome": "ok",
                                      "devices_down": trail[3][2]["devices_down"], "pending": 0,
                                      "unreachable": []}),
        ("home", "service.closed", {"role": "technician", "who": "pin:tech", "outcome": "ok",
                                    "why": "left"}),
    ]  # fmt: skip
    assert trail == expected
    assert TECH_PIN not in repr(kiosk.services.journal.recent(500))


async def test_faults_are_shown_in_words_and_the_self_tests_report_them(
    kiosk: TouchKiosk,
) -> None:
    printer = device(kiosk, "printer").simulator
    reader = device(kiosk, "id_card").simulator
    printer.fail("paper_out")
    reader.fail("silent")
    assert kiosk.services is not None and kiosk.services.demo is not None
    kiosk.services.demo.set_down(True, "refuse")
    kiosk.services.outbox.submit_sync("demo", "/feedback", {"topic": "x"}, "test-key-1")
    await open_menu(kiosk, TECH_PIN)
    await pick(kiosk, "status", "status")
    shown = rows(kiosk)
    assert shown["待发送"].startswith("1 条，最早一条已等待 ")  # the backlog and its oldest
    assert shown["凭条打印机"] == "需要处理: 缺纸 (printer.paper_out)"
    assert shown["凭条纸"] == "缺纸"
    assert shown["身份证阅读器"] == "无响应: 阅读器无应答 (id_card.no_response)"
    assert shown["业务系统 demo"].startswith("无法连接")
    assert "缺纸 (printer.paper_out)" in screen_text(kiosk)  # on screen, not only in the prompt
    press(kiosk, Key.CLEAR)
    await until(lambda: on_page(kiosk, "home"), "home")
    await pick(kiosk, "selftest", "selftest")
    await pick(kiosk, "printer", "selftest.printer.result")
    assert rows(kiosk)["结果"] == "未通过: 缺纸 (printer.paper_out)"
    press(kiosk, Key.CLEAR)
    await until(lambda: on_page(kiosk, "selftest"), "the self-tests")
    await pick(kiosk, "id_card", "selftest.id_card.result")
    assert rows(kiosk)["结果"].startswith("未通过: 阅读器无应答")
    press(kiosk, Key.CLEAR)
    await until(lambda: on_page(kiosk, "selftest"), "the self-tests")
    await pick(kiosk, "back_office", "selftest.back_office.result")  # the dead back office
    assert rows(kiosk)["结果"] == "未通过" and rows(kiosk)["业务系统 demo"].startswith("无法连接")
    # the faults cleared, the same tests pass: the test print shows what was sent
    printer.fail(None)
    reader.fail(None)
    press(kiosk, Key.CLEAR)
    await until(lambda: on_page(kiosk, "selftest"), "the self-tests")
    await pick(kiosk, "printer", "selftest.printer.result")
    assert rows(kiosk)["结果"] == "通过"
    picture = Path(view(kiosk).prompt.image)
    assert picture.is_file() and picture.stat().st_size > 1000
    outcomes = [(e, d["outcome"], d.get("code")) for _s, e, d in audit(kiosk) if "selftest." in e]
    assert outcomes == [
        ("service.selftest.printer", "failed", "printer.paper_out"),
        ("service.selftest.id_card", "failed", "id_card.no_response"),
        ("service.selftest.back_office", "failed", None),
        ("service.selftest.printer", "passed", ""),
    ]
    # a device power-cycled from the status page: its port closed and opened again
    press(kiosk, Key.CLEAR)
    await until(lambda: on_page(kiosk, "selftest"), "the self-tests")
    press(kiosk, Key.CLEAR)
    await until(lambda: on_page(kiosk, "home"), "home")
    await pick(kiosk, "status", "status")
    await pick(kiosk, "power", "status.power")
    assert "没有可由软件控制的电源继电器" in view(kiosk).prompt.text
    printer_device = device(kiosk, "printer")
    await pick(kiosk, "printer", "status")
    assert view(kiosk).prompt.text == "凭条打印机 已重新打开：正常"
    assert printer_device.is_open and device(kiosk, "printer") is printer_device
    assert audit(kiosk)[-2][1:] == (
        "service.power_cycle",
        {"role": "technician", "who": "pin:tech", "outcome": "ok", "device": "printer",
         "kind": "printer", "code": ""},
    )  # fmt: skip
    kiosk.services.demo.set_down(False)


async def test_an_id_card_self_test_shows_the_card_masked(kiosk: TouchKiosk) -> None:
    await open_menu(kiosk, TECH_PIN)
    await pick(kiosk, "selftest", "selftest")
    await pick(kiosk, "id_card", "selftest.id_card.wait")
    device(kiosk, "id_card").simulator.present_card()  # the demo card: a full ID number
    await until(lambda: on_page(kiosk, "selftest.id_card.result"), "the result")
    assert rows(kiosk)["结果"] == "通过"
    text = screen_text(kiosk)
    assert "110***********" in text and PERSONAL.search(text) is None
    assert "王*" in text and "王测试" not in text


async def test_wrong_pins_lock_out_growing_and_are_journalled(kiosk: TouchKiosk) -> None:
    await until(at_attract(kiosk), "the attract screen")
    press(kiosk, Key.SERVICE)
    for _ in range(3):
        await enter_pin(kiosk, "999999")
    assert view(kiosk).prompt.error == "service.pin_locked"
    assert "密码已锁定 30 秒" in screen_text(kiosk)
    for left in (29, 28, 18):  # the countdown ticks down on screen with the clock
        advance(kiosk, 1 if left > 20 else 10)
        await until(lambda left=left: f"密码已锁定 {left} 秒" in screen_text(kiosk), f"{left} s")
    press(kiosk, Key.DIGIT_2)  # what is typed stays while it ticks
    advance(kiosk, 1)
    await until(lambda: "密码已锁定 17 秒" in screen_text(kiosk), "17 s")
    assert view(kiosk).draft.typed == "2"
    press(kiosk, Key.CLEAR)
    await enter_pin(kiosk, TECH_PIN)  # the right PIN, but locked: refused
    assert view(kiosk).prompt.kind is PromptKind.INPUT and loop(kiosk).where is Where.MAINTENANCE
    advance(kiosk, 31)
    await until(lambda: "密码已锁定" not in screen_text(kiosk), "the lock-out over")
    await enter_pin(kiosk, "111111")  # a 4th wrong one after the lock: locked twice as long
    assert "密码已锁定 60 秒" in screen_text(kiosk)
    advance(kiosk, 61)  # waiting out the lock-out brings up the inactivity warning
    await until(lambda: shell(kiosk).timeout_overlay is not None, "the warning")
    press(kiosk, Key.ENTER)  # any key takes it down without answering
    await until(lambda: shell(kiosk).timeout_overlay is None, "the warning gone")
    await enter_pin(kiosk, TECH_PIN)
    await until(lambda: on_page(kiosk, "home"), "home")
    logins = [(d["outcome"], d.get("failures"), d.get("locked_for")) for s, e, d in audit(kiosk)
              if e == "service.login"]  # fmt: skip
    assert logins == [
        ("wrong_pin", 1, 0),
        ("wrong_pin", 2, 0),
        ("wrong_pin", 3, 30),
        ("locked", None, 17),
        ("wrong_pin", 4, 60),
        ("ok", None, None),
    ]
    journal = repr(kiosk.services.journal.recent(500))
    assert "999999" not in journal and TECH_PIN not in journal and "111111" not in journal


async def test_the_menu_cannot_be_reached_during_a_residents_session(kiosk: TouchKiosk) -> None:
    from kivy.core.window import Window
    from kivy.tests.common import UnitTestTouch

    await until(at_attract(kiosk), "the attract screen")
    await tap(kiosk, "attract.start")
    await until(lambda: on_menu(kiosk), "the residents' menu")
    press(kiosk, Key.SERVICE)
    corner = UnitTestTouch(Window.width - 10, Window.height - 10)  # top right, held
    corner.touch_down()
    held = loop(kiosk).core.clock.now()
    await until(
        lambda: (
            any(e == "service.refused" for _s, e, _d in audit_all(kiosk))
            and len([1 for _s, e, _d in audit_all(kiosk) if e == "service.refused"]) == 2
        ),
        "both requests refused",
    )
    corner.touch_up()
    assert loop(kiosk).where is Where.MENU and on_menu(kiosk)
    assert held == loop(kiosk).core.clock.now()
    refused = [d for _s, e, d in audit_all(kiosk) if e == "service.refused"]
    assert refused == [{"how": "key", "where": "menu"}, {"how": "long_press", "where": "menu"}]
    # between sessions the same long press opens it
    await tap(kiosk, "bar.cancel")
    await until(at_attract(kiosk), "the attract screen")
    corner = UnitTestTouch(Window.width - 10, Window.height - 10)
    corner.touch_down()
    await until(lambda: loop(kiosk).where is Where.MAINTENANCE, "the service menu")
    corner.touch_up()
    assert audit(kiosk)[-1][2]["how"] == "long_press"


def audit_all(k: TouchKiosk) -> list[tuple[str, str, dict[str, Any]]]:
    assert k.services is not None
    return [(e.step, e.event, e.detail) for e in reversed(k.services.journal.recent(500))]


@pytest.fixture
async def hash_kiosk(window: Any, tmp_path: Path) -> AsyncIterator[TouchKiosk]:
    """A kiosk whose cabinet has no service key: `#` opens the menu between sessions."""
    async for k in running(window, tmp_path, "government", 'key = "#"\n'):
        yield k


async def test_the_menu_closes_by_itself_after_inactivity(hash_kiosk: TouchKiosk) -> None:
    kiosk = hash_kiosk
    await open_menu(kiosk, TECH_PIN, Key.HASH)  # the key configured
    advance(kiosk, 61)
    await until(lambda: shell(kiosk).timeout_overlay is not None, "the warning")
    advance(kiosk, 30)
    await until(at_attract(kiosk), "the attract screen")
    assert audit(kiosk)[-1][1:] == (
        "service.closed",
        {"role": "technician", "who": "pin:tech", "outcome": "ok", "why": "timeout"},
    )


def fake_backlight(folder: Path, raw: int = 128, maximum: int = 255) -> Path:
    """A sysfs backlight device as Linux lists it: max_brightness and a writable brightness."""
    panel = folder / "intel_backlight"
    panel.mkdir(parents=True)
    (panel / "type").write_text("raw\n")
    (panel / "max_brightness").write_text(f"{maximum}\n")
    (panel / "brightness").write_text(f"{raw}\n")
    return panel


@pytest.fixture
async def admin_kiosk(window: Any, tmp_path: Path) -> AsyncIterator[TouchKiosk]:
    """A government kiosk whose screen has a backlight (a fake sysfs folder)."""
    backlight = f'[display]\nbacklight = "{tmp_path / "backlight"}"\n'
    async for k in running(window, tmp_path, "government", devices=backlight):
        yield k


async def test_an_administrators_visit_outbox_journal_export_and_settings(
    admin_kiosk: TouchKiosk, tmp_path: Path
) -> None:
    kiosk = admin_kiosk
    panel = fake_backlight(tmp_path / "backlight")
    services = kiosk.services
    assert services is not None and services.demo is not None
    # two submissions the back office refuses for good, then one it cannot be reached for,
    # its path holding a phone number
    for key in ("test-key-a", "test-key-b"):
        with contextlib.suppress(BackendError):
            services.outbox.submit_sync("demo", "/no-such-office", {"topic": "x"}, key)
    dead = [e.reference for e in services.outbox.entries("dead")]
    assert len(dead) == 2
    services.demo.set_down(True, "refuse")
    services.outbox.submit_sync(
        "demo", "/feedback/13800138000", {"phone": "13800138000"}, "test-key-1"
    )
    services.journal.record("s-1", "resident-feedback", "phone", "typed", {"n": "13800138000"})
    await open_menu(kiosk, ADMIN_PIN)
    assert actions(kiosk) == [
        "status", "selftest", "outbox", "journal", "settings", "bundle", "restart", "exit"
    ]  # fmt: skip
    seen: list[str] = []
    await pick(kiosk, "outbox", "outbox")
    seen.append(screen_text(kiosk))
    assert rows(kiosk)["待发送"] == "1" and rows(kiosk)["已被拒收"] == "2"
    assert "138****8000" in " ".join(rows(kiosk).values())
    await pick(kiosk, "requeue", "outbox.requeue")
    await pick(kiosk, dead[0], "outbox.requeue.reason")
    await pick(kiosk, "back_office_fixed", "outbox")
    assert view(kiosk).prompt.text == f"{dead[0]} 将重新发送。"
    await pick(kiosk, "discard", "outbox.discard")
    assert [o.value for o in view(kiosk).prompt.options] == [dead[1], "back"]
    await pick(kiosk, dead[1], "outbox.discard.reason")
    await pick(kiosk, "test", "outbox")
    assert view(kiosk).prompt.text == f"{dead[1]} 已作废。"
    press(kiosk, Key.CLEAR)
    await until(lambda: on_page(kiosk, "home"), "home")
    await pick(kiosk, "journal", "journal")
    await pick(kiosk, "0", "journal.day")
    seen.append(screen_text(kiosk))
    assert "打开页面 · 电子日志 · 成功" in seen[-1] and "管理员 pin:" in seen[-1]  # in words
    press(kiosk, Key(str(next(o.key for o in view(kiosk).prompt.options if o.value == "export"))))
    await until(lambda: on_page(kiosk, "journal.day") and "已导出" in view(kiosk).prompt.text,
                "the export done")  # fmt: skip
    exported = next((tmp_path / "usb").glob("journal-*.jsonl"))
    assert verify(exported).ok
    assert PERSONAL.search(exported.read_text()) is None
    assert "138****8000" in exported.read_text()  # the entry is there, masked
    press(kiosk, Key.CLEAR)
    await until(lambda: on_page(kiosk, "journal"), "the days")
    press(kiosk, Key.CLEAR)
    await until(lambda: on_page(kiosk, "home"), "home")
    await pick(kiosk, "settings", "settings")
    seen.append(screen_text(kiosk))
    await pick(kiosk, "volume", "settings.value")
    press(kiosk, Key.DIGIT_4, Key.DIGIT_5, Key.ENTER)
    await until(lambda: on_page(kiosk, "settings"), "the settings again")
    assert rows(kiosk)["默认音量"] == "45"
    config_file = tmp_path / "kiosk.toml"
    text = config_file.read_text()
    assert "volume = 45  # loud enough for the hall" in text and "# the test kiosk" in text
    await pick(kiosk, "volume", "settings.value")
    press(kiosk, Key.DIGIT_9, Key.DIGIT_9, Key.DIGIT_9, Key.ENTER)  # over 100: refused
    await until(lambda: on_page(kiosk, "settings"), "the settings again")
    assert view(kiosk).prompt.text.startswith("未保存")
    assert load_config(config_file).accessibility.volume == 45
    # the screen's brightness: set in sysfs now, kept in the file for the next start
    assert rows(kiosk)["屏幕亮度"] == "50 %"
    await pick(kiosk, "brightness", "settings.value")
    press(kiosk, Key.DIGIT_8, Key.DIGIT_0, Key.ENTER)
    await until(lambda: on_page(kiosk, "settings"), "the settings again")
    assert rows(kiosk)["屏幕亮度"] == "80 %" and (panel / "brightness").read_text() == "204\n"
    assert view(kiosk).prompt.text == "屏幕亮度已设为 80 %，并已保存。"
    assert load_config(config_file).display.brightness == 80
    for text_seen in seen:
        assert PERSONAL.search(text_seen) is None
    changes = [(d["outcome"], d["old"], d["new"]) for _s, e, d in audit(kiosk)
               if e == "service.change"]  # fmt: skip
    assert changes == [("ok", 70, 45), ("refused", 45, 999), ("ok", 50, 80)]
    outbox = [(e, d["outcome"], d["reference"], d["reason"]) for _s, e, d in audit(kiosk)
              if e in ("service.requeue", "service.discard")]  # fmt: skip
    assert outbox == [
        ("service.requeue", "ok", dead[0], "back_office_fixed"),
        ("service.discard", "ok", dead[1], "test"),
    ]
    exports = [d for _s, e, d in audit(kiosk) if e == "service.export"]
    assert exports[0]["head"] == verify(exported).head
    services.demo.set_down(False)


def install_bundles(root: Path, *versions: int) -> None:
    """Bundles of the shipped flows in a kiosk's bundle store, the last one current."""
    from kiosk.bundle.archive import read_archive, write_archive
    from kiosk.bundle.build import collect
    from kiosk.bundle.manifest import Manifest, entry_of
    from kiosk.flow.loader import DEFAULT_FLOWS_DIR
    from kiosk.updates.store import BundleStore

    content = root.parent / "content"
    shutil.copytree(DEFAULT_FLOWS_DIR, content / "flows")
    files = collect(content)
    store = BundleStore(root)
    for version in versions:
        manifest = Manifest(version, "0.1.0", ("government", "locker"),
                            {path: entry_of(data) for path, data in files.items()})  # fmt: skip
        store.install(read_archive(write_archive(manifest, files)))
        store.activate(version)


@pytest.fixture
async def updating_kiosk(window: Any, tmp_path: Path) -> AsyncIterator[TouchKiosk]:
    """A government kiosk with an update repository (never polled here) and bundles 1 and 2."""
    install_bundles(tmp_path / "data" / "bundles", 1, 2)
    (tmp_path / "root.json").write_text("{}")
    updates = f"""[updates]
repository = "file://{tmp_path / "repository"}"
trusted_root = "{tmp_path / "root.json"}"
"""
    async for k in running(window, tmp_path, "government", devices=updates):
        yield k


async def test_an_administrator_rolls_the_bundle_back_and_restarts_the_kiosk(
    updating_kiosk: TouchKiosk, tmp_path: Path
) -> None:
    kiosk = updating_kiosk
    assert kiosk.services is not None and kiosk.updates is not None
    assert kiosk.services.flows_dir == tmp_path / "data" / "bundles" / "bundles" / "2" / "flows"
    await open_menu(kiosk, TECH_PIN)
    assert "restart" not in actions(kiosk) and "bundle" not in actions(kiosk)  # not a technician
    await pick(kiosk, "status", "status")
    assert rows(kiosk)["在用业务包"] == "2"  # but the status page names the bundle
    press(kiosk, Key.CLEAR)
    await until(lambda: on_page(kiosk, "home"), "home")
    press(kiosk, Key(str(len(actions(kiosk)))))
    await until(at_attract(kiosk), "the attract screen")
    await open_menu(kiosk, ADMIN_PIN)
    await pick(kiosk, "bundle", "bundle")
    assert rows(kiosk)["在用业务包"] == "2" and rows(kiosk)["上一个业务包"] == "1"
    await pick(kiosk, "rollback", "bundle.reason")
    assert view(kiosk).prompt.title == "为什么把业务包 2 回退到 1？"
    await pick(kiosk, "residents_complain", "bundle")
    assert view(kiosk).prompt.text == "业务包 2 已回退，现在使用 1（下一位居民起生效）。"
    assert rows(kiosk)["在用业务包"] == "1" and rows(kiosk)["上一个业务包"] == "—"
    assert "rollback" not in actions(kiosk)  # nothing before 1
    store = kiosk.updates.store
    assert os.readlink(store.root / "current") == "bundles/1" and "maintainer" in store.refused(2)
    assert kiosk.services.flows_dir == store.folder(1) / "flows"
    rolled = [d for _s, e, d in audit_all(kiosk) if e == "bundle_rolled_back"]
    assert rolled == [{"bundle": 2, "to": 1, "reason": "maintainer: residents_complain"}]
    press(kiosk, Key.CLEAR)
    await until(lambda: on_page(kiosk, "home"), "home")
    await pick(kiosk, "restart", "restart")
    assert "重启" in screen_text(kiosk)
    press(kiosk, Key.DIGIT_1)  # restart now
    await until(lambda: kiosk.restart_requested, "the restart")
    admin = {"role": "administrator", "who": "pin:admin", "outcome": "ok"}
    assert ("bundle", "service.rollback", {**admin, "bundle": 2, "to": 1,
            "reason": "residents_complain"}) in audit(kiosk)  # fmt: skip
    assert audit(kiosk)[-2:] == [
        ("restart", "service.restart", admin),
        ("home", "service.closed", {**admin, "why": "restart"}),
    ]


@pytest.fixture
async def card_kiosk(window: Any, tmp_path: Path, pcscd: Pcscd) -> AsyncIterator[TouchKiosk]:
    """A government kiosk whose maintainers may also sign in with the demo card."""
    cards = 'cards = { "S10000001" = "administrator" }\n'
    async for k in running(window, tmp_path, "government", cards):
        yield k


async def test_a_maintainer_card_on_the_allow_list_opens_the_menu(card_kiosk: TouchKiosk) -> None:
    await until(at_attract(card_kiosk), "the attract screen")
    press(card_kiosk, Key.SERVICE)
    await until(lambda: on_page(card_kiosk, "login.1"), "the PIN or card")
    device(card_kiosk, "smart_card").simulator.present_card()  # the demo card, S10000001
    await until(lambda: on_page(card_kiosk, "home"), "the home page", timeout=20)
    assert rows(card_kiosk)["角色"] == "管理员"
    who = rows(card_kiosk)["登录身份"]
    assert who.startswith("card:S1") and "S10000001" not in who
    login = [d for _s, e, d in audit(card_kiosk) if e == "service.login"]
    assert login == [{"role": "administrator", "who": who, "outcome": "ok", "method": "card"}]
    assert "S10000001" not in repr(card_kiosk.services.journal.recent(100))
