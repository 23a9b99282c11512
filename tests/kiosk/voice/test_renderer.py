"""The voice renderer on single prompts: speech, keys, recognition, privacy, cancellation."""

from __future__ import annotations

import asyncio

import msgspec
from voice_rig import HeldSpeaker, RigFactory, SteppedSpeaker

from kiosk.flow.prompt import Answer, Event, InputRules, Prompt, PromptKind, PromptOption
from kiosk.session.keypad import Action
from kiosk.session.speech import typed_from_speech
from kiosk.session.state import Change, Feedback, Pressed, PromptView, SessionState
from kiosk.voice.renderer import sentences
from kiosk.voice.script import spoken
from peripherals.keypad.keys import Key
from peripherals.speaker.base import DEFAULT_RATE, Route
from tests.support.session import Recorder

ID = "110105198503122317"  # invented, valid check digit


def choose(lang: str = "zh_CN") -> Prompt:
    labels = {"zh_CN": ("个人参保证明", "缴费明细"), "en": ("Personal record", "Payments")}
    return Prompt(
        flow="f",
        step="choose",
        kind=PromptKind.CHOOSE,
        text="请选择证明类型" if lang == "zh_CN" else "Choose the certificate",
        say="请选择证明类型" if lang == "zh_CN" else "Choose the certificate",
        options=tuple(
            PromptOption(value=v, label=label, say=label, key=i)
            for i, (v, label) in enumerate(
                zip(("personal", "payments"), labels[lang], strict=True), 1
            )
        ),
        language=lang,
    )


def confirm() -> Prompt:
    return Prompt(
        flow="f",
        step="review",
        kind=PromptKind.CONFIRM,
        text="请核对",
        say="请核对",
        options=(
            PromptOption(value="yes", label="确认", say="确认", key=1),
            PromptOption(value="no", label="返回修改", say="返回修改", key=2),
        ),
    )


def typing(input_type: str, *, secret: bool = False, personal: bool = False) -> Prompt:
    return Prompt(
        flow="f",
        step="typed",
        kind=PromptKind.INPUT,
        text="请输入",
        say="请输入",
        input=InputRules(input_type=input_type, secret=secret, personal=personal),
    )


async def test_a_choice_is_spoken_with_numbers_in_its_language_and_a_digit_answers_it(
    make_rig: RigFactory,
) -> None:
    for lang, joiner in (("zh_CN", ""), ("en", " ")):
        rig = make_rig()
        asking = asyncio.ensure_future(rig.core.ask(choose(lang)))
        await rig.next_prompt()
        heard = await rig.spoken_until_idle()
        assert joiner.join(u.text for u in heard) == spoken(choose(lang))
        assert {u.language for u in heard} == {lang}
        assert {u.route for u in heard} == {Route.LOUDSPEAKER}
        rig.press(Key.DIGIT_2)
        assert await asyncio.wait_for(asking, 5) == Answer("payments", source="keypad")
    assert "按1，个人参保证明" in spoken(choose("zh_CN"))


async def test_any_key_stops_speech_and_hash_speaks_the_focused_option(
    make_rig: RigFactory,
) -> None:
    speaker = HeldSpeaker()
    rig = make_rig(speaker=speaker)
    asking = asyncio.ensure_future(rig.core.ask(choose()))
    await rig.next_prompt()
    first = await asyncio.to_thread(speaker.started.get, True, 5)
    rig.press(Key.HASH)
    focused = await asyncio.to_thread(speaker.started.get, True, 5)
    assert speaker.cut == [first.text]  # cut off mid-sentence by the key
    assert focused.text == "按1，个人参保证明"
    speaker.release()
    rig.press(Key.ENTER)
    assert await asyncio.wait_for(asking, 5) == Answer("personal", source="keypad")


async def test_barge_in_a_partial_result_stops_speech_and_the_option_is_taken(
    make_rig: RigFactory,
) -> None:
    speaker = HeldSpeaker()
    rig = make_rig(recognizer=True, speaker=speaker)
    asking = asyncio.ensure_future(rig.core.ask(choose()))
    await rig.next_prompt()
    await asyncio.to_thread(speaker.started.get, True, 5)
    rig.say("缴费明细")
    assert await asyncio.wait_for(asking, 5) == Answer("payments", source="voice")
    assert await asyncio.to_thread(speaker.wait_idle, 5)  # returns only once speech is cut
    assert speaker.cut, "speech went on over the resident"
    assert rig.recognizer is not None
    grammar = rig.recognizer.simulator.grammars[0]
    assert {"个人参保证明", "缴费明细", "取消", "帮助", "重复"} <= set(grammar)


