"""The date and time as residents read them, in each language."""

from __future__ import annotations

import datetime as dt

WEEKDAYS_ZH = "一二三四五六日"


def format_now(now: dt.datetime, lang: str, *, short: bool = False) -> str:
    """Date, weekday and time in `lang`; `short`: month, day and time only (the header)."""
    if lang == "zh_CN":
        if short:
            return f"{now.month}月{now.day}日 {now:%H:%M}"
        return f"{now:%Y}年{now.month}月{now.day}日 星期{WEEKDAYS_ZH[now.weekday()]} {now:%H:%M}"
    if short:
        return f"{now.day} {now:%b} {now:%H:%M}"
    return f"{now:%A} {now.day} {now:%B %Y}, {now:%H:%M}"
