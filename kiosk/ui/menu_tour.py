"""A tour of the maintainers' service menu: every page photographed in the real app.

`menu_tour` starts the whole touch kiosk (`TouchKiosk`, as `kiosk run --simulate`) on a
configuration of its own in a scratch folder, with an administrator's PIN made up for the tour
(hashed like `kiosk menu pin`; never written in clear or shown), and visits the menu as a
maintainer would on the tactile keypad: the maintenance key, wrong PINs until the lock-out (its
countdown), then the right one, and every page in turn, with the simulated faults the pages
exist for (paper out, a queued submission, in locker mode a jammed door, a door left open, a
refused parcel, and an overdue parcel to hand over with its fee waived). Each page is saved as
`NN-step.png` when first drawn, and `pages.md` lists what each showed (rows, actions), scrubbed.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.privacy.masking import scrub
from kiosk.ui.touch_kiosk import TouchKiosk
from kiosk.ui.tour import FrameCamera
from peripherals.keypad.keys import Key

log = logging.getLogger(__name__)

WAIT = 20.0
"""Real seconds one page may take to appear (a self-test, a slow software renderer)."""


@dataclass(frozen=True)
class MenuTourOptions:
    """Where the pictures go, the kiosk's mode, and how the screen looks."""

    out: Path
    work: Path
    """A scratch folder for the tour kiosk's configuration and data."""
    mode: str = "government"
    language: str = "zh_CN"
    elder: bool = False
    contrast: bool = False
    size: tuple[int, int] = (1280, 1024)
    timeout: float = 120.0


@dataclass(frozen=True)
class TourPage:
    """One photographed page: its file, step and what it showed."""

    screenshot: str
    step: str
    title: str
    text: str
    rows: list[str]
    actions: list[str]


@dataclass
class MenuTourResult:
    """The pages photographed, the index file, and why the tour stopped early ("" if not)."""

    pages: list[TourPage] = field(default_factory=list)
    index: Path = Path()
    error: str = ""


def tour_pin() -> str:
    """A PIN for this tour only (eight random digits, not all the same)."""
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(8))
        if len(set(pin)) > 1:
            return pin


def write_tour_config(options: MenuTourOptions, pin: str) -> Path:
    """The tour kiosk's kiosk.toml: simulated devices, an administrator's PIN (hashed)."""
    from kiosk.maintenance.pins import hash_pin

    path = options.work / "kiosk.toml"
    path.write_text(
        f"""simulate = true
data_dir = "{options.work / "data"}"

[terminal]
id = "tour-0001"
mode = "{options.mode}"
language = "{options.language}"

[maintenance]
export_dir = "{options.work / "usb"}"

[maintenance.pins.tour]
role = "administrator"
hash = "{hash_pin(pin)}"

{_simulated_devices(options.mode)}""",
        encoding="utf-8",
    )
    return path


JAMMED_AFTER = 0.5
"""Seconds the tour's lock boards wait for a door before calling it jammed (a real door is given
2 s; the simulated boards answer at once, and the tour pictures two jammed doors)."""


def _simulated_devices(mode: str) -> str:
    """The `[devices]` tables of the devices a simulated kiosk of `mode` gets by default."""
    from kiosk.config import DEFAULT_DEVICES

    tables = []
    for kind in DEFAULT_DEVICES[mode]:
        table = f'[devices.{kind}]\ndriver = "simulated"\n'
        if kind == "lock_board":
            table += f"open_timeout = {JAMMED_AFTER}\n"
        tables.append(table)
    return "\n".join(tables)