async def test_a_touch_answer_cancels_voice_stopping_speech_and_listening(
    make_rig: RigFactory,
) -> None:
    speaker = HeldSpeaker()
    rig = make_rig(recognizer=True, speaker=speaker)
    asking = asyncio.ensure_future(rig.core.ask(choose()))
    await rig.next_prompt()
    await asyncio.to_thread(speaker.started.get, True, 5)
    rig.core.answer("personal", "touch")  # the screen is tapped
    assert await asyncio.wait_for(asking, 5) == Answer("personal", source="touch")
    assert await asyncio.to_thread(speaker.wait_idle, 5)  # returns only once speech is cut
    assert speaker.cut
    # Listening has stopped too: what is said now waits for the next prompt.
    rig.say("缴费明细")
    assert rig.recognizer is not None and rig.recognizer.simulator.heard.qsize() == 1
    speaker.release()


async def test_a_spoken_confirmation_is_read_back_and_needs_a_yes(make_rig: RigFactory) -> None:
    rig = make_rig(recognizer=True)
    asking = asyncio.ensure_future(rig.core.ask(confirm()))
    await rig.next_prompt()
    rig.say("确认")
    await rig.hear_said("您说的是：确认")
    assert not asking.done()  # not acted on before the resident confirms
    rig.say("是")
    assert await asyncio.wait_for(asking, 5) == Answer("yes", source="voice")


async def test_a_misheard_confirmation_can_be_refused_with_key_2(make_rig: RigFactory) -> None:
    rig = make_rig(recognizer=True)
    asking = asyncio.ensure_future(rig.core.ask(confirm()))
    await rig.next_prompt()
    rig.say("我不同意返回修改")  # "no" words inside: the longest phrase heard wins
    await rig.hear_said("您说的是：返回修改")
    rig.press(Key.DIGIT_2)  # not what I said
    rig.press(Key.DIGIT_1)  # the prompt again: confirm by key
    assert await asyncio.wait_for(asking, 5) == Answer("yes", source="keypad")


async def test_secret_digits_are_never_spoken_and_not_listened_for(make_rig: RigFactory) -> None:
    rig = make_rig(recognizer=True)
    rig.headset.plug()  # not even privately
    await rig.until(lambda state: state.private)
    asking = asyncio.ensure_future(rig.core.ask(typing("digits", secret=True)))
    await rig.next_prompt()
    echoes = [await rig.echo_of(key) for key in "8596"]
    rig.press(Key.ENTER)
    assert await asyncio.wait_for(asking, 5) == Answer("8596", source="keypad")
    assert echoes == ["", "", "", ""]  # a tone per key, nothing said
    assert [u.tone for u in rig.speaker.simulator.spoken[-4:]] == [True] * 4
    assert not any(d in "".join(rig.texts()) for d in "8596")
    assert rig.recognizer is not None and rig.recognizer.simulator.grammars == []


async def test_personal_digits_are_masked_on_the_loudspeaker_and_in_full_on_the_headset(
    make_rig: RigFactory,
) -> None:
    typed = [Key(c) for c in ID[:-1]] + [Key.DIGIT_7, Key.ENTER]
    for plugged in (False, True):
        rig = make_rig()
        if plugged:
            rig.headset.plug()
            await rig.until(lambda state: state.private)
        asking = asyncio.ensure_future(rig.core.ask(typing("id_number", personal=True)))
        await rig.next_prompt()
        echoes = [await rig.echo_of(key) for key in typed[:-1]]
        rig.press(Key.ENTER)
        assert await asyncio.wait_for(asking, 5) == Answer(ID, source="keypad")
        routes = {u.route for u in rig.speaker.simulator.spoken}
        if plugged:
            assert echoes == list(ID) and routes == {Route.HEADSET}
        else:
            assert echoes == ["1", "1", "0", *(f"第{n}位" for n in range(4, 19))]
            assert routes == {Route.LOUDSPEAKER}


