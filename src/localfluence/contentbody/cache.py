"""An in-process LRU cache of derived representations, bounded by the bytes it holds.

Keys carry everything a rendering depends on (the body's digest, the representation, and for
rendered HTML the fingerprint of what its references resolved to for the viewer), so an entry
is never stale: a change anywhere produces a different key and old entries age out."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


def digest(storage: str) -> str:
    return hashlib.blake2b(storage.encode(), digest_size=16).hexdigest()


class DerivedCache:
    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.enabled = True
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        if not self.enabled:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if not self.enabled or size > self.max_bytes // 8:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.hits = self.misses = 0


# Rendered HTML and other representations (keyed by body digest and viewer-relevant data).
derived = DerivedCache()
# What a body refers to (a pure function of the body and its space).
needs = DerivedCache(16 * 1024 * 1024)
