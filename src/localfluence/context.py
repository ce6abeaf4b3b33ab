"""What every service and serializer call carries: the transaction, the caller and the links."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.config import Settings
from localfluence.kit.links import Links

K = TypeVar("K", bound=Hashable)


@dataclass
class Ctx:
    session: Session
    principal: Principal
    links: Links
    settings: Settings
    # Rows serializers already loaded in this request, by kind then key: the body and version
    # expanders want the same versions, the content and space expanders the same spaces. Only
    # rows that do not change within a request belong here (versions, spaces, users as read).
    memo: dict[str, dict[Any, Any]] = field(default_factory=dict)

    def memoized(self, kind: str, keys: Iterable[K], load: Callable[[set[K]], dict[K, Any]]) -> dict[K, Any]:
        """The rows for `keys`, loading in one batch only those this request has not loaded yet."""
        seen = self.memo.setdefault(kind, {})
        wanted = set(keys)
        missing = wanted - seen.keys()
        if missing:
            found = load(missing)
            for key in missing:
                seen[key] = found.get(key)
        return {k: seen[k] for k in wanted if seen[k] is not None}