class MenuWalker:
    """Drives the running kiosk's service menu by keypad and photographs its pages."""

    def __init__(self, kiosk: TouchKiosk, camera: FrameCamera, out: Path) -> None:
        self.kiosk = kiosk
        self.camera = camera
        self.out = out
        self.pages: list[TourPage] = []

    def device(self, kind: str) -> Any:
        """The kiosk's simulated device of `kind`."""
        assert self.kiosk.services is not None
        found = self.kiosk.services.hub.by_kind(kind)
        if found is None:
            raise RuntimeError(f"no {kind} device")
        return found

    def view(self) -> Any:
        """The prompt view on screen, or None."""
        app = self.kiosk.app
        return None if app is None or app.shell is None else app.shell.view_prompt

    def on(self, step: str) -> bool:
        """Whether page `step` is on screen waiting for an answer."""
        shown = self.view()
        return shown is not None and shown.prompt.step == step and shown.waiting

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        """Let Kivy's loop turn until `condition()` holds; fails after `WAIT` real seconds.

        A turn draws a frame only if something changed: forcing one per look (as a photograph
        does) cost ~20 ms of software rendering each, most of the tour's time."""
        limit = time.monotonic() + WAIT
        while not condition():
            if time.monotonic() > limit:
                raise TimeoutError(f"waited in vain for {what}")
            await self.camera.tick()

    def press(self, *keys: Key) -> None:
        """Press keys on the simulated tactile keypad."""
        keypad = self.device("keypad")
        for key in keys:
            keypad.simulator.press(key)

    async def shot(self, name: str) -> None:
        """Photograph the page on screen and note what it shows."""
        prompt = self.view().prompt
        filename = f"{len(self.pages) + 1:02d}-{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.png"
        await self.camera.photograph(self.out / filename)
        self.pages.append(
            TourPage(
                screenshot=filename,
                step=prompt.step,
                title=prompt.title,
                text=scrub(prompt.text),
                rows=[scrub(f"{row.label}: {row.shown}") for row in prompt.rows],
                actions=[f"{option.key} {option.label}" for option in prompt.options],
            )
        )

    async def pick(self, value: str, then: str, *, shot: str | None = None) -> None:
        """Pick the action `value` by its keypad number; wait for page `then`; photograph it."""
        options = self.view().prompt.options
        option = next((o for o in options if o.value == value), None)
        if option is None:
            raise RuntimeError(f"no action {value} on {self.view().prompt.step}")
        before = self.view().prompt
        self.press(Key(str(option.key)))
        await self.until(lambda: self.on(then) and self.view().prompt is not before, then)
        if shot is not None:
            await self.shot(shot)

    async def compartment(
        self, what: str, cabinet: str, number: int, *, then: str = "", shot: str | None = None
    ) -> None:
        """On the locker page: action `what`, the cabinet, the compartment's number typed (a
        picture of the number asked when `shot`); wait for page `then` (default: the reason)."""
        await self.pick(what, f"locker.{what}.cabinet")
        await self.pick(cabinet, f"locker.{what}.number", shot=shot)
        await self.type_in(str(number), then or f"locker.{what}.reason")

    async def back(self, then: str) -> None:
        """The keypad's back key; wait for page `then`."""
        self.press(Key.CLEAR)
        await self.until(lambda: self.on(then), then)

    async def type_in(self, digits: str, then: str) -> None:
        """Type digits and confirm; wait for page `then` (a new question)."""
        before = self.view().prompt
        self.press(*(Key(d) for d in digits), Key.ENTER)
        await self.until(lambda: self.on(then) and self.view().prompt is not before, then)


def _resident_session(journal: Any) -> None:
    """A resident's session earlier today, as the engine journals it: a request queued while
    the back office was down (the journal page says it in words)."""
    session = f"tour-{secrets.token_hex(4)}"
    flow = "resident-request"
    journal.record(session, flow, "", "started", {"language": "zh_CN"})
    for step, events in (
        ("consent", ("entered", "consented", "answered")),
        ("phone", ("entered", "invalid:input.invalid_phone", "answered")),
        ("send", ("entered",)),
    ):
        for event in events:
            journal.record(session, flow, step, event)
    journal.record(session, flow, "send", "submitted", {"status": "pending"})
    journal.record(session, flow, "done", "finished", {"status": "success"})
    journal.record(session, flow, "done", "ended", {"status": "finished"})


