"""The persistent bar, one-tap elder mode and high contrast, sizes and contrast in the tree."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from kivy.metrics import dp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from ui_harness import ask_task, find, frames, shown, tap, texts_on_screen, typed

from kiosk.flow.prompt import InputRules, Prompt, PromptKind, PromptOption, PromptRow
from kiosk.session.menu import Category, Menu, Service
from kiosk.session.state import AttractInfo
from kiosk.ui.theme import MIN_TARGET_DP, contrast
from kiosk.ui.widgets.button import KioskButton, overflows
from kiosk.ui.widgets.label import KioskLabel
from kiosk.ui.widgets.service_bar import BAR_CONTROLS

MENU = Menu(
    categories=[
        Category("social_security", {"zh_CN": "社会保障", "en": "Social security"}),
        Category("civil", {"zh_CN": "民政服务", "en": "Civil affairs"}),
    ],
    services=[
        Service(
            "si-certificate",
            {"zh_CN": "社保参保证明打印", "en": "Insurance certificate"},
            "social_security",
        ),
        Service("elder-allowance", {"zh_CN": "高龄津贴申请", "en": "Elder allowance"}, "civil"),
    ],
    hidden={"si-payments": "needs printer (paper_out)"},
)
INFO = AttractInfo({"zh_CN": "幸福里社区服务站", "en": "Xingfuli Service Point"})


def every_prompt() -> list[Prompt]:
    base: dict[str, Any] = {"flow": "demo", "say": "", "text": "请按提示操作", "title": "示例业务"}
    opts = (PromptOption("a", "个人参保证明", "", 1), PromptOption("b", "缴费明细", "", 2))
    rows = (PromptRow("姓名", "张*", "张三", True),)
    return [
        Prompt(step="info", kind=PromptKind.INFO, **base),
        Prompt(step="choose", kind=PromptKind.CHOOSE, options=opts, can_go_back=True, **base),
        Prompt(step="digits", kind=PromptKind.INPUT, input=InputRules("id_number"), **base),
        Prompt(step="text", kind=PromptKind.INPUT, input=InputRules("text"), **base),
        Prompt(step="confirm", kind=PromptKind.CONFIRM, rows=rows, **base),
        Prompt(step="consent", kind=PromptKind.CONSENT, **base),
        Prompt(step="device", kind=PromptKind.DEVICE_WAIT, device="id_card", **base),
        Prompt(step="busy", kind=PromptKind.BUSY, **base),
        Prompt(step="error", kind=PromptKind.ERROR, error="network", **base),
        Prompt(step="result", kind=PromptKind.RESULT, **base),
    ]


async def screens(shell: Any) -> AsyncIterator[str]:
    """Put each screen up in turn (every prompt kind, the menu, attract); yield its name."""
    for p in [*every_prompt(), MENU.prompt(shell.language)]:
        task = await shown(shell, p)
        yield f"{p.kind.value}/{p.step}"
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    shell.inputs.show_attract(INFO)
    frames()
    yield "attract"


def hex_of(rgba: Any) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgba[:3])


async def test_the_bar_is_on_every_screen_in_the_same_place(shell: Any) -> None:
    places: dict[str, tuple[float, float]] = {}
    async for name in screens(shell):
        for control in BAR_CONTROLS:
            if name == "attract" and control == "language":
                continue  # the attract screen offers the language once, in its own buttons
            button = find(shell, f"bar.{control}")
            place = tuple(button.to_window(*button.pos))
            assert places.setdefault(control, place) == place, (name, control)
        assert find(shell, "bar.call_staff").text == "人工服务"


@pytest.mark.parametrize("switch", ["elder", "contrast"])
async def test_elder_mode_and_high_contrast_are_one_tap_away_everywhere(
    shell: Any, switch: str
) -> None:
    def on() -> bool:
        return bool(shell.state.elder if switch == "elder" else shell.state.high_contrast)

    async for name in screens(shell):
        tap(shell, f"bar.{switch}")
        assert on(), name
        tap(shell, f"bar.{switch}")
        assert not on(), name


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
async def test_touch_targets_text_sizes_and_contrast_in_the_widget_tree(
    shell: Any, elder: bool
) -> None:
    if elder:
        shell.inputs.toggle_elder()
    scale = shell.look.scale
    target = dp(MIN_TARGET_DP[scale.name])
    theme = shell.look.theme
    async for name in screens(shell):
        for widget in shell.walk(restrict=True):
            if isinstance(widget, ButtonBehavior):
                assert widget.width >= target and widget.height >= target, (name, widget.text)
            if isinstance(widget, Label) and widget.text:
                assert widget.font_size >= dp(18 if elder else 16), (name, widget.text)
            if isinstance(widget, KioskLabel):
                assert widget.line_height >= 1.3
                assert contrast(hex_of(widget.color), theme.background) >= 4.5, (name, widget.text)
            if isinstance(widget, KioskButton) and not widget.disabled:
                assert contrast(hex_of(widget.color), hex_of(widget._fill_rgba)) >= 4.5
            main = (
                widget.kiosk_id.startswith(("action.", "option.", "service.", "attract.start"))
                if (isinstance(widget, KioskButton))
                else False
            )
            if elder and main:
                assert widget.font_size >= dp(30), (name, widget.text)


async def test_elder_mode_makes_text_and_options_clearly_larger_on_screen(shell: Any) -> None:
    from kivy.core.window import Window

    from kiosk.ui.theme import ELDER_MIN_BODY
    from kiosk.ui.widgets.fit import clipped_labels, shrunk_text

    long = "本区其他社区户籍以及外区户籍的常住居民（需提供居住证和近半年的居住证明材料）"
    choose = every_prompt()[1]
    choose = msgspec.structs.replace(
        choose, options=(*choose.options, PromptOption("c", long, "", 3))
    )
    sizes: dict[bool, dict[str, float]] = {}
    task = await shown(shell, choose)
    for elder in (False, True):
        if elder:
            tap(shell, "bar.elder")
        frames()
        labels = [w for w in shell.walk(restrict=True) if isinstance(w, KioskLabel)]
        prompt_text = next(w for w in labels if w.text == choose.text)
        sizes[elder] = {
            "text": prompt_text.font_size,
            "option": find(shell, "option.a").font_size,
            "option height": find(shell, "option.a").height,
            "bar": find(shell, "bar.help").font_size,
        }
    for what, standard in sizes[False].items():
        assert sizes[True][what] >= 1.4 * standard, what
    assert sizes[True]["text"] >= dp(30) and sizes[True]["option"] >= dp(30)
    # a label needing two lines keeps the elder size: its button grows, its text whole
    assert list(shrunk_text(shell, dp(ELDER_MIN_BODY))) == []
    assert find(shell, "option.c").height > find(shell, "option.a").height
    assert list(clipped_labels(shell, Window.height)) == []
    task.cancel()


async def test_a_page_of_a_notice_is_read_in_large_type_in_every_look(shell: Any) -> None:
    page = "根据村（居）务公开有关规定，现将本社区2026年第三季度财务收支情况公布如下。" * 2
    choose = every_prompt()[1]
    read = msgspec.structs.replace(choose, text=f"{page}\n第1页，共3页", reading=True)
    plain = msgspec.structs.replace(read, reading=False)  # another long text: body size
    sizes = {}
    for prompt in (read, plain):
        task = await shown(shell, prompt)
        frames()
        labels = [w for w in shell.walk(restrict=True) if isinstance(w, KioskLabel)]
        sizes[prompt.reading] = next(w for w in labels if w.text == prompt.text).font_size
        task.cancel()
    assert sizes[True] >= dp(32) > sizes[False]


async def test_elder_options_too_many_for_one_screen_come_a_page_at_a_time(shell: Any) -> None:
    """Seven options of two lines each do not fit a 4:3 panel at the elder size: a page of
    them at a time with previous/next (the text stays large); keypad focus turns the page."""
    from kivy.core.window import Window

    from kiosk.ui.theme import ELDER_MIN_BODY
    from kiosk.ui.widgets.fit import clipped_labels, shrunk_text

    label = "高龄津贴、困难群众救助、低保、残疾人补贴等民政业务的申请、变更和查询"
    options = tuple(PromptOption(f"o{n}", f"{n}：{label}", "", n) for n in range(1, 8))
    choose = msgspec.structs.replace(every_prompt()[1], options=options)
    shell.inputs.toggle_elder()
    task = await shown(shell, choose)

    def ids() -> set[str]:
        return {getattr(w, "kiosk_id", "") for w in shell.walk(restrict=True)}

    assert "option.o1" in ids() and "option.o7" not in ids()
    assert find(shell, "options.previous").disabled and not find(shell, "options.next").disabled
    assert list(shrunk_text(shell, dp(ELDER_MIN_BODY))) == []
    assert list(clipped_labels(shell, Window.height)) == []
    for _page in range(6):  # how many pages depends on the font's line height
        tap(shell, "options.next")
        frames()
        if "option.o7" in ids():
            break
    assert "option.o1" not in ids() and "option.o7" in ids()
    assert find(shell, "options.next").disabled  # the last page
    shell.inputs.focus(0)  # the keypad's focus on the first option: its page again
    frames()
    assert "option.o1" in ids() and find(shell, "option.o1").focused
    tap(shell, "option.o2")
    assert (await asyncio.wait_for(task, 2)).value == "o2"


async def test_call_staff_calls_back_and_confirms_on_screen(shell: Any) -> None:
    calls: list[str] = []
    shell.inputs.on_call_staff = lambda: calls.append("staff")
    task = ask_task(shell, every_prompt()[1])
    await asyncio.sleep(0)
    tap(shell, "bar.call_staff")
    assert calls == ["staff"]
    assert any("工作人员" in text for text in texts_on_screen(shell))
    tap(shell, "option.a")  # covered by the notice: the tap must not answer
    assert not task.done()
    tap(shell, "notice.ok")
    tap(shell, "option.a")
    assert (await asyncio.wait_for(task, 2)).value == "a"


async def test_any_touch_counts_as_activity(shell: Any) -> None:
    from kiosk.flow.session import Session

    core = shell.inputs
    session = Session(core.clock)
    core.open(session)
    before = session.last_activity
    core.clock.advance(5)
    tap(shell, "bar.contrast")
    assert session.last_activity == before + 5


async def test_the_menu_offers_its_services_by_category_and_hides_the_rest(shell: Any) -> None:
    task = await shown(shell, MENU.prompt("zh_CN"))
    assert "needs printer" not in " ".join(texts_on_screen(shell))  # the reason is for staff
    with pytest.raises(AssertionError):
        find(shell, "service.si-payments")
    assert find(shell, "service.si-certificate").text.startswith("[b]1[/b]")
    # few services: all on one page, one tap away, each tile naming its category
    assert "category.civil" not in {getattr(w, "kiosk_id", "") for w in shell.walk()}
    assert find(shell, "service.elder-allowance").text.startswith("[b]2[/b]")
    assert "民政服务" in find(shell, "service.elder-allowance").text
    tap(shell, "service.elder-allowance")
    reply = await asyncio.wait_for(task, 2)
    assert reply.value == "elder-allowance" and reply.source == "touch"


async def test_in_elder_mode_every_shipped_service_is_two_taps_from_the_menu(shell: Any) -> None:
    """A tile per category, then that category's services (a category of one: the service)."""
    from kiosk.flow.loader import DEFAULT_FLOWS_DIR, load_flows
    from kiosk.session.menu import category_title

    flows = [f for f in load_flows([DEFAULT_FLOWS_DIR]).flows.values() if "government" in f.modes]
    menu = Menu()
    for flow in sorted(flows, key=lambda f: f.id):
        menu.services.append(Service(flow.id, dict(flow.title.root), flow.category))
        if flow.category not in [c.id for c in menu.categories]:
            menu.categories.append(Category(flow.category, category_title(flow.category)))
    assert len(menu.services) >= 9
    shell.inputs.toggle_elder()
    try:
        reached: dict[str, int] = {}  # service -> taps from the menu
        for category in [None, *menu.categories]:
            (await shown(shell, every_prompt()[0])).cancel()  # a new visit: the menu afresh
            task = await shown(shell, menu.prompt("zh_CN"))
            first = {getattr(w, "kiosk_id", "") for w in shell.walk()}
            if category is not None:
                if f"category.{category.id}" not in first:
                    task.cancel()
                    continue
                tap(shell, f"category.{category.id}")
                frames()
            ids = {getattr(w, "kiosk_id", "") for w in shell.walk()}
            for service in menu.services:
                if f"service.{service.id}" in ids:
                    reached.setdefault(service.id, 1 if category is None else 2)
            tile = next(i for i in sorted(ids) if i.startswith("service."))
            tap(shell, tile)  # a tile answers the menu with its service
            assert (await asyncio.wait_for(task, 2)).value == tile.removeprefix("service.")
        assert set(reached) == {service.id for service in menu.services}  # every one reached
        assert max(reached.values()) <= 2
    finally:
        shell.inputs.toggle_elder()


