"""The keypad map: what each key does on each kind of prompt."""

from __future__ import annotations

from kiosk.flow.prompt import Event, InputRules, Prompt, PromptKind, PromptOption
from kiosk.session.keypad import Action, KeyState, press, press_confirming
from peripherals.keypad.keys import Key

OPTIONS = tuple(
    PromptOption(value=v, label=label, say=label, key=i)
    for i, (v, label) in enumerate([("env", "环境卫生"), ("fac", "公共设施"), ("other", "其他")], 1)
)


def prompt(kind: PromptKind, **extra: object) -> Prompt:
    return Prompt(flow="f", step="s", kind=kind, text="t", say="t", **extra)  # type: ignore[arg-type]


CHOOSE = prompt(PromptKind.CHOOSE, options=OPTIONS, can_go_back=True)
YES_NO = (
    PromptOption(value="yes", label="确认", say="确认", key=1),
    PromptOption(value="no", label="返回修改", say="返回修改", key=2),
)


def typing(input_type: str, **rules: object) -> Prompt:
    return prompt(
        PromptKind.INPUT,
        input=InputRules(input_type=input_type, **rules),  # type: ignore[arg-type]
        can_go_back=True,
    )


def run(p: Prompt, *keys: Key) -> tuple[list[Action], KeyState, object]:
    state = KeyState()
    actions = []
    value: object = None
    for key in keys:
        result = press(p, state, key)
        state = result.state
        actions.append(result.action)
        value = result.value
    return actions, state, value


def test_digits_pick_the_option_with_that_number_and_others_are_refused() -> None:
    assert press(CHOOSE, KeyState(), Key.DIGIT_2).value == "fac"
    refused = press(CHOOSE, KeyState(), Key.DIGIT_7)
    assert refused.action is Action.INVALID and refused.reason == "voice.keys.no_such_option"


def test_hash_and_star_move_focus_around_without_trapping_and_enter_picks_it() -> None:
    actions, state, _ = run(CHOOSE, Key.HASH, Key.HASH, Key.HASH, Key.HASH)
    assert actions == [Action.FOCUS] * 4 and state.focus == 0  # wrapped past the last one
    _, state, _ = run(CHOOSE, Key.STAR)
    assert state.focus == 2  # backwards from nothing starts at the last option
    result = press(CHOOSE, KeyState(focus=1), Key.ENTER)
    assert result.action is Action.ANSWER and result.value == "fac"


def test_enter_on_a_choice_without_focus_explains_instead_of_guessing() -> None:
    result = press(CHOOSE, KeyState(), Key.ENTER)
    assert result.action is Action.INVALID and result.reason == "voice.keys.choose_first"


def test_confirm_takes_1_for_yes_2_for_no_and_enter_for_yes() -> None:
    confirm = prompt(PromptKind.CONFIRM, options=YES_NO)
    assert press(confirm, KeyState(), Key.DIGIT_1).value == "yes"
    assert press(confirm, KeyState(), Key.DIGIT_2).value == "no"
    assert press(confirm, KeyState(), Key.ENTER).value == "yes"
    assert press(confirm, KeyState(focus=1), Key.ENTER).value == "no"


def test_id_number_typing_with_star_for_x_clear_and_enter() -> None:
    p = typing("id_number")
    keys = [Key(c) for c in "11010519491231002"] + [Key.STAR, Key.CLEAR, Key.STAR, Key.ENTER]
    actions, _, value = run(p, *keys)
    assert value == "11010519491231002X"
    assert Action.DELETED in actions and actions[-1] is Action.ANSWER


def test_typing_stops_at_the_numbers_length_and_star_only_types_where_it_means_something() -> None:
    p = typing("phone")
    _, state, _ = run(p, *[Key.DIGIT_1] * 11)
    full = press(p, state, Key.DIGIT_2)
    assert full.action is Action.INVALID and full.reason == "voice.keys.full"
    assert press(p, KeyState(), Key.STAR).action is Action.INVALID
    _, state, _ = run(typing("amount"), Key.DIGIT_1, Key.STAR, Key.DIGIT_5, Key.STAR)
    assert state.typed == "1.5"  # a second decimal point is refused


def test_amounts_are_typed_as_on_the_screen_one_point_and_two_decimals() -> None:
    _, state, _ = run(typing("amount"), Key.STAR, Key.DIGIT_5)
    assert state.typed == "0.5"  # a leading point reads as 0.
    actions, state, _ = run(
        typing("amount"), Key.DIGIT_9, Key.STAR, Key.DIGIT_9, Key.DIGIT_5, Key.DIGIT_1
    )
    assert state.typed == "9.95" and actions[-1] is Action.INVALID  # no third decimal


