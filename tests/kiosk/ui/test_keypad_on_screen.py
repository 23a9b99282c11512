"""The tactile keypad on the touch screen: typed keys show in the field, focus is drawn.

The shell in the real window, drawn by its session core; tactile keys go to the core as the
keypad's events do on the kiosk, taps go through the shell.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import msgspec
import pytest
from PIL import Image
from ui_harness import find, frames, tap, type_keys

from kiosk.flow.prompt import Answer, Event, InputRules, Prompt, PromptKind, PromptOption
from kiosk.session.menu import Service
from peripherals.keypad.keys import Key

YES_NO = (PromptOption("yes", "确认", "确认", 1), PromptOption("no", "返回修改", "返回修改", 2))
TOPICS = (
    PromptOption("environment", "环境卫生", "环境卫生", 1),
    PromptOption("facilities", "公共设施", "公共设施", 2),
    PromptOption("other", "其他", "其他", 3),
)


def prompt(kind: PromptKind, step: str = "s", **fields: Any) -> Prompt:
    return Prompt(flow="f", step=step, kind=kind, text="请操作", say="请操作", **fields)


class Rig:
    """The shell, drawn by its session core, answered by touch and by the tactile keypad."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.core = shell.inputs

    def ask(self, p: Prompt) -> asyncio.Future[Answer | Event]:
        return asyncio.ensure_future(self.core.ask(p))

    async def press(self, *keys: Key) -> None:
        """Press tactile keys (as the keypad's events reach the session), then draw a frame."""
        for key in keys:
            self.core.key(key)
            await asyncio.sleep(0)
        frames(1)


async def settle(condition: Callable[[], bool], turns: int = 100) -> None:
    """Let the asyncio loop run until `condition()` holds (bounded, no sleeping)."""
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


@pytest.fixture
def rig(shell: Any) -> Iterator[Rig]:
    yield Rig(shell)


async def started(rig: Rig, p: Prompt) -> asyncio.Future[Answer | Event]:
    asking = rig.ask(p)
    await settle(lambda: rig.shell.view_prompt is not None and rig.shell.view_prompt.waiting)
    frames(1)
    return asking


def typed(rig: Rig) -> str:
    return str(rig.shell.view_prompt.draft.typed)


def keypad_used(rig: Rig) -> None:
    """The tactile keypad was used earlier in the session (a key that means nothing here)."""
    rig.core.key(Key.PLUS)
    frames(1)


async def test_keypad_digits_show_in_the_field_and_clear_deletes_there(rig: Rig) -> None:
    asking = await started(rig, prompt(PromptKind.INPUT, input=InputRules("phone")))
    await rig.press(Key.DIGIT_1, Key.DIGIT_3, Key.DIGIT_9, Key.DIGIT_0, Key.DIGIT_1)
    screen = rig.shell.screen
    assert screen.display.text == "139 01"
    await rig.press(Key.CLEAR)
    assert screen.display.text == "139 0"
    assert typed(rig) == "1390"
    await rig.press(Key.CLEAR, Key.CLEAR, Key.CLEAR, Key.CLEAR)
    assert screen.display.text == ""
    assert not asking.done()  # emptied, not gone back: one more CLEAR would go back
    await rig.press(Key.CANCEL)
    assert await asyncio.wait_for(asking, 2) is Event.CANCEL


async def test_touch_then_keypad_then_touch_is_one_value_and_enter_submits_it(rig: Rig) -> None:
    asking = await started(rig, prompt(PromptKind.INPUT, input=InputRules("digits")))
    type_keys(rig.shell, "20")
    await rig.press(Key.DIGIT_2)
    type_keys(rig.shell, "4")
    assert rig.shell.screen.display.text == "2024"
    await rig.press(Key.ENTER)
    assert await asyncio.wait_for(asking, 2) == Answer("2024", source="keypad")


async def test_keypad_typing_then_the_confirm_tap_submits_the_same_value(rig: Rig) -> None:
    asking = await started(rig, prompt(PromptKind.INPUT, input=InputRules("digits")))
    await rig.press(Key.DIGIT_7, Key.DIGIT_7)
    tap(rig.shell, "action.confirm")
    assert await asyncio.wait_for(asking, 2) == Answer("77", source="touch")


async def test_a_secret_typed_on_the_keypad_shows_as_dots_only(rig: Rig) -> None:
    asking = await started(rig, prompt(PromptKind.INPUT, input=InputRules("secret", secret=True)))
    await rig.press(Key.DIGIT_4, Key.DIGIT_8, Key.DIGIT_1, Key.DIGIT_5)
    display = rig.shell.screen.display.text
    assert display == "●●●●" and "4815" not in " ".join(_texts(rig.shell))
    await rig.press(Key.ENTER)
    assert await asyncio.wait_for(asking, 2) == Answer("4815", source="keypad")


