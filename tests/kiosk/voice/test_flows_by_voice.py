"""Every shipped flow completed without sight: by keypad alone, then by speech alone.

The real engine, the demo back office and the SQLite outbox run each flow; the resident answers
from the flow's own answers file (`flows/<id>.answers.yaml`) after listening to each prompt.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest
from voice_rig import Rig, RigFactory

from kiosk.clock import ManualClock
from kiosk.flow.engine import Engine
from kiosk.flow.loader import DEFAULT_FLOWS_DIR, load_flows
from kiosk.flow.outcome import Outcome
from kiosk.flow.prompt import Prompt, PromptKind
from kiosk.flow.receipts import ReceiptLibrary
from kiosk.flow.scripted import Script, ScriptedDevices, load_script
from kiosk.flow.session import Session
from kiosk.flow.steps.answers import pick, yes_no
from kiosk.i18n import catalog, t
from kiosk.privacy.masking import contains_personal_number
from kiosk.session.menu import Category as MenuCategory
from kiosk.session.menu import Menu, Service, category_title
from kiosk.voice.speakable import speakable
from peripherals.keypad.keys import Key
from peripherals.speaker.base import DEFAULT_RATE, Route

FLOWS = load_flows([DEFAULT_FLOWS_DIR])
SHIPPED = sorted(name for name, flow in FLOWS.flows.items() if "government" in flow.modes)
"""Flows on a government kiosk's menu (sub-flows such as `identify` are walked through the
services calling them; the locker's are spoken in tests/flows/test_locker_flows.py)."""
ZH_DIGITS = dict(zip("0123456789X", "零一二三四五六七八九叉", strict=True))
TYPED_TEXT = "301"
"""What a keypad-only resident types into free-text inputs without common phrases."""


def answer_key(script: Script, prompt: Prompt) -> str | None:
    """The answers file's key for a prompt (`flow.step` for a sub-flow's step), or None."""
    for key in (f"{prompt.flow}.{prompt.step}", prompt.step):
        if key in script.answers:
            return key
    return None


def answer_for(script: Script, prompt: Prompt, visits: dict[str, int]) -> Any:
    key = answer_key(script, prompt)
    assert key is not None, f"no answer for {prompt.flow}.{prompt.step}"
    value = script.answers[key]
    if isinstance(value, list):
        visits[key] = visits.get(key, 0) + 1
        return value[visits[key] - 1]
    return value


async def time_passes(clock: ManualClock) -> None:
    """While a QR code is up, the resident pays: time moves on so the kiosk polls the order."""
    while True:
        await asyncio.sleep(0.005)
        clock.advance(1.0)


def keys_for(prompt: Prompt, value: Any) -> list[Key | str]:
    if prompt.kind is PromptKind.CHOOSE:
        option = pick(prompt.options, value)
        assert option is not None, f"{prompt.step}: no option {value!r}"
        return [str(option.key)]
    if prompt.kind in (PromptKind.CONFIRM, PromptKind.CONSENT):
        return ["1" if yes_no(value) else "2"]
    if prompt.kind is PromptKind.INPUT:
        assert prompt.input is not None
        if prompt.options:  # free text by keypad: a common phrase, picked by its number
            return ["1", Key.ENTER]
        text = TYPED_TEXT if prompt.input.input_type == "text" else str(value)
        return [Key.STAR if ch == "X" else ch for ch in text] + [Key.ENTER]
    return [Key.ENTER]


def speech_for(prompt: Prompt, value: Any) -> list[str]:
    lang = prompt.language
    yes = t("voice.words.yes", lang).split("|")[0]
    if prompt.kind is PromptKind.CHOOSE:
        option = pick(prompt.options, value)
        assert option is not None
        return [option.say]
    if prompt.kind in (PromptKind.CONFIRM, PromptKind.CONSENT):
        option = prompt.options[0 if yes_no(value) else 1]
        return [option.say, yes]
    if prompt.kind is PromptKind.INPUT:
        assert prompt.input is not None
        if prompt.input.input_type == "text":
            return [str(value), yes]
        return ["".join(ZH_DIGITS[ch] for ch in str(value)), yes]
    return [t("common.continue", lang)]


async def run_flow(
    rig: Rig, flow_id: str, services: dict[str, Any], *, by: str, volume_down: bool = False
) -> tuple[Outcome, list[Prompt]]:
    """Run a flow with the resident answering by `keys` or `voice`; returns outcome and prompts."""
    script = load_script(DEFAULT_FLOWS_DIR / f"{flow_id}.answers.yaml")
    clock = ManualClock(start=time.time())
    session = Session(clock, language=script.language or "zh_CN")
    engine = Engine(
        FLOWS,
        backends=services["backends"],
        outbox=services["outbox"],
        journal=services["journal"],
        devices=ScriptedDevices(script.devices),
        receipts=ReceiptLibrary(DEFAULT_FLOWS_DIR / "receipts"),
        texts=catalog(),
        clock=clock,
    )
    asked: list[Prompt] = []

    async def resident() -> None:
        visits: dict[str, int] = {}
        paying: asyncio.Future[None] | None = None
        while True:
            prompt = await rig.asked.get()
            asked.append(prompt)
            if paying is not None:
                paying.cancel()
                paying = None
            if prompt.kind is PromptKind.QR_WAIT:
                paying = asyncio.ensure_future(time_passes(clock))
                continue
            if prompt.kind is PromptKind.DEVICE_WAIT and answer_key(script, prompt) is None:
                continue  # the card reader answers this one, from the script's devices
            # A resident who cannot see listens to the whole prompt before answering.
            await asyncio.to_thread(rig.speaker.wait_idle, 5)
            value = answer_for(script, prompt, visits)
            if volume_down and len(asked) == 1:
                rig.press(Key.MINUS)
            if by == "keys":
                rig.press(*keys_for(prompt, value))
                continue
            answer, *confirmation = speech_for(prompt, value)
            rig.say(answer)
            if confirmation:
                await rig.hear_said(t("voice.heard.you_said", "zh_CN", answer="").split("：")[0])
                rig.say(*confirmation)

    acting = asyncio.ensure_future(resident())
    try:
        outcome = await asyncio.wait_for(engine.run(flow_id, session, rig.core), 20)
    finally:
        acting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await acting
    return outcome, asked


