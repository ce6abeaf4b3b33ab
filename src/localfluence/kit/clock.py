"""The server's clock, injectable so tests (and later the admin clock API) can freeze it."""

from __future__ import annotations

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


clock = Clock()


def iso(dt: datetime | None) -> str | None:
    """Confluence's timestamp form: ISO-8601 UTC with milliseconds and a Z."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def friendly(dt: datetime | None) -> str:
    """A human date as Confluence's friendlyWhen shows it ("Jan 05, 2024")."""
    if dt is None:
        return ""
    return dt.strftime("%b %d, %Y")