async def test_repeat_reads_back_what_was_typed_in_full_only_on_the_headset(
    make_rig: RigFactory,
) -> None:
    phone = "13800138000"
    for plugged, expected in (
        (False, "已输入：1 3 8，中间4位已隐藏，8 0 0 0。"),
        (True, "已输入：1 3 8 0 0 1 3 8 0 0 0。"),
    ):
        rig = make_rig()
        if plugged:
            rig.headset.plug()
            await rig.until(lambda state: state.private)
        asking = asyncio.ensure_future(rig.core.ask(typing("phone", personal=True)))
        await rig.next_prompt()
        for key in phone:
            await rig.echo_of(key)
        rig.press(Key.REPEAT)  # did I type it right?
        assert await rig.hear_said("已输入") == expected
        rig.press(Key.ENTER)
        assert await asyncio.wait_for(asking, 5) == Answer(phone, source="keypad")
        if not plugged:
            assert not any(phone in text for text in rig.texts())


async def test_a_common_phrase_is_picked_by_saying_its_number_then_confirmed(
    make_rig: RigFactory,
) -> None:
    texts = ("路灯坏了，请尽快维修。", "楼道卫生需要清理。", "夜间噪音扰民。")
    prompt = msgspec.structs.replace(
        typing("text"), options=tuple(PromptOption(p, p, p, n) for n, p in enumerate(texts, 1))
    )
    rig = make_rig(recognizer=True)
    asking = asyncio.ensure_future(rig.core.ask(prompt))
    await rig.next_prompt()
    rig.say("三")
    assert "夜间噪音扰民" in await rig.hear_said("您说的是")
    rig.press(Key.DIGIT_1)
    assert await asyncio.wait_for(asking, 5) == Answer("夜间噪音扰民。", source="voice")


async def test_spoken_numbers_are_typed_and_read_back_masked_on_the_loudspeaker(
    make_rig: RigFactory,
) -> None:
    rig = make_rig(recognizer=True)
    asking = asyncio.ensure_future(rig.core.ask(typing("phone", personal=True)))
    await rig.next_prompt()
    rig.say("幺三八零零幺三八零零零")
    readback = await rig.hear_said("您说的是")
    assert "1 3 8，中间4位已隐藏，8 0 0 0" in readback  # digit by digit, the rest in words
    rig.say("是")
    assert await asyncio.wait_for(asking, 5) == Answer("13800138000", source="voice")
    assert typed_from_speech("one one oh X", "id_number") == "110X"


async def test_repeat_twice_quickly_slows_speech_and_volume_keys_reset_at_the_end(
    make_rig: RigFactory,
) -> None:
    rig = make_rig()
    rig.core.start_voice("key")
    asking = asyncio.ensure_future(rig.core.ask(choose()))
    await rig.next_prompt()
    assert await rig.echo_of(Key.MINUS) == "音量90。"
    assert await rig.echo_of(Key.MINUS) == "音量80。"
    first_sentence = spoken(choose()).split("。")[0] + "。"
    assert await rig.echo_of(Key.REPEAT) == first_sentence
    rig.now[0] = 10.0
    assert await rig.echo_of(Key.REPEAT) == first_sentence
    assert rig.speaker.rate == DEFAULT_RATE  # two repeats far apart: same speed
    rig.now[0] = 11.0
    assert await rig.echo_of(Key.REPEAT) == first_sentence
    assert rig.speaker.rate < DEFAULT_RATE  # twice quickly: slower
    rig.press(Key.CANCEL)
    assert await asyncio.wait_for(asking, 5) is Event.CANCEL
    assert round(rig.speaker.volume, 2) == 0.8
    assert rig.core.state.voice
    rig.core.end()
    assert (rig.speaker.rate, rig.speaker.volume) == (DEFAULT_RATE, 1.0)
    assert rig.speaker.route is Route.LOUDSPEAKER and not rig.core.state.voice


async def test_help_and_cancel_keys_and_voice_commands_become_events(make_rig: RigFactory) -> None:
    rig = make_rig(recognizer=True)
    for key, event in ((Key.HELP, Event.HELP), (Key.CANCEL, Event.CANCEL)):
        asking = asyncio.ensure_future(rig.core.ask(choose()))
        await rig.next_prompt()
        rig.press(key)
        assert await asyncio.wait_for(asking, 5) is event
    asking = asyncio.ensure_future(rig.core.ask(typing("text")))
    await rig.next_prompt()
    rig.say("取消")
    assert await asyncio.wait_for(asking, 5) is Event.CANCEL


