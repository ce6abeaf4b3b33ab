"""CQL's date functions and date literals, resolved against an injectable clock.

Periods are computed in the caller's time zone. Weeks start on Monday (ISO 8601; Confluence
follows the locale, which we do not have). An increment is `[+|-]N[unit]`, several may follow
each other ("-4w 2d": a sign carries on to the parts after it), units y M w d h m; a missing unit
is the function's own period (endOfDay("+1") = endOfDay("+1d")). endOf* is the last
millisecond of the period, as Confluence has it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

INCREMENT = re.compile(r"\s*([+-]?)\s*(\d+)\s*([yMwdhm]?)")
PERIODS = {"day": "d", "week": "w", "month": "M", "year": "y"}
DATE_FUNCTIONS = {"now"} | {f"startof{p}" for p in PERIODS} | {f"endof{p}" for p in PERIODS}
LITERAL_FORMATS = (
    ("%Y/%m/%d %H:%M", timedelta(minutes=1)),
    ("%Y-%m-%d %H:%M", timedelta(minutes=1)),
    ("%Y/%m/%d", timedelta(days=1)),
    ("%Y-%m-%d", timedelta(days=1)),
)


class DateError(ValueError):
    pass


@dataclass(frozen=True)
class Span:
    """A compared date: the instant it starts and how long it lasts (a day for 2024-01-05, a
    minute for "2024-01-05 10:15", nothing for now() and the other functions)."""

    start: datetime
    length: timedelta = timedelta(0)

    @property
    def end(self) -> datetime:
        return self.start + self.length


def shift(at: datetime, increment: str, default_unit: str) -> datetime:
    text = increment.strip()
    if not text:
        return at
    pos = 0
    sign = 1
    while pos < len(text):
        match = INCREMENT.match(text, pos)
        if match is None or match.end() == pos:
            raise DateError(f"Invalid date increment: '{increment}'")
        if match.group(1):
            sign = -1 if match.group(1) == "-" else 1
        amount = sign * int(match.group(2))
        if abs(amount) > 100_000:
            raise DateError(f"Date increment out of range: '{increment}'")
        at = _add(at, amount, match.group(3) or default_unit)
        pos = match.end()
    return at


def _add(at: datetime, amount: int, unit: str) -> datetime:
    if unit in ("y", "M"):
        months = at.month - 1 + amount * (12 if unit == "y" else 1)
        year = at.year + months // 12
        if not 1 <= year <= 9999:
            raise DateError("Date out of range")
        month = months % 12 + 1
        day = min(at.day, _days_in_month(year, month))
        return at.replace(year=year, month=month, day=day)
    delta = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
    try:
        return at + amount * delta[unit]
    except OverflowError:
        raise DateError("Date out of range") from None


def _days_in_month(year: int, month: int) -> int:
    following = datetime(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def period_start(at: datetime, period: str) -> datetime:
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def evaluate(name: str, args: list[str], now: datetime, tz: ZoneInfo) -> datetime:
    """now(), startOf*() and endOf*(); `name` is lower-case."""
    if len(args) > 1:
        raise DateError(f"{name}() takes at most one argument")
    increment = args[0] if args else ""
    local = now.astimezone(tz)
    if name == "now":
        return shift(local, increment, "d")
    for kind in ("startof", "endof"):
        if name.startswith(kind) and name[len(kind) :] in PERIODS:
            period = name[len(kind) :]
            unit = PERIODS[period]
            start = period_start(shift(local, increment, unit), period)
            if kind == "startof":
                return start
            return _add(start, 1, unit) - timedelta(milliseconds=1)
    raise DateError(f"Unknown date function: {name}()")


def parse_date(text: str, now: datetime, tz: ZoneInfo) -> Span:
    """A date literal ("2024/01/05", "2024-01-05 10:15") or a relative one ("-4w", "1d")."""
    value = text.strip()
    for fmt, length in LITERAL_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return Span(parsed.replace(tzinfo=tz), length)
    if value and value[0] in "+-0123456789" and INCREMENT.match(value):
        return Span(shift(now.astimezone(tz), value, "d"))
    raise DateError(
        f"Invalid date: '{text}'. Use yyyy/MM/dd, yyyy-MM-dd (optionally with HH:mm) or a relative date like -4w"
    )
