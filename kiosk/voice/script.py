"""What a voice user hears for a prompt: pure text composition, no audio devices.

The spoken script is built from the prompt alone, in the prompt's language: where the resident
is, any error, the prompt's voice text, the options with their keypad numbers, the review rows,
how to type an input, and how to go back, repeat or get help. Review rows are spoken masked
unless the speech is private (headset); secrets are never spoken. On the loudspeaker the whole
script is masked by the personal values of the live session, whatever part holds them.
"""

from __future__ import annotations

import re

from kiosk.flow.prompt import Prompt, PromptKind
from kiosk.i18n import t
from kiosk.privacy.personal import conceal

_END = {"zh_CN": "。", "en": "."}
_JOIN = {"zh_CN": "", "en": " "}
_CJK_GAP = re.compile(r"(?<=[。！？；：，、])\s+")
_STOPS = ("。", "！", "？", ".", "!", "?", "；", ";", "：", ":")


def _sentence(text: str, lang: str) -> str:
    text = " ".join(text.split())
    if lang == "zh_CN":
        # Chinese needs no spaces after its own punctuation; a speech engine would pause twice.
        text = _CJK_GAP.sub("", text)
    if not text:
        return ""
    return text if text.endswith(_STOPS) else text + _END.get(lang, ".")


def options(prompt: Prompt) -> str:
    """The options as "按1，个人参保证明；按2，缴费明细" / "Press 1 for ..., press 2 for ..."."""
    lang = prompt.language
    phrases = [
        t("voice.option", lang, number=o.key, label=o.say or o.label) for o in prompt.options
    ]
    if lang == "en":
        phrases = [phrases[0], *(p[:1].lower() + p[1:] for p in phrases[1:])]
    return t("voice.option_separator", lang).join(phrases)


def rows(prompt: Prompt, *, private: bool = False) -> str:
    """The review rows; personal values masked unless `private`."""
    lang = prompt.language
    secret = prompt.input is not None and prompt.input.secret
    spoken = []
    for row in prompt.rows:
        value = row.value if private and not secret else row.shown
        spoken.append(t("voice.row", lang, label=row.label, value=value))
    return t("voice.row_separator", lang).join(spoken)


def navigation(prompt: Prompt) -> list[str]:
    """How to go back, repeat and get help (waiting prompts only)."""
    if not prompt.waits or prompt.kind in (PromptKind.RESULT, PromptKind.ERROR):
        return []
    lang = prompt.language
    phrases = []
    if prompt.can_go_back:
        phrases.append(t("voice.navigation.back", lang))
    phrases.append(t("voice.navigation.repeat", lang))
    phrases.append(t("voice.navigation.help", lang))
    return phrases


def spoken(prompt: Prompt, *, private: bool = False) -> str:
    """Exactly what a voice user hears for `prompt`, in the prompt's language."""
    lang = prompt.language
    parts: list[str] = []
    if prompt.title and prompt.kind not in (PromptKind.BUSY,):
        parts.append(t("voice.you_are_at", lang, title=prompt.title))
    if prompt.error_text and prompt.error_text != prompt.say:
        parts.append(prompt.error_text)
    if prompt.say:
        parts.append(prompt.say)
    if prompt.rows:
        parts.append(rows(prompt, private=private))
    if prompt.options:
        parts.append(options(prompt))
    if prompt.input is not None:
        parts.append(t(f"voice.input.{prompt.input.input_type}", lang))
    parts.extend(navigation(prompt))
    script = _JOIN.get(lang, " ").join(s for s in (_sentence(p, lang) for p in parts) if s)
    # On the loudspeaker, a live session's values stay masked however the parts spell them.
    return script if private else conceal(script)
