"""Both shipped flows walked on the whole touch kiosk by the tactile keypad alone, every screen
checked for what a sighted resident sees: typed digits in the field, the focus ring where HASH
put it, ENTER taking the focused control. Plus touch and keypad mixed on one input.

Runs the real app headless (`kiosk run --simulate`) with the simulated keypad device; the
fixtures and drivers are those of `test_app_kiosk`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from test_app_kiosk import (  # noqa: F401  (`kiosk` is the fixture)
    CERTIFICATE,
    FEEDBACK,
    advance,
    at_attract,
    device,
    kiosk,
    loop,
    on_menu,
    on_step,
    press,
    shell,
    start_service,
    tap,
    type_keys,
    until,
    view,
    widget,
)
from ui_harness import make_id_number, texts_on_screen

from kiosk.flow.loader import DEFAULT_FLOWS_DIR as FLOWS
from kiosk.flow.loader import load_flows
from kiosk.flow.prompt import Answer, PromptKind
from kiosk.flow.schema import CallStep
from kiosk.flow.scripted import ScriptedRenderer, load_script
from kiosk.flow.steps.answers import yes_no
from kiosk.session.loop import Where
from kiosk.session.scripted import keys_for
from kiosk.ui.touch_kiosk import TouchKiosk
from peripherals.keypad.keys import Key


def focused(k: TouchKiosk) -> list[str]:
    """The controls drawn with the keypad focus ring."""
    return [w.kiosk_id for w in shell(k).walk(restrict=True) if getattr(w, "focused", False)]


def shown_value(k: TouchKiosk) -> str:
    """What the input field shows."""
    return str(shell(k).screen.display.text)


async def keys(k: TouchKiosk, *pressed: Key, shows: Any, what: str) -> None:
    """Press tactile keys, then wait until the screen shows their effect (`shows()` holds)."""
    press(k, *pressed)
    await until(shows, what)


async def hash_until(k: TouchKiosk, kiosk_id: str, limit: int) -> int:
    """Press HASH until the ring is on `kiosk_id`; returns how many presses it took."""
    for count in range(1, limit + 1):
        before = view(k).draft.focus
        press(k, Key.HASH)
        await until(lambda before=before: view(k).draft.focus != before, "the focus to move")
        if focused(k) == [kiosk_id]:
            return count
    raise AssertionError(f"HASH never reached {kiosk_id}; focus on {focused(k)}")


async def test_feedback_walked_by_keypad_alone_every_screen_showing_it(
    kiosk: TouchKiosk,  # noqa: F811
) -> None:
    speaker = device(kiosk, "speaker")
    # attract: any key starts
    await until(at_attract(kiosk), "the attract screen")
    press(kiosk, Key.ENTER)
    await until(lambda: on_menu(kiosk), "the service menu")
    await until(lambda: loop(kiosk).where is Where.MENU, "the menu asking")
    # menu: HASH walks the services (opening their category), ENTER starts the focused one
    await hash_until(kiosk, f"service.{FEEDBACK}", limit=len(loop(kiosk).menu.services))
    press(kiosk, Key.ENTER)
    await until(on_step(kiosk, "topic"), "the topic question")
    # choose: HASH draws the ring, wraps past the last option, STAR goes back; ENTER picks
    await keys(kiosk, Key.HASH, shows=lambda: focused(kiosk) == ["option.environment"], what="1")
    press(kiosk, Key.HASH, Key.HASH, Key.HASH)
    await until(lambda: focused(kiosk) == ["option.other"], "the ring on the last option")
    await keys(kiosk, Key.HASH, shows=lambda: focused(kiosk) == ["option.environment"], what="wrap")
    await keys(kiosk, Key.STAR, shows=lambda: focused(kiosk) == ["option.other"], what="back")
    press(kiosk, Key.HASH, Key.HASH)
    await until(lambda: focused(kiosk) == ["option.facilities"], "the ring on facilities")
    press(kiosk, Key.ENTER)
    # consent: nothing is pre-selected (ENTER alone never agrees); HASH moves the ring, wrapping
    await until(on_step(kiosk, "consent"), "the consent")
    assert focused(kiosk) == []
    await keys(kiosk, Key.HASH, shows=lambda: focused(kiosk) == ["action.agree"], what="agree")
    await keys(kiosk, Key.HASH, shows=lambda: focused(kiosk) == ["action.decline"], what="decline")
    await keys(kiosk, Key.HASH, shows=lambda: focused(kiosk) == ["action.agree"], what="agree")
    press(kiosk, Key.ENTER)
    # phone: digits appear in the field as typed, CLEAR deletes there
    await until(on_step(kiosk, "phone"), "the phone question")
    press(kiosk, *(Key(c) for c in "1380013"))
    await until(lambda: shown_value(kiosk) == "138 0013", "the digits in the field")
    await keys(kiosk, Key.CLEAR, shows=lambda: shown_value(kiosk) == "138 001", what="deleted")
    press(kiosk, *(Key(c) for c in "38000"))
    await until(lambda: shown_value(kiosk) == "138 0013 8000", "the whole number")
    press(kiosk, Key.ENTER)
    # comments: a digit puts that common phrase in the field (the keypad has no letters)
    await until(on_step(kiosk, "text"), "the comments question")
    press(kiosk, Key.DIGIT_3)
    await until(lambda: shown_value(kiosk) == "夜间噪音扰民。", "the third phrase typed")
    press(kiosk, Key.CLEAR)
    await until(lambda: shown_value(kiosk) == "", "the field cleared")
    press(kiosk, Key.DIGIT_1)
    await until(lambda: shown_value(kiosk).startswith("路灯"), "the first phrase typed")
    press(kiosk, Key.ENTER)
    # review: ring on confirm (ENTER's answer), HASH to change, STAR back, ENTER confirms
    await until(on_step(kiosk, "review"), "the review")
    review = " ".join(texts_on_screen(shell(kiosk)))
    assert "公共设施" in review and "138****8000" in review and "13800138000" not in review
    await until(lambda: focused(kiosk) == ["action.confirm"], "the ring on confirm")
    await keys(kiosk, Key.HASH, shows=lambda: focused(kiosk) == ["action.change"], what="change")
    await keys(kiosk, Key.STAR, shows=lambda: focused(kiosk) == ["action.confirm"], what="back")
    press(kiosk, Key.ENTER)
    # result: the done button carries the ring; ENTER ends the session
    await until(lambda: loop(kiosk).where is Where.RESULT, "the result")
    await until(lambda: focused(kiosk) == ["action.done"], "the ring on done")
    assert loop(kiosk).last_outcome.status == "finished"
    press(kiosk, Key.ENTER)
    await until(at_attract(kiosk), "the attract screen again")
    assert not shell(kiosk).state.keypad_used  # the next resident starts without keypad focus
    assert speaker.simulator.texts() == []  # no voice mode asked for: the keypad is silent


async def test_si_certificate_walked_by_keypad_alone_typing_the_id_number(
    kiosk: TouchKiosk,  # noqa: F811
) -> None:
    number = make_id_number("110105", "19700101", "002")
    assert number.endswith("X")  # STAR types it
    await until(at_attract(kiosk), "the attract screen")
    press(kiosk, Key.DIGIT_5)
    await until(lambda: loop(kiosk).where is Where.MENU, "the menu")
    await next_menu_frame(kiosk)
    await hash_until(kiosk, f"service.{CERTIFICATE}", limit=len(loop(kiosk).menu.services))
    press(kiosk, Key.ENTER)
    await until(on_step(kiosk, "consent"), "the consent")
    press(kiosk, Key.DIGIT_1)  # agree, by its number
    await until(on_step(kiosk, "how"), "how to identify")
    assert focused(kiosk) == []  # a choice: nothing is picked until the resident moves focus
    await keys(kiosk, Key.STAR, shows=lambda: focused(kiosk) == ["option.typed"], what="typed")
    press(kiosk, Key.ENTER)
    await until(on_step(kiosk, "typed"), "the ID number question")
    press(kiosk, *(Key(c) for c in number[:-1]), Key.STAR)
    await until(lambda: shown_value(kiosk) == "110105 19700101 002X", "the ID number shown")
    press(kiosk, Key.ENTER)
    await until(on_step(kiosk, "choose"), "the certificate choice")
    await keys(kiosk, Key.HASH, shows=lambda: focused(kiosk) == ["option.personal"], what="1st")
    press(kiosk, Key.ENTER)
    await until(on_step(kiosk, "review"), "the review", timeout=15)
    shown = " ".join(texts_on_screen(shell(kiosk)))
    assert number not in shown and number[:3] in shown
    await until(lambda: focused(kiosk) == ["action.confirm"], "the ring on confirm")
    press(kiosk, Key.ENTER)
    await until(lambda: loop(kiosk).where is Where.RESULT, "the result", timeout=15)
    assert loop(kiosk).last_outcome.status == "finished"
    await until(lambda: focused(kiosk) == ["action.done"], "the ring on done")
    press(kiosk, Key.ENTER)
    await until(at_attract(kiosk), "the attract screen")


async def next_menu_frame(k: TouchKiosk) -> None:
    await until(lambda: on_menu(k), "the service menu")


async def test_touch_and_keypad_mixed_on_one_input_across_a_language_switch(
    kiosk: TouchKiosk,  # noqa: F811
) -> None:
    await start_service(kiosk, "community", FEEDBACK)
    await until(on_step(kiosk, "topic"), "the topic question")
    assert focused(kiosk) == []  # touch only so far: no focus ring anywhere
    press(kiosk, Key.DIGIT_3)
    await until(on_step(kiosk, "consent"), "the consent")
    await tap(kiosk, "action.agree")
    await until(on_step(kiosk, "phone"), "the phone question")
    await type_keys(kiosk, "138")  # touch
    press(kiosk, Key.DIGIT_0, Key.DIGIT_0)  # keypad
    await until(lambda: shown_value(kiosk) == "138 00", "touch and keys in one field")
    await keys(kiosk, Key.CLEAR, shows=lambda: shown_value(kiosk) == "138 0", what="deleted")
    await type_keys(kiosk, "0")  # touch again, after the keypad's delete
    assert shown_value(kiosk) == "138 00"
    await tap(kiosk, "bar.language")
    await until(lambda: view(kiosk).prompt.language == "en", "the prompt in English")
    await until(on_step(kiosk, "phone"), "the phone question again")
    assert shown_value(kiosk) == "138 00"
    press(kiosk, *(Key(c) for c in "138000"))
    await until(lambda: shown_value(kiosk) == "138 0013 8000", "the number completed by keys")
    press(kiosk, Key.ENTER)  # submits what touch and keys typed together
    await until(on_step(kiosk, "text"), "the comments question")
    press(kiosk, Key.DIGIT_4, Key.DIGIT_2, Key.ENTER)
    await until(on_step(kiosk, "review"), "the review")
    review = " ".join(texts_on_screen(shell(kiosk)))
    assert "138****8000" in review and "Safety and security" in review  # topic key 3
    await tap(kiosk, "bar.cancel")
    await until(at_attract(kiosk), "the attract screen")


# -- every shipped flow, every prompt kind, help and overlays; the bar's keys on the menu --------

LIBRARY = load_flows([FLOWS])


def _declines_at_once(answers: Path) -> bool:
    """A refusal path that says no to the very first question and ends."""
    given = list(load_script(answers).answers.values())
    return answers.name.count(".") > 2 and len(given) == 1 and yes_no(given[0]) is False


SHIPPED = sorted(
    p.name.removesuffix(".answers.yaml")
    for p in FLOWS.glob("*.answers.yaml")
    if "government" in LIBRARY.flow(p.name.split(".")[0]).modes and not _declines_at_once(p)
)
"""Every answers file of a flow a government kiosk offers: `<flow>` (its main path) or
`<flow>.<path>` (a refusal path; one declining the very first question is not walked again
here: its one question is the main path's first); the locker's flows run in tests/flows and in
the tours."""


def called(flow_id: str) -> set[str]:
    """The flow and every flow it calls, however deep."""
    found, pending = {flow_id}, [flow_id]
    while pending:
        for step in LIBRARY.flow(pending.pop()).steps:
            if isinstance(step, CallStep) and step.flow not in found:
                found.add(step.flow)
                pending.append(step.flow)
    return found


def present(k: TouchKiosk, kind: str, what: Any) -> None:
    """Do at a device what the answers file says the resident does there."""
    if kind == "id_card":
        device(k, "id_card").simulator.present_card(**what)
    elif kind == "scanner":
        device(k, "scanner").simulator.scan(str(what["code"] if isinstance(what, dict) else what))
    elif kind != "printer":  # a working printer needs nothing done
        raise AssertionError(f"the keypad walk does not know how to use a {kind}")


async def bar_keys_do_what_the_bar_does(k: TouchKiosk) -> None:
    """Language, large text, contrast and staff by their keys, on the prompt on screen."""
    step = view(k).prompt.step
    for key, flag in ((Key.ELDER, "elder"), (Key.CONTRAST, "high_contrast")):
        press(k, key)
        await until(lambda flag=flag: getattr(shell(k).state, flag), f"{flag} on")
        press(k, key)
        await until(lambda flag=flag: not getattr(shell(k).state, flag), f"{flag} off")
    press(k, Key.LANGUAGE)
    await until(lambda: view(k).prompt.language == "en" and view(k).waiting, "English")
    press(k, Key.LANGUAGE)
    await until(lambda: view(k).prompt.language == "zh_CN" and view(k).waiting, "Chinese")
    # staff: the notice card covers the screen, OK ringed; any key closes it, answering nothing
    press(k, Key.STAFF)
    await until(
        lambda: shell(k).state.notice not in (None, "ui.notice.staff_calling"), "the call sent"
    )
    await until(lambda: widget(k, "notice.ok") is not None, "the notice card")
    assert widget(k, "notice.ok").focused
    press(k, Key.DIGIT_1)
    await until(lambda: shell(k).notice_overlay is None, "the notice closed by a key")
    assert view(k).prompt.step == step and view(k).waiting  # the question was not answered


async def help_and_back(k: TouchKiosk) -> None:
    """HELP shows this step's help until ENTER goes back to the same question."""
    prompt = view(k).prompt
    press(k, Key.HELP)
    await until(lambda: view(k).prompt.hints and view(k).waiting, f"help on {prompt.step}")
    shown = " ".join(texts_on_screen(shell(k)))
    assert (prompt.help or "") in shown and widget(k, "action.continue") is not None
    press(k, Key.ENTER)
    await until(
        lambda: not view(k).prompt.hints and view(k).prompt.step == prompt.step and view(k).waiting,
        f"back to {prompt.step} after help",
    )


async def warning_then_a_key(k: TouchKiosk) -> None:
    """The inactivity warning covers the question; a key gives more time and nothing else."""
    session = loop(k).session
    before = (view(k).prompt.step, view(k).draft.typed)
    left = session.remaining()
    advance(k, left - 10)  # inside the warning's lead
    await until(lambda: shell(k).timeout_overlay is not None, "the timeout warning")
    press(k, Key.ENTER)  # ENTER too: it must not submit what is behind the warning
    await until(lambda: shell(k).timeout_overlay is None, "the warning gone")
    assert (view(k).prompt.step, view(k).draft.typed) == before
    assert session.remaining() == pytest.approx(left)


async def test_on_the_menu_the_bar_keys_do_what_the_bar_does_and_help_comes_back(
    kiosk: TouchKiosk,  # noqa: F811
) -> None:
    """The menu every walk below starts from (once: the same menu each time, ~1.2 s a walk)."""
    await until(at_attract(kiosk), "the attract screen")
    press(kiosk, Key.ENTER)
    await until(lambda: on_menu(kiosk), "the service menu")
    await bar_keys_do_what_the_bar_does(kiosk)
    await help_and_back(kiosk)
    assert on_menu(kiosk) and view(kiosk).prompt.language == "zh_CN"


@pytest.mark.parametrize("flow_id", SHIPPED)
async def test_every_shipped_flow_by_keypad_alone_with_help_and_overlays(
    kiosk: TouchKiosk,  # noqa: F811
    flow_id: str,
) -> None:
    script = load_script(FLOWS / f"{flow_id}.answers.yaml")
    flow_id, flows = flow_id.split(".")[0], called(flow_id.split(".")[0])
    oracle = ScriptedRenderer(script)
    await until(at_attract(kiosk), "the attract screen")
    press(kiosk, Key.ENTER)
    await until(lambda: on_menu(kiosk), "the service menu")
    await hash_until(kiosk, f"service.{flow_id}", limit=len(loop(kiosk).menu.services))
    press(kiosk, Key.ENTER)
    kinds: set[PromptKind] = {PromptKind.MENU}
    warned = False
    while True:
        await until(
            lambda: (
                loop(kiosk).where is Where.RESULT
                or (view(kiosk) is not None and view(kiosk).waiting and not on_menu(kiosk))
            ),
            "the next question",
            timeout=15,
        )
        if loop(kiosk).where is Where.RESULT:
            break
        prompt = view(kiosk).prompt
        assert prompt.flow in flows, f"left {flow_id} for {prompt.flow}"
        if prompt.kind is PromptKind.QR_WAIT:
            pass  # the resident pays with a phone: time passes below until the order settles
        elif prompt.kind is PromptKind.DEVICE_WAIT:
            present(kiosk, str(prompt.device), script.devices[str(prompt.device)])
        else:
            if prompt.kind not in kinds:  # each kind's help screen, once
                kinds.add(prompt.kind)
                await help_and_back(kiosk)
            if prompt.kind is PromptKind.INPUT and not warned:
                warned = True
                await warning_then_a_key(kiosk)
            prompt = view(kiosk).prompt  # asked again after help: the one now on screen
            reply = await asyncio.wait_for(oracle.ask(prompt), 2)
            assert isinstance(reply, Answer), f"{prompt.step}: {reply}"
            pressed = keys_for(prompt, reply.value)
            if pressed is None and prompt.options:  # free text: a common phrase instead
                pressed = [Key.DIGIT_1, Key.ENTER]
            assert pressed is not None, f"{flow_id}/{prompt.step} cannot be answered by keys"
            if prompt.kind is PromptKind.INPUT and (prompt.error or view(kiosk).draft.problem):
                # a refused answer stays in the field for correcting: clear it, key by key
                typed = view(kiosk).draft.typed
                press(kiosk, *[Key.CLEAR] * len(typed))
                await until(lambda: view(kiosk).draft.typed == "", "the refused answer cleared")
            press(kiosk, *pressed)
        paying = prompt.kind is PromptKind.QR_WAIT

        def moved_on(prompt: Any = prompt, paying: bool = paying) -> bool:
            if paying:
                advance(kiosk, 1.0)  # a second of the resident's time per frame
            shown = view(kiosk)
            return (
                shown is None
                or shown.prompt is not prompt
                or not shown.waiting
                or shown.draft.problem is not None  # refused by the input rules: asked again
            )

        await until(moved_on, f"{prompt.step} answered", timeout=15)
    assert loop(kiosk).last_outcome.status == script.expect.get("outcome", "finished")
    assert {PromptKind.CHOOSE, PromptKind.CONSENT, PromptKind.CONFIRM, PromptKind.INPUT} & kinds
    await until(lambda: focused(kiosk) == ["action.done"], "the ring on done")
    press(kiosk, Key.ENTER)
    await until(at_attract(kiosk), "the attract screen again")