async def test_unplugging_the_headset_stops_private_speech_and_returns_to_the_loudspeaker(
    make_rig: RigFactory,
) -> None:
    speaker = HeldSpeaker()
    rig = make_rig(speaker=speaker)
    rig.headset.plug()
    await rig.until(lambda state: state.private)
    asking = asyncio.ensure_future(rig.core.ask(choose()))
    await rig.next_prompt()
    first = await asyncio.to_thread(speaker.started.get, True, 5)
    assert first.route is Route.HEADSET
    rig.headset.unplug()
    while not speaker.cut:
        await asyncio.to_thread(speaker.wait_idle, 0.05)
    speaker.release()
    rig.press(Key.REPEAT)
    again = await asyncio.to_thread(speaker.started.get, True, 5)
    while again.text != spoken(choose()).split("。")[0] + "。" and again.route is Route.HEADSET:
        again = await asyncio.to_thread(speaker.started.get, True, 5)
    assert again.route is Route.LOUDSPEAKER
    rig.press(Key.DIGIT_1)
    assert await asyncio.wait_for(asking, 5) == Answer("personal", source="keypad")


async def test_results_are_spoken_to_the_end_before_show_returns(make_rig: RigFactory) -> None:
    rig = make_rig()
    result = Prompt(
        flow="f",
        step="done",
        kind=PromptKind.RESULT,
        text="您的意见已受理，受理编号：2 0 2 4 0 0 0 7。请记下受理编号以便查询。",
        say="您的意见已受理，受理编号：2 0 2 4 0 0 0 7。请记下受理编号以便查询。",
        waits=False,
    )
    await asyncio.wait_for(rig.core.show(result), 5)
    assert "".join(rig.texts()) == spoken(result)
    assert sentences(spoken(result))[0] == "您的意见已受理，受理编号：2 0 2 4 0 0 0 7。"


def actions(screen: Recorder) -> list[Action]:
    """What the keys the screen was told of did."""
    return [f.result.action for f in screen.feedback_given if isinstance(f, Pressed) and f.result]


async def keys_seen(screen: Recorder, count: int) -> None:
    """Wait until the screen has been told of `count` keys."""
    async with asyncio.timeout(5):
        while len(actions(screen)) < count:
            screen.news.clear()
            await screen.news.wait()


async def test_keys_continue_what_the_screen_shows_and_the_screen_sees_every_key(
    make_rig: RigFactory,
) -> None:
    rig = make_rig()
    screen = Recorder()
    rig.core.attach(screen)
    asking = asyncio.ensure_future(rig.core.ask(typing("digits")))
    await rig.next_prompt()
    rig.core.edit("13")  # typed by touch before the first key
    rig.press(Key.DIGIT_5, Key.CLEAR, Key.DIGIT_8)
    await keys_seen(screen, 3)
    view = rig.core.state.view
    assert isinstance(view, PromptView) and view.draft.typed == "138"
    rig.core.edit("1389")  # a tap in between
    rig.press(Key.ENTER)
    assert await asyncio.wait_for(asking, 5) == Answer("1389", source="keypad")
    assert actions(screen) == [Action.TYPED, Action.DELETED, Action.TYPED, Action.ANSWER]


async def test_a_broken_screen_never_stops_the_keypad(make_rig: RigFactory) -> None:
    class Broken(Recorder):
        def changed(self, state: SessionState, what: Change) -> None:
            raise RuntimeError("screen gone")

        def feedback(self, feedback: Feedback) -> None:
            raise RuntimeError("screen gone")

    rig = make_rig()
    rig.core.attach(Broken())
    asking = asyncio.ensure_future(rig.core.ask(typing("digits")))
    await rig.next_prompt()
    rig.press(Key.DIGIT_4, Key.ENTER)
    assert await asyncio.wait_for(asking, 5) == Answer("4", source="keypad")


async def test_hash_on_a_result_says_enter_continues(make_rig: RigFactory) -> None:
    rig = make_rig()
    rig.core.start_voice("key")
    result = Prompt(flow="f", step="done", kind=PromptKind.RESULT, text="已受理", say="已受理")
    asking = asyncio.ensure_future(rig.core.ask(result))
    await rig.next_prompt()
    assert await rig.echo_of(Key.HASH) == "继续，请按确认键。"
    rig.press(Key.ENTER)
    assert isinstance(await asyncio.wait_for(asking, 5), Answer)