async def test_attract_screen_starts_and_switches_language(shell: Any) -> None:
    started: list[str] = []
    shell.inputs.on_start = started.append
    shell.inputs.show_attract(INFO)
    frames()
    assert "[b]幸福里社区服务站[/b]" in texts_on_screen(shell)
    assert any("星期" in text for text in texts_on_screen(shell))
    tap(shell, "attract.lang.en")
    assert "[b]Xingfuli Service Point[/b]" in texts_on_screen(shell)
    assert find(shell, "attract.start").text == "Start"
    tap(shell, "attract.start")
    assert started == ["touch"]


async def test_the_end_of_a_session_wipes_the_screen(shell: Any) -> None:
    task = await shown(shell, every_prompt()[2])
    type_keys_ = "1101"
    for key in type_keys_:
        tap(shell, f"key.{key}")
    tap(shell, "bar.language")  # elder mode's simpler bar has no language button
    tap(shell, "bar.elder")
    assert typed(shell) == type_keys_
    shell.inputs.end()
    frames()
    assert (shell.state.elder, shell.state.high_contrast, shell.language) == (
        False,
        False,
        "zh_CN",
    )
    assert shell.view_prompt is None and shell.memory.pinyin == ""
    assert not any(type_keys_ in text for text in texts_on_screen(shell))
    with pytest.raises(asyncio.CancelledError):  # the question asked is withdrawn
        await asyncio.wait_for(task, 2)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_every_bar_label_is_whole_inside_its_button(shell: Any, lang: str, elder: bool) -> None:
    if elder:
        shell.inputs.toggle_elder()
    shell.inputs.show_attract(INFO)
    if shell.language != lang:
        tap(shell, f"attract.lang.{lang}")
    frames()
    assert shell.bar is not None
    for control, button in shell.bar.buttons.items():
        assert not overflows(button), (control, button.text)
        assert button.font_size >= dp(18), (control, button.text)