def test_clear_on_empty_input_goes_back_only_where_back_is_possible() -> None:
    assert press(typing("digits"), KeyState(), Key.CLEAR).value is Event.BACK
    no_back = prompt(PromptKind.INPUT, input=InputRules(input_type="digits"))
    assert press(no_back, KeyState(), Key.CLEAR).reason == "voice.keys.no_back"


def test_info_continues_on_enter_or_any_digit() -> None:
    info = prompt(PromptKind.INFO, options=(PromptOption("continue", "继续", "继续", 1),))
    assert press(info, KeyState(), Key.DIGIT_7).value == "continue"
    assert press(info, KeyState(), Key.ENTER).action is Action.ANSWER


def test_function_keys_mean_the_same_everywhere() -> None:
    for p in (CHOOSE, typing("digits"), prompt(PromptKind.INFO)):
        assert press(p, KeyState(), Key.HELP).value is Event.HELP
        assert press(p, KeyState(), Key.CANCEL).value is Event.CANCEL
        assert press(p, KeyState(), Key.REPEAT).action is Action.REPEAT
        assert press(p, KeyState(), Key.PLUS).action is Action.VOLUME_UP
        assert press(p, KeyState(), Key.MINUS).action is Action.VOLUME_DOWN


def test_confirming_a_voice_answer_takes_1_or_enter_and_refuses_with_2() -> None:
    assert press_confirming(KeyState(), Key.DIGIT_1).value is True
    assert press_confirming(KeyState(), Key.ENTER).value is True
    assert press_confirming(KeyState(), Key.DIGIT_2).value is False
    assert press_confirming(KeyState(), Key.DIGIT_5).action is Action.INVALID


def test_focus_on_confirm_starts_where_enter_answers_so_hash_first_moves_to_no() -> None:
    p = prompt(PromptKind.CONFIRM, options=YES_NO)
    actions, state, _ = run(p, Key.HASH)
    assert actions == [Action.FOCUS] and state.focus == 1
    _, state, _ = run(p, Key.HASH, Key.HASH)
    assert state.focus == 0  # wrapped back to yes
    assert press(p, KeyState(focus=1), Key.ENTER).value == "no"


def test_consent_is_never_given_by_a_reflexive_enter() -> None:
    p = prompt(PromptKind.CONSENT, options=YES_NO)
    refused = press(p, KeyState(), Key.ENTER)
    assert refused.action is Action.INVALID and refused.reason == "voice.keys.choose_first"
    actions, state, _ = run(p, Key.HASH)
    assert actions == [Action.FOCUS] and state.focus == 0  # first HASH lands on "agree"
    assert press(p, state, Key.ENTER).value == "yes"
    assert press(p, KeyState(), Key.DIGIT_1).value == "yes"


def test_hash_on_a_continue_screen_focuses_its_one_control_and_enter_continues() -> None:
    info = prompt(PromptKind.INFO, options=(PromptOption("continue", "继续", "继续", 1),))
    for key in (Key.HASH, Key.STAR):
        result = press(info, KeyState(), key)
        assert result.action is Action.FOCUS and result.state.focus == 0
        assert result.option is not None and result.option.value == "continue"
    result = press(prompt(PromptKind.RESULT), KeyState(), Key.HASH)
    assert result.action is Action.FOCUS and result.option is None
    assert press(info, KeyState(focus=0), Key.ENTER).value == "continue"


def test_star_types_x_only_as_the_18th_character_of_an_id_number() -> None:
    p = typing("id_number")
    _, state, _ = run(p, Key.DIGIT_1, Key.STAR)
    assert state.typed == "1"
    _, state, _ = run(p, *[Key.DIGIT_1] * 17, Key.STAR, Key.STAR)
    assert state.typed == "1" * 17 + "X"


def test_a_scan_types_the_digits_its_pattern_allows_up_to_its_length() -> None:
    from kiosk.flow.code_typing import code_typing

    scan = prompt(PromptKind.DEVICE_WAIT, device="scanner", typing=code_typing(r"SF\d{2}|\d{4}"))
    actions, state, value = run(scan, *[Key.DIGIT_7] * 6, Key.STAR, Key.ENTER)
    assert state.typed == "7777" and value == "7777"  # the longest code the pattern allows
    assert actions[4:7] == [Action.INVALID] * 3  # full, full, no extra key on a scan
    letters_only = prompt(PromptKind.DEVICE_WAIT, typing=code_typing("[A-Z]{4}"))
    assert press(letters_only, KeyState(), Key.DIGIT_1).action is Action.INVALID