async def test_the_id_number_x_comes_from_star_only_as_the_last_character(rig: Rig) -> None:
    asking = await started(rig, prompt(PromptKind.INPUT, input=InputRules("id_number")))
    await rig.press(Key.DIGIT_1, Key.STAR)
    assert typed(rig) == "1"  # refused, as the screen's X key is
    await rig.press(*(Key(c) for c in "1010519700101002"), Key.STAR)
    assert rig.shell.screen.display.text == "110105 19700101 002X"
    await rig.press(Key.ENTER)
    assert await asyncio.wait_for(asking, 2) == Answer("11010519700101002X", source="keypad")


async def test_typed_value_survives_the_prompt_asked_again_in_english(rig: Rig) -> None:
    typing = prompt(PromptKind.INPUT, input=InputRules("digits"))
    first = await started(rig, typing)
    await rig.press(Key.DIGIT_5, Key.DIGIT_6)
    first.cancel()  # what the engine does when the language changes: ask again
    await asyncio.gather(first, return_exceptions=True)
    again = await started(rig, msgspec.structs.replace(typing, language="en", text="Type"))
    assert rig.shell.screen.display.text == "56"
    await rig.press(Key.DIGIT_7, Key.ENTER)
    assert await asyncio.wait_for(again, 2) == Answer("567", source="keypad")


def _focused(shell: Any) -> list[str]:
    return [w.kiosk_id for w in shell.walk(restrict=True) if getattr(w, "focused", False) is True]


def _texts(shell: Any) -> list[str]:
    from kivy.uix.label import Label

    return [w.text for w in shell.walk(restrict=True) if isinstance(w, Label)]


async def test_hash_draws_focus_on_options_wrapping_and_enter_picks_the_focused(
    rig: Rig,
) -> None:
    asking = await started(rig, prompt(PromptKind.CHOOSE, options=TOPICS))
    assert _focused(rig.shell) == []  # ENTER picks nothing yet: no ring
    await rig.press(Key.HASH)
    assert _focused(rig.shell) == ["option.environment"]
    await rig.press(Key.HASH, Key.HASH)
    assert _focused(rig.shell) == ["option.other"]
    await rig.press(Key.HASH)
    assert _focused(rig.shell) == ["option.environment"]  # wrapped: never trapped
    await rig.press(Key.STAR)
    assert _focused(rig.shell) == ["option.other"]  # and backwards too
    await rig.press(Key.STAR, Key.ENTER)
    assert await asyncio.wait_for(asking, 2) == Answer("facilities", source="keypad")


async def test_consent_shows_no_focus_until_the_resident_moves_it(rig: Rig) -> None:
    asking = await started(rig, prompt(PromptKind.CONSENT, options=YES_NO))
    keypad_used(rig)
    assert _focused(rig.shell) == []  # ENTER alone does not agree
    await rig.press(Key.ENTER)
    assert not asking.done()
    await rig.press(Key.HASH)
    assert _focused(rig.shell) == ["action.agree"]
    await rig.press(Key.HASH, Key.ENTER)
    assert await asyncio.wait_for(asking, 2) == Answer("no", source="keypad")


@pytest.mark.parametrize(
    "kind,yes,no",
    [(PromptKind.CONFIRM, "action.confirm", "action.change")],
)
async def test_confirm_and_consent_show_where_enter_goes_and_hash_moves_it(
    rig: Rig, kind: PromptKind, yes: str, no: str
) -> None:
    asking = await started(rig, prompt(kind, options=YES_NO))
    assert _focused(rig.shell) == []  # no keypad used yet: nothing pre-selected for touch
    keypad_used(rig)
    assert _focused(rig.shell) == [yes]  # ENTER would answer yes
    await rig.press(Key.HASH)
    assert _focused(rig.shell) == [no]
    await rig.press(Key.HASH)
    assert _focused(rig.shell) == [yes]
    await rig.press(Key.STAR, Key.ENTER)
    assert await asyncio.wait_for(asking, 2) == Answer("no", source="keypad")


@pytest.mark.parametrize(
    "kind,control",
    [
        (PromptKind.INFO, "action.continue"),
        (PromptKind.RESULT, "action.done"),
        (PromptKind.ERROR, "action.continue"),
    ],
)
async def test_the_continue_button_carries_the_focus_once_the_keypad_is_used(
    rig: Rig, kind: PromptKind, control: str
) -> None:
    asking = await started(rig, prompt(kind))
    await rig.press(Key.HASH)
    assert _focused(rig.shell) == [control]
    await rig.press(Key.HASH)  # nowhere else to go, and not trapped either: ENTER continues
    assert _focused(rig.shell) == [control]
    await rig.press(Key.ENTER)
    assert isinstance(await asyncio.wait_for(asking, 2), Answer)


