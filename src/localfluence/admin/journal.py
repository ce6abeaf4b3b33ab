"""The journal: a bounded ring of recent requests and their responses, so tests can assert what a
client did. Memory stays bounded under any load: the ring holds at most `journal_size` entries
(oldest dropped first) and each entry's strings are capped. Per server process."""

from __future__ import annotations

import fnmatch
import itertools
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from localfluence.kit.clock import iso

MAX_TEXT = 2048


@dataclass(slots=True)
class Entry:
    id: int
    # When the request arrived, by the site's clock; formatted only when the journal is read.
    time: datetime | None
    method: str
    path: str
    query: str
    status: int
    duration_ms: float
    account_id: str | None
    request_bytes: int
    response_bytes: int
    operation_id: str | None
    fault: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": iso(self.time),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "durationMs": self.duration_ms,
            "accountId": self.account_id,
            "requestBytes": self.request_bytes,
            "responseBytes": self.response_bytes,
            "operationId": self.operation_id,
            "fault": self.fault,
        }


@dataclass(frozen=True)
class JournalFilter:
    method: str | None = None
    path: str | None = None
    status: str | None = None
    account_id: str | None = None
    operation_id: str | None = None
    after: int | None = None

    def __call__(self, entry: Entry) -> bool:
        if self.method and entry.method != self.method.upper():
            return False
        if self.path and not fnmatch.fnmatchcase(entry.path, self.path):
            return False
        if self.status and not _status_matches(entry.status, self.status):
            return False
        if self.account_id and entry.account_id != self.account_id:
            return False
        if self.operation_id and entry.operation_id != self.operation_id:
            return False
        return self.after is None or entry.id > self.after


def _status_matches(status: int, wanted: str) -> bool:
    # "404", or a class such as "4xx"; status 0 means no response was sent (a dropped connection).
    wanted = wanted.lower()
    if wanted.endswith("xx") and len(wanted) == 3:
        return str(status)[:1] == wanted[0]
    return str(status) == wanted


class Journal:
    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: deque[Entry] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self.recorded = 0

    def record(self, **fields: Any) -> None:
        if self.size == 0:
            return
        self.recorded += 1
        self._entries.append(Entry(id=next(self._ids), **fields))

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self, where: JournalFilter, *, limit: int | None = None, newest_first: bool = False) -> list[Entry]:
        source: Iterable[Entry] = reversed(self._entries) if newest_first else list(self._entries)
        found = []
        for entry in source:
            if where(entry):
                found.append(entry)
                if limit is not None and len(found) >= limit:
                    break
        return found

    def count(self, where: JournalFilter) -> int:
        return sum(1 for e in list(self._entries) if where(e))

    def clear(self) -> None:
        self._entries.clear()
