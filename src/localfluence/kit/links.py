"""_links base/context for a request: Cloud (/wiki) or Server-style (/rest/api at the root)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Links:
    """base is absolute (https://site/wiki), context is the path prefix (/wiki or "")."""

    base: str
    context: str

    def top(self) -> dict[str, str]:
        return {"base": self.base, "context": self.context}

    def api(self, path: str) -> str:
        """Absolute API URL for a path relative to the base (/rest/api/...)."""
        return self.base + path


def links_for(origin: str, request_path: str) -> Links:
    context = "/wiki" if request_path.startswith("/wiki") else ""
    return Links(base=origin.rstrip("/") + context, context=context)