async def test_focus_is_kept_when_the_screen_is_re_rendered(rig: Rig) -> None:
    asking = await started(rig, prompt(PromptKind.CHOOSE, options=TOPICS))
    await rig.press(Key.HASH, Key.HASH)
    rig.core.toggle_elder()
    rig.core.toggle_contrast()
    frames(1)
    assert _focused(rig.shell) == ["option.facilities"]
    await rig.press(Key.ENTER)
    assert await asyncio.wait_for(asking, 2) == Answer("facilities", source="keypad")


async def test_typed_code_shows_while_waiting_for_a_device(rig: Rig) -> None:
    asking = await started(rig, prompt(PromptKind.DEVICE_WAIT, device="scanner"))
    await rig.press(Key.DIGIT_8, Key.DIGIT_3)
    assert rig.shell.screen.typed.text == "83"
    await rig.press(Key.ENTER)
    assert await asyncio.wait_for(asking, 2) == Answer("83", source="keypad")


async def test_the_focus_ring_is_drawn_around_the_focused_button_only(
    rig: Rig, window: Any, tmp_path: Path
) -> None:
    asking = await started(rig, prompt(PromptKind.CHOOSE, options=TOPICS))
    await rig.press(Key.HASH, Key.HASH)
    frames(2)
    path = window.screenshot(name=str(tmp_path / "focus.png"))
    image = Image.open(path).convert("RGB")
    focus = _rgb(rig.shell.look.theme.rgba("focus"))

    def ring_pixel(kiosk_id: str) -> tuple[int, int, int]:
        button = find(rig.shell, kiosk_id)
        x, y = button.to_window(button.x, button.center_y)
        # 6 px left of the button: inside the outer ring; y counted from the top in the image
        return cast(tuple[int, int, int], image.getpixel((int(x) - 6, image.height - int(y))))

    assert _close(ring_pixel("option.facilities"), focus)
    assert not _close(ring_pixel("option.environment"), focus)
    asking.cancel()
    await asyncio.gather(asking, return_exceptions=True)


def _rgb(rgba: Any) -> tuple[int, int, int]:
    return (round(rgba[0] * 255), round(rgba[1] * 255), round(rgba[2] * 255))


def _close(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return all(abs(x - y) <= 24 for x, y in zip(a, b, strict=True))


async def test_the_menu_shows_keypad_numbers_and_focus_opens_the_category(rig: Rig) -> None:
    from test_shell import MENU

    more = [
        Service(f"civil-{n}", {"zh_CN": f"民政{n}", "en": f"Civil {n}"}, "civil") for n in range(7)
    ]
    menu = dataclasses.replace(
        MENU,
        services=[
            *MENU.services[:1],
            Service("si-payments", {"zh_CN": "缴费查询", "en": "Payments"}, "social_security"),
            *MENU.services[1:],
            *more,  # too many for one page in large print: a tile per category first
        ],
    )
    rig.core.toggle_elder()
    menu_prompt = menu.prompt("zh_CN")
    asking = await started(rig, menu_prompt)
    assert find(rig.shell, "category.civil") and find(rig.shell, "category.social_security")
    assert find_or_none(rig.shell, "service.si-certificate") is None  # one decision a screen
    for option in menu_prompt.options:  # the number on screen is the digit that picks it
        if find_or_none(rig.shell, f"service.{option.value}") is not None:
            assert find(rig.shell, f"service.{option.value}").text.startswith(
                f"[b]{option.key}[/b]"
            )
    await rig.press(Key.HASH)
    assert _focused(rig.shell) == ["service.si-certificate"]
    await rig.press(Key.HASH, Key.HASH)  # past si-payments to the civil category's service
    assert rig.shell.memory.category == "civil"
    assert _focused(rig.shell) == ["service.elder-allowance"]
    assert find(rig.shell, "service.elder-allowance").text.startswith("[b]3[/b]")
    await rig.press(*[Key.HASH] * 8)  # past the seven more civil services
    assert _focused(rig.shell) == ["service.si-certificate"]  # wrapped, category back
    tap(rig.shell, "category.all")  # back to the categories: no tabs in elder mode
    assert find_or_none(rig.shell, "service.si-certificate") is None
    tap(rig.shell, "category.civil")  # a tapped category wins over the keypad focus
    assert _focused(rig.shell) == [] and rig.shell.memory.category == "civil"
    await rig.press(Key.DIGIT_3)
    assert await asyncio.wait_for(asking, 2) == Answer("elder-allowance", source="keypad")


def find_or_none(root: Any, kiosk_id: str) -> Any:
    return next(
        (w for w in root.walk(restrict=True) if getattr(w, "kiosk_id", "") == kiosk_id), None
    )