async def test_repeat_then_plus_or_minus_changes_the_speed_not_the_volume(
    make_rig: RigFactory,
) -> None:
    rig = make_rig()
    asking = asyncio.ensure_future(rig.core.ask(choose()))
    await rig.next_prompt()
    await rig.echo_of(Key.REPEAT)
    assert await rig.echo_of(Key.PLUS) == "语速已加快。"
    assert await rig.echo_of(Key.PLUS) == "语速已加快。"  # again, while still adjusting
    assert rig.speaker.rate == DEFAULT_RATE + 50 and rig.speaker.volume == 1.0
    rig.now[0] = 10.0  # long after the repeat: plus and minus are the volume again
    assert await rig.echo_of(Key.MINUS) == "音量90。"
    assert rig.speaker.rate == DEFAULT_RATE + 50
    rig.press(Key.CANCEL)
    assert await asyncio.wait_for(asking, 5) is Event.CANCEL


async def test_the_voice_key_pauses_speech_and_pressed_again_repeats(
    make_rig: RigFactory,
) -> None:
    speaker = HeldSpeaker()
    rig = make_rig(speaker=speaker)
    asking = asyncio.ensure_future(rig.core.ask(choose()))
    await rig.next_prompt()
    first = await asyncio.to_thread(speaker.started.get, True, 5)
    rig.press(Key.VOICE)
    assert await asyncio.to_thread(speaker.wait_idle, 5)
    assert speaker.cut == [first.text]  # paused: nothing new is said
    spoken_before = len(speaker.simulator.spoken)
    rig.press(Key.VOICE)
    again = await asyncio.to_thread(speaker.started.get, True, 5)
    assert again.text == first.text and len(speaker.simulator.spoken) > spoken_before
    speaker.release()
    rig.press(Key.CANCEL)
    assert await asyncio.wait_for(asking, 5) is Event.CANCEL


async def test_the_voice_key_resumes_a_paused_prompt_where_it_stopped(make_rig: RigFactory) -> None:
    speaker = SteppedSpeaker()
    rig = make_rig(speaker=speaker)
    asking = asyncio.ensure_future(rig.core.ask(choose()))
    await rig.next_prompt()
    first = await asyncio.to_thread(speaker.started.get, True, 5)
    speaker.finish_one()
    second = await asyncio.to_thread(speaker.started.get, True, 5)
    rig.press(Key.VOICE)  # pause in the middle of the options
    assert await asyncio.to_thread(speaker.wait_idle, 5)
    assert speaker.cut == [second.text]
    rig.press(Key.VOICE)  # resume: from the piece that was cut, not from the beginning
    resumed = await asyncio.to_thread(speaker.started.get, True, 5)
    assert resumed.text == second.text != first.text
    speaker.release()
    rig.press(Key.CANCEL)
    assert await asyncio.wait_for(asking, 5) is Event.CANCEL


async def test_look_keys_say_what_they_did_and_help_names_every_key(make_rig: RigFactory) -> None:
    rig = make_rig()
    asking = asyncio.ensure_future(rig.core.ask(choose()))
    await rig.next_prompt()
    assert await rig.echo_of(Key.ELDER) == "适老模式已开启。"
    assert await rig.echo_of(Key.ELDER) == "适老模式已关闭。"
    assert await rig.echo_of(Key.CONTRAST) == "高对比度已开启。"
    rig.press(Key.CANCEL)
    assert await asyncio.wait_for(asking, 5) is Event.CANCEL
    helped = msgspec.structs.replace(choose(), kind=PromptKind.INFO, options=(), hints=True)
    assert "按人工服务键呼叫工作人员" in spoken(helped)
    assert "按人工服务键" not in spoken(choose())  # said in help, not before every question


async def test_free_text_by_keypad_picks_a_common_phrase(make_rig: RigFactory) -> None:
    phrases = ("路灯坏了，请尽快维修。", "楼道卫生需要清理。")
    prompt = msgspec.structs.replace(
        typing("text"),
        options=tuple(PromptOption(p, p, p, n) for n, p in enumerate(phrases, start=1)),
    )
    assert "按2，楼道卫生需要清理" in spoken(prompt) and "常用语" in spoken(prompt)
    rig = make_rig()
    asking = asyncio.ensure_future(rig.core.ask(prompt))
    await rig.next_prompt()
    assert (await rig.echo_of(Key.DIGIT_2)).startswith("已选择：楼道卫生需要清理。")
    await rig.echo_of(Key.CLEAR)  # not that one after all
    await rig.echo_of(Key.DIGIT_1)
    rig.press(Key.ENTER)
    assert await asyncio.wait_for(asking, 5) == Answer(phrases[0], source="keypad")
