"""The server's clock, which the admin clock API can freeze and move; one per site (sites/)."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._offset = timedelta(0)

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    @property
    def offset(self) -> timedelta:
        return self._offset

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self._offset

    def freeze(self, at: datetime) -> None:
        self._frozen = at.astimezone(UTC)

    def advance(self, by: timedelta) -> None:
        if self._frozen is not None:
            self._frozen += by
        else:
            self._offset += by

    def reset(self) -> None:
        self._frozen = None
        self._offset = timedelta(0)


class SiteClock:
    """The clock of the site serving the current request or worker thread: `clock` everywhere in the
    code is this, so each site of a multi-site server (sites/) keeps its own frozen time."""

    def __init__(self, default: Clock) -> None:
        self.default = default
        self.current: ContextVar[Clock] = ContextVar("localfluence_clock", default=default)

    @property
    def frozen(self) -> bool:
        return self.current.get().frozen

    @property
    def offset(self) -> timedelta:
        return self.current.get().offset

    def now(self) -> datetime:
        return self.current.get().now()

    def freeze(self, at: datetime) -> None:
        self.current.get().freeze(at)

    def advance(self, by: timedelta) -> None:
        self.current.get().advance(by)

    def reset(self) -> None:
        self.current.get().reset()


clock = SiteClock(Clock())


def iso(dt: datetime | None) -> str | None:
    """Confluence's timestamp form: ISO-8601 UTC with milliseconds and a Z."""
    if dt is None:
        return None
    tz = dt.tzinfo
    if tz is not None and tz is not UTC:
        dt = dt.astimezone(UTC)
    if dt.year < 1000:
        # strftime's %Y does not pad years below 1000 (glibc) and isoformat does; keep strftime's bytes.
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    # isoformat truncates to milliseconds as microsecond // 1000 does, at a fraction of strftime's cost;
    # an aware UTC time ends in "+00:00", which Confluence writes as "Z".
    text = dt.isoformat(timespec="milliseconds")
    return (text if dt.tzinfo is None else text[:-6]) + "Z"


def friendly(dt: datetime | None) -> str:
    """A human date as Confluence's friendlyWhen shows it ("Jan 05, 2024")."""
    if dt is None:
        return ""
    if dt.year < 1000:
        return dt.strftime("%b %d, %Y")
    return f"{_MONTHS[dt.month - 1]} {dt.day:02d}, {dt.year}"


# strftime's %b in the C locale the server runs in; strftime itself costs more than the formatting.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