async def _visit(walker: MenuWalker, options: MenuTourOptions, pin: str) -> None:
    kiosk = walker.kiosk
    assert kiosk.services is not None and kiosk.runtime is not None
    services = kiosk.services
    if services.demo is not None:  # a submission waiting for a back office that is down
        services.demo.set_down(True, "refuse")
        services.outbox.submit_sync("demo", "/feedback", {"topic": "tour"}, "tour-1")
    _resident_session(services.journal)
    walker.press(Key.SERVICE)
    await walker.until(lambda: walker.on("login.1"), "the PIN")
    core = kiosk.runtime.core
    if options.elder:
        core.toggle_elder()
    if options.contrast:
        core.toggle_contrast()
    await walker.shot("login")
    await walker.type_in("0" * 6, "login.2")
    await walker.shot("login-wrong-pin")
    await walker.type_in("0" * 6, "login.3")
    await walker.type_in("0" * 6, "login.4")
    await walker.shot("login-locked")
    kiosk.clock.advance(12)  # type: ignore[attr-defined]
    await walker.until(lambda: " 18 " in walker.view().prompt.text, "the countdown at 18 s")
    await walker.shot("login-locked-later")  # the countdown ticks with the tour's clock
    kiosk.clock.advance(19)  # type: ignore[attr-defined]
    await walker.until(lambda: walker.view().prompt.error is None, "the lock-out over")
    await walker.type_in(pin, "home")
    await walker.shot("home")

    printer = walker.device("printer").simulator
    printer.fail("paper_out")
    await walker.pick("status", "status", shot="status-paper-out")
    await walker.pick("power", "status.power", shot="status-power-cycle")
    await walker.pick("printer", "status", shot="status-power-cycled")
    await walker.back("home")
    await walker.pick("selftest", "selftest", shot="selftests")
    await walker.pick("printer", "selftest.printer.result", shot="selftest-printer-failed")
    printer.fail(None)
    await walker.back("selftest")
    await walker.pick("printer", "selftest.printer.result", shot="selftest-printer-passed")
    await walker.back("selftest")
    await walker.pick("back_office", "selftest.back_office.result", shot="selftest-back-office")
    await walker.back("selftest")
    if services.hub.by_kind("id_card") is not None:
        await walker.pick("id_card", "selftest.id_card.wait", shot="selftest-id-card-waiting")
        walker.device("id_card").simulator.present_card()
        await walker.until(lambda: walker.on("selftest.id_card.result"), "the card read")
        await walker.shot("selftest-id-card-read")
        await walker.back("selftest")
    if options.mode == "locker":  # the door test of a jammed door
        walker.device("lock_board").simulator.jam(1, 3)
        await walker.pick("lock_board", "locker.selftest.cabinet")
        await walker.pick("A", "locker.selftest.number")
        await walker.type_in("3", "selftest.lock_board.result")
        await walker.shot("selftest-door-jammed")
        await walker.back("selftest")
    await walker.back("home")

    if options.mode == "locker":
        await _locker(walker, kiosk)

    await walker.pick("outbox", "outbox", shot="outbox")
    await walker.back("home")
    await walker.pick("journal", "journal", shot="journal-days")
    await walker.pick("0", "journal.day", shot="journal-today")
    while any(o.value == "earlier" for o in walker.view().prompt.options):
        await walker.pick("earlier", "journal.day")
    await walker.shot("journal-first")  # the day's first entries: a resident's session
    export = next(o for o in walker.view().prompt.options if o.value == "export")
    before = walker.view().prompt
    walker.press(Key(str(export.key)))
    await walker.until(
        lambda: walker.on("journal.day") and walker.view().prompt is not before, "the export"
    )
    await walker.shot("journal-exported")
    await walker.back("journal")
    await walker.back("home")
    await walker.pick("settings", "settings", shot="settings")
    await walker.pick("volume", "settings.value", shot="settings-volume")
    await walker.back("settings")
    await walker.back("home")
    await walker.pick("bundle", "bundle", shot="bundle")
    await walker.back("home")
    await walker.pick("restart", "restart", shot="restart")
    await walker.back("home")
    if services.demo is not None:
        services.demo.set_down(False)


