"""Dates in flow templates: today, a birth date and an age from an ID number, date arithmetic
and dates written as residents read them. Dates are ISO text (`2026-12-05`), as JSON carries
them; every filter refuses what is not a date with an `ExpressionError` the flow can handle."""

from __future__ import annotations

import datetime
from typing import Any

from peripherals.id_card.id_number import is_valid

_MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()


class DateError(ValueError):
    """Not a date, or not an ID number a date can be read from."""


def as_date(value: Any) -> datetime.date:
    """An ISO date, a `YYYYMMDD` date, or the birth date of an 18-character ID number."""
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if len(text) == 18:
        if not is_valid(text):
            raise DateError("not a valid ID number")
        text = text[6:14]
    try:
        if len(text) == 8 and text.isdigit():
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise DateError(f"{text!r} is not a date") from exc


def birth_date(id_number: Any) -> str:
    """`{{ id_number | birth_date }}`: the birth date written in an ID number (ISO)."""
    return as_date(id_number).isoformat()


def age(born: Any, on: Any = None) -> int:
    """`{{ id_number | age(today) }}`: whole years from a birth date (or ID number) to `on`."""
    if on is None:
        raise DateError("age needs the date it is counted to: age(today)")
    birth, day = as_date(born), as_date(on)
    years = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    if years < 0:
        raise DateError("born after the date the age is counted to")
    return years


def add_days(value: Any, days: int) -> str:
    """`{{ today | add_days(15) }}`: a date so many days later (earlier if negative)."""
    return (as_date(value) + datetime.timedelta(days=int(days))).isoformat()


def add_months(value: Any, months: int) -> str:
    """`{{ today | add_months(1) }}`: the same day so many months later (the month's last day
    when it has no such day)."""
    day = as_date(value)
    index = day.year * 12 + day.month - 1 + int(months)
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month + 1, min(day.day, last)).isoformat()
        except ValueError:
            continue
    raise DateError("no such month")  # pragma: no cover - February always has a 28th


def date_text(value: Any, language: str = "zh_CN") -> str:
    """`{{ today | date_text(language) }}`: 2026年12月5日 / 5 December 2026."""
    day = as_date(value)
    if language == "zh_CN":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


FILTERS = {
    "birth_date": birth_date,
    "age": age,
    "add_days": add_days,
    "add_months": add_months,
    "date_text": date_text,
}
"""The date filters templates may use."""


def today(now: float) -> str:
    """The local date of a clock reading (seconds since the epoch), ISO."""
    return datetime.date.fromtimestamp(now).isoformat()
