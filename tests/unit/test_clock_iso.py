"""iso and friendly take fast paths around strftime; they must give strftime's bytes."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from localfluence.kit.clock import friendly, iso


def strftime_iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


MOMENTS = [
    datetime(2024, 1, 5, 3, 4, 5, 678999),
    datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2024, 2, 29, 0, 0, 0, 0, tzinfo=UTC),
    datetime(2024, 2, 29, 0, 0, 0, 999, tzinfo=UTC),
    datetime(2025, 1, 1, 0, 30, 0, 1000, tzinfo=timezone(timedelta(hours=2))),
    datetime(1000, 1, 1, 0, 0, 0, 0),
    datetime(999, 12, 31, 23, 59, 59, 500000),
    datetime(5, 7, 9, 1, 2, 3, 4000, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999),
]


@pytest.mark.parametrize("dt", MOMENTS, ids=str)
def test_iso_matches_strftime(dt: datetime) -> None:
    assert iso(dt) == strftime_iso(dt)


@pytest.mark.parametrize("dt", MOMENTS, ids=str)
def test_friendly_matches_strftime(dt: datetime) -> None:
    assert friendly(dt) == dt.strftime("%b %d, %Y")


def test_every_month_and_day() -> None:
    day = datetime(2023, 1, 1, 12, tzinfo=UTC)
    while day.year == 2023:
        assert friendly(day) == day.strftime("%b %d, %Y")
        assert iso(day) == strftime_iso(day)
        day += timedelta(days=1, microseconds=12345)


def test_none() -> None:
    assert iso(None) is None
    assert friendly(None) == ""


def test_zoneinfo_utc_and_offsets() -> None:
    from zoneinfo import ZoneInfo

    for tz in (ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"), timezone(timedelta(hours=-5, minutes=-30)), UTC):
        dt = datetime(2024, 3, 31, 1, 59, 59, 999500, tzinfo=tz)
        assert iso(dt) == strftime_iso(dt)