async def _locker(walker: MenuWalker, kiosk: TouchKiosk) -> None:
    """The locker page: an overdue parcel waiting, a refused one, a jammed door, a door left
    open; each action."""
    assert kiosk.services is not None and kiosk.services.locker is not None
    inventory = kiosk.services.locker.inventory
    inventory.seed(
        "A-05",
        waybill="YT9876543210",
        company="圆通速递",
        phone="13912345678",  # invented
        code="20481357",
        deposited_at=kiosk.clock.now() - 3 * 86400,  # two days overdue: a fee to waive
        storage_hours=24,
    )
    refused = inventory.seed(
        "A-06",
        waybill="ZT1122334455",
        company="中通快递",
        phone="13712345678",  # invented
        code="31415926",
        deposited_at=kiosk.clock.now(),
        storage_hours=24,
    )
    inventory.refuse(refused, "by the recipient")
    board = walker.device("lock_board").simulator
    board.jam(1, 3)
    board.open_door(2, 7)
    await walker.pick("locker", "locker", shot="locker")
    await walker.compartment("open", "A", 3, shot="locker-which-compartment")
    await walker.shot("locker-why-open")
    await walker.pick("inspection", "locker", shot="locker-jammed")
    await walker.compartment("out", "A", 3)
    await walker.pick("jammed", "locker", shot="locker-out-of-service")
    await walker.pick("reconcile", "locker.reconciled", shot="locker-reconciled")
    await walker.back("locker")
    await walker.pick("resolve", "locker.resolve", shot="locker-resolve-which")  # two open
    door_open = next(o.value for o in walker.view().prompt.options if "B-07" in o.label)
    await walker.pick(door_open, "locker.resolve.reason", shot="locker-resolve-why")
    await walker.pick("checked_ok", "locker", shot="locker-problem-resolved")
    await walker.compartment("retrieve", "A", 5, then="locker.retrieve.parcel")
    await walker.shot("locker-retrieve-parcel")
    await walker.pick("lost_code", "locker.retrieve.waive", shot="locker-waive-fee")
    await walker.pick("kiosk_fault", "locker", shot="locker-retrieved")
    await walker.pick("in", "locker.in")
    await walker.pick("A-03", "locker", shot="locker-back-in-service")
    await walker.back("home")


async def _tour(options: MenuTourOptions) -> MenuTourResult:
    from kiosk.clock import ManualClock
    from kiosk.config import load_config
    from kiosk.ui.lockdown import WindowOptions

    pin = tour_pin()
    config = load_config(write_tour_config(options, pin), environ={})
    width, height = options.size
    kiosk = TouchKiosk(
        config,
        simulate=True,
        options=WindowOptions(
            fullscreen=False, borderless=True, show_cursor=False, width=width, height=height
        ),
        language=options.language,
        data_dir=options.work / "data",
        clock=ManualClock(time.time()),  # nothing times out while the pictures are taken
        result_hold=600.0,
    )
    result = MenuTourResult()
    task = asyncio.ensure_future(kiosk.run())
    camera: FrameCamera | None = None
    try:
        ready = asyncio.ensure_future(kiosk.ready.wait())
        await asyncio.wait({ready, task}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        if not kiosk.ready.is_set():
            ready.cancel()
            result.error = "the kiosk did not start"
            return result
        from kivy.core.window import Window

        if kiosk.panel is not None:  # the pictures show what a real kiosk shows
            kiosk.panel.opacity = 0
        camera = FrameCamera(Window)
        walker = MenuWalker(kiosk, camera, options.out)
        result.pages = walker.pages
        try:
            await asyncio.wait_for(_visit(walker, options, pin), options.timeout)
        except (TimeoutError, RuntimeError, StopIteration) as exc:
            result.error = str(exc) or type(exc).__name__
            log.warning("menu tour stopped: %s", result.error)
    finally:
        if camera is not None:
            camera.close()
        kiosk.stop()
        await asyncio.wait_for(task, 30)
    return result


def write_index(out: Path, pages: list[TourPage], options: MenuTourOptions) -> Path:
    """`pages.md`: each page's picture, rows and actions."""
    look = ", ".join(
        name for name, on in (("elder mode", options.elder), ("contrast", options.contrast)) if on
    )
    lines = [
        f"# Service menu tour ({options.mode}, {options.language}{', ' + look if look else ''})",
        "",
    ]
    for page in pages:
        lines += [
            f"## {page.screenshot} `{page.step}` — {page.title}",
            "",
            f"![{page.step}]({page.screenshot})",
            "",
        ]
        if page.text:
            lines.append(f"- **Text:** {' '.join(page.text.split())}")
        lines += [f"- {row}" for row in page.rows]
        if page.actions:
            lines.append(f"- **Actions:** {'; '.join(page.actions)}")
        lines.append("")
    path = out / "pages.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def menu_tour(options: MenuTourOptions) -> MenuTourResult:
    """Run the tour (its own asyncio loop); pictures and `pages.md` in `options.out`."""
    options.out.mkdir(parents=True, exist_ok=True)
    options.work.mkdir(parents=True, exist_ok=True)
    result = asyncio.run(_tour(options))
    result.index = write_index(options.out, result.pages, options)
    return result
