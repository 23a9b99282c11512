"""Interpreting answers common to several step kinds (yes/no, keypad numbers)."""

from __future__ import annotations

from typing import Any

from kiosk.flow.prompt import PromptOption

_YES = frozenset({"yes", "y", "true", "1", "ok", "agree", "confirm", "是", "确认", "同意"})
_NO = frozenset({"no", "n", "false", "2", "decline", "否", "不同意", "返回修改"})


def yes_no(value: Any) -> bool | None:
    """True for a yes (`True`, `"yes"`, `"1"`, keypad 1...), False for a no, None if unclear."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {1: True, 2: False, 0: False}.get(value)
    text = str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


def yes_no_options(yes: str, no: str) -> tuple[PromptOption, ...]:
    """The two options of a confirm or consent prompt, labelled `yes` and `no`, on keys 1 and 2."""
    return (
        PromptOption(value="yes", label=yes, say=yes, key=1),
        PromptOption(value="no", label=no, say=no, key=2),
    )


def pick(options: tuple[PromptOption, ...], value: Any) -> PromptOption | None:
    """The option an answer names, by value or by keypad number."""
    for option in options:
        if value == option.value:
            return option
    text = str(value).strip()
    for option in options:
        if text == option.value or text == str(option.key):
            return option
    return None
