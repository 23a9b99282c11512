"""Text as a listener understands it: what the screen shows, rewritten for the speech engine.

A screen shows `138****8000`, `2020-03` and `261205-335560`; read as they are, a speech engine
says "one hundred and thirty-eight asterisk asterisk…", "two thousand and twenty minus three",
and a quantity where a code was meant. Before anything is spoken:

- masked numbers are read digit by digit, the hidden digits said in words
  ("1 3 8，中间4位已隐藏，8 0 0 0" / "1 3 8, 4 digits hidden, 8 0 0 0"); a masked name's hidden
  characters become 某 ("林某某"), masked text says the rest is hidden ("北京市东城区，后面已
  隐藏"), a masked Latin name says it is hidden;
- codes (runs of five or more digits, also split by dashes or spaces, with a reference's capital
  letters before them: "PR000001") are read character by character, a dash as a pause; years
  too ("2 0 2 0年3月", "March 2020");
- money is said as people say it ("380.00元" → "380元", "12.50元" → "12元5角", "0.05元" →
  "0元零5分"); other amounts keep their decimal point in Chinese ("12点5"), where the engine
  would skip it;
- an English count "3 page(s)" is said "3 pages" (`kiosk.languages.counted`, the rule every
  text shown follows too); a lone dash or asterisk is said as "none".
"""

from __future__ import annotations

import functools
import re

from kiosk.languages import counted

_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_MASKED_NUMBER = re.compile(r"(?<![\d*])(\d*)(\*+)([\dXx]*)(?![\d*])")
_MASKED_WORD = re.compile(r"(\S)(\*+)")
"""A character with stars after it: a masked Chinese name or text when it is Chinese (tested in
Python: a class of the Chinese ranges takes a millisecond or two to compile)."""
_NAME_STARS = 3
"""A masked name hides at most 3 characters (a 4-character name); more is masked text."""
_MASKED_LATIN_NAME = re.compile(r"\b([A-Za-z])\*+")
_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?![\d-])")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_YUAN = re.compile(r"(?<![\d.])(\d+)\.(\d)(\d)\s*元")
_AMOUNT = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?![\d.])")
_CODE = re.compile(
    r"(?:(?<![\d.A-Za-z])[A-Z]{1,3}(?=\d)|(?<![\d.]))\d(?:\d|\s*-\s*(?=\d)|\s(?=\d)){4,}(?:(?<=\d{17})[Xx])?"
    r"(?!\d|\.\d)(?!\s*[元角分点])"
)
"""Five or more digits, with the capital letters of a reference before them (`SQ000001`): a
code read character by character (not money in yuan, nor a decimal number; a full stop after it
ends the sentence)."""
_YEAR = re.compile(r"(?<!\d)(\d{4})年")
_ALONE = re.compile(r"^[—–*\s-]+$")


def speakable(text: str, lang: str) -> str:
    """`text` rewritten so that a speech engine in `lang` reads it the way a person would."""
    if not text:
        return text
    zh = lang == "zh_CN"
    if _ALONE.match(text):
        return "无" if zh else "none"
    text = _MASKED_NUMBER.sub(lambda m: _masked_number(m, zh), text)
    text = _MASKED_WORD.sub(lambda m: _masked_words(m, zh), text)
    if not zh:
        text = _MASKED_LATIN_NAME.sub(lambda m: f"{m.group(1)} (hidden)", text)
    text = _DATE.sub(lambda m: _date(m, zh), text)
    if zh:
        text = _YEAR.sub(lambda m: f"{_spaced(m.group(1))}年", text)
        text = _THOUSANDS.sub("", text)  # "12,480.00" is read as one number
        text = _YUAN.sub(_yuan, text)
        text = _AMOUNT.sub(lambda m: f"{m.group(1)}点{_spaced(m.group(2))}", text)
    text = _CODE.sub(lambda m: _code(m.group(0), zh), text)
    return counted(text, lang)


def _yuan(match: re.Match[str]) -> str:
    """An amount of money in yuan, jiao and fen, the way a cashier says it."""
    yuan, jiao, fen = match.group(1), int(match.group(2)), int(match.group(3))
    said = f"{int(yuan)}元"
    if jiao:
        said += f"{jiao}角"
    if fen:
        said += f"{'' if jiao else '零'}{fen}分"
    return said


def _spaced(digits: str, zh: bool = True) -> str:
    """Digits one by one (an X check character said as a letter)."""
    said = {"X": "叉" if zh else "X", "x": "叉" if zh else "X"}
    return " ".join(said.get(ch, ch) for ch in digits)


def _masked_number(match: re.Match[str], zh: bool) -> str:
    lead, stars, tail = match.group(1), match.group(2), match.group(3)
    if not lead and not any(ch.isdigit() for ch in tail):
        return match.group(0)  # no digit shown: a masked name or word, not a number
    hidden = len(stars)
    parts = []
    if lead:
        parts.append(_spaced(lead, zh))
    if zh:
        where = "中间" if lead and tail else ("后" if lead else "前")
        parts.append(f"{where}{hidden}位已隐藏")
    else:
        parts.append(f"{hidden} digit{'s' if hidden != 1 else ''} hidden")
    if tail:
        parts.append(_spaced(tail, zh))
    return ("，" if zh else ", ").join(parts)


def _masked_words(match: re.Match[str], zh: bool) -> str:
    """A masked name says 某 for each hidden character ("林某某"); longer masked text (an
    address) says that the rest is hidden."""
    shown, hidden = match.group(1), len(match.group(2))
    if not ("\u3400" <= shown <= "\u4dbf" or "\u4e00" <= shown <= "\u9fff"):  # as `_CJK`
        return match.group(0)
    if hidden <= _NAME_STARS:
        return shown + "某" * hidden
    return shown + ("，后面已隐藏" if zh else ", the rest hidden")


def _date(match: re.Match[str], zh: bool) -> str:
    year, month, day = match.group(1), int(match.group(2)), match.group(3)
    if not 1 <= month <= 12:
        return match.group(0)
    if zh:
        return f"{_spaced(year)}年{month}月" + (f"{int(day)}日" if day else "")
    return f"{_MONTHS[month - 1]} {int(day)}, {year}" if day else f"{_MONTHS[month - 1]} {year}"


def _code(code: str, zh: bool) -> str:
    # a dash is a pause between groups; spaces only group digits already said one by one
    groups = ["".join(group.split()) for group in code.split("-")]
    return ("，" if zh else ", ").join(_spaced(group, zh) for group in groups if group)


@functools.cache
def _cjk_run() -> re.Pattern[str]:
    """A run of Chinese, compiled on first use: only speech in another language cuts it out
    (its character classes take a millisecond or two to compile)."""
    return re.compile(rf"[{_CJK}][{_CJK}\u3000-\u303f\uff00-\uffef\d\s]*")


def by_language(text: str, lang: str) -> list[tuple[str, str]]:
    """`text` cut into pieces each spoken in its own language: Chinese names and places inside
    English speech go to the Mandarin voice instead of being read as "Chinese letter"."""
    if lang == "zh_CN":
        return [(text, lang)]
    pieces: list[tuple[str, str]] = []
    at = 0
    for run in _cjk_run().finditer(text):
        if run.start() > at and text[at : run.start()].strip():
            pieces.append((text[at : run.start()], lang))
        pieces.append((run.group(0), "zh_CN"))
        at = run.end()
    if text[at:].strip():
        pieces.append((text[at:], lang))
    return pieces or [(text, lang)]