@pytest.mark.parametrize("high_contrast", [False, True], ids=["normal", "high_contrast"])
async def test_disabled_controls_are_visible_inactive_and_never_keypad_focused(
    shell: Any, high_contrast: bool
) -> None:
    """The X key before the 18th character, back on a first question: drawn inactive (text
    ≥ 3:1 on its fill, unlike an enabled key), never invisible, never in the keypad's order."""
    if high_contrast:
        shell.inputs.toggle_contrast()
    ask = Prompt(
        flow="f",
        step="id",
        kind=PromptKind.INPUT,
        text="请输入身份证号码",
        say="请输入身份证号码",
        input=InputRules("id_number"),
    )
    task = ask_task(shell, ask)
    await asyncio.sleep(0)
    frames()
    frames()
    for kiosk_id in ("key.X", "bar.back"):
        control = find(shell, kiosk_id)
        assert control.disabled and control.opacity == 1, kiosk_id
        ink, fill = hex_of(control.color), hex_of(control._fill_colour.rgba)
        assert contrast(ink, fill) >= 3.0, kiosk_id
    enabled, disabled = find(shell, "key.1"), find(shell, "key.X")
    assert hex_of(enabled.color) != hex_of(disabled.color)
    # and by shape of its outline too: a thinner, grey border (black on black fills alike)
    assert hex_of(enabled._border_colour.rgba) != hex_of(disabled._border_colour.rgba)
    assert disabled._border.width < enabled._border.width
    assert not any(c is not None and c.disabled for c in shell.screen.focusables)
    task.cancel()