async def start_voice_mode(rig: Rig) -> None:
    """The resident presses the VOICE key and the kiosk notices."""
    assert not rig.core.state.voice
    rig.press(Key.VOICE)
    await rig.until(lambda state: state.voice)


def check_speech(rig: Rig, asked: list[Prompt], outcome: Outcome, *, private: bool) -> None:
    texts = rig.texts()
    spoken_text = "".join(texts)
    route = Route.HEADSET if private else Route.LOUDSPEAKER
    assert {u.route for u in rig.speaker.simulator.spoken} == {route}
    for prompt in asked:
        if prompt.kind is PromptKind.CHOOSE:
            for option in prompt.options:
                said = speakable(option.say, "zh_CN")
                phrase = t("voice.option", "zh_CN", number=option.key, label=said)
                assert " ".join(phrase.split()) in spoken_text  # runs of spaces are one pause
    if not private:
        assert not contains_personal_number(" ".join(texts))
    reference = outcome.result.get("reference")
    if reference:
        # digit by digit, the dash a pause: "2 6 1 2 0 5，9 1 8 4 2 7"
        said = "，".join(" ".join(part) for part in str(reference).split("-"))
        assert said in spoken_text, "the reference was not read out"


@pytest.mark.parametrize("flow_id", SHIPPED)
async def test_every_flow_by_keypad_alone(
    flow_id: str, make_rig: RigFactory, engine_services: dict[str, Any]
) -> None:
    rig = make_rig(voice=False)
    await start_voice_mode(rig)
    outcome, asked = await run_flow(rig, flow_id, engine_services, by="keys", volume_down=True)
    assert outcome.status == "finished", outcome
    assert asked and all(p.language == "zh_CN" for p in asked)
    check_speech(rig, asked, outcome, private=False)
    assert rig.speaker.volume < 1.0  # the resident turned it down...
    rig.core.end()
    assert (rig.speaker.volume, rig.speaker.rate) == (1.0, DEFAULT_RATE)  # ...until the end


@pytest.mark.parametrize("flow_id", SHIPPED)
async def test_every_flow_by_speech_alone(
    flow_id: str, make_rig: RigFactory, engine_services: dict[str, Any]
) -> None:
    rig = make_rig(recognizer=True, voice=False)
    await start_voice_mode(rig)
    outcome, asked = await run_flow(rig, flow_id, engine_services, by="voice")
    assert outcome.status == "finished", outcome
    check_speech(rig, asked, outcome, private=False)
    if any(p.kind in (PromptKind.CONFIRM, PromptKind.CONSENT) for p in asked):
        assert any("您说的是" in text for text in rig.texts())  # decisions read back first
    rig.core.end()


@pytest.mark.parametrize("flow_id", SHIPPED)
async def test_every_flow_on_the_headset_speaks_personal_data_in_full(
    flow_id: str, make_rig: RigFactory, engine_services: dict[str, Any]
) -> None:
    rig = make_rig(voice=False)
    rig.headset.plug()
    await rig.until(lambda state: state.private)
    outcome, asked = await run_flow(rig, flow_id, engine_services, by="keys")
    assert outcome.status == "finished", outcome
    assert rig.core.state.voice and rig.core.state.private
    check_speech(rig, asked, outcome, private=True)
    script = load_script(DEFAULT_FLOWS_DIR / f"{flow_id}.answers.yaml")
    personal = [
        str(answer_for(script, p, {}))
        for p in asked
        if p.kind is PromptKind.INPUT and p.input is not None and p.input.personal
    ]
    for value in personal:
        said = " ".join(value)  # numbers are read digit by digit
        assert said in "".join(rig.texts()), "a personal value was not read in full privately"
    rig.core.end()
    assert rig.speaker.route is Route.LOUDSPEAKER


async def test_every_service_is_chosen_from_the_menu_by_saying_its_name(
    make_rig: RigFactory,
) -> None:
    """A resident who cannot see hears the menu read out and names the service wanted."""
    menu = Menu()
    for flow_id in SHIPPED:
        flow = FLOWS.flow(flow_id)
        if "government" in flow.modes:
            menu.services.append(Service(flow.id, dict(flow.title.root), flow.category))
            if flow.category not in [c.id for c in menu.categories]:
                menu.categories.append(MenuCategory(flow.category, category_title(flow.category)))
    prompt = menu.prompt("zh_CN", timeout=120)
    assert len(prompt.options) == len(menu.services) >= 9
    for option in prompt.options:
        rig = make_rig(recognizer=True, voice=True)
        asking = asyncio.ensure_future(rig.core.ask(prompt))
        await rig.next_prompt()
        rig.say(option.say)
        reply = await asyncio.wait_for(asking, 5)
        assert reply.value == option.value, f"said {option.say!r}, got {reply}"
        rig.core.end()
