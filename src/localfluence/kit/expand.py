"""The expansion tree parsed from ?expand=a.b,c (immutable, with Confluence's limits)."""

from __future__ import annotations

from collections.abc import Iterable

from localfluence.errors import BadRequest

# Spec (contentExpandWithSubExpandLimit): "Maximum sub-expansions allowed is 8".
MAX_DEPTH = 8
MAX_PATHS = 100


class Expand:
    """A node of the tree: `"version" in e`, `e.child("space")`."""

    __slots__ = ("_children",)

    def __init__(self, children: dict[str, Expand] | None = None) -> None:
        self._children = children or {}

    @classmethod
    def parse(cls, raw: str | Iterable[str] | None) -> Expand:
        if raw is None:
            return EMPTY
        parts: list[str] = []
        for chunk in [raw] if isinstance(raw, str) else raw:
            parts.extend(p.strip() for p in chunk.split(","))
        paths = [p for p in parts if p]
        if len(paths) > MAX_PATHS:
            raise BadRequest(f"Too many expansions: at most {MAX_PATHS} are allowed")
        root: dict[str, dict] = {}
        for path in paths:
            names = [n for n in path.split(".")]
            if len(names) > MAX_DEPTH:
                raise BadRequest(f"Maximum sub-expansions allowed is {MAX_DEPTH}, but found {len(names)} in: {path}")
            node = root
            for name in names:
                if not name:
                    break
                node = node.setdefault(name, {})
        return _freeze(root)

    def __contains__(self, name: object) -> bool:
        return name in self._children

    def __bool__(self) -> bool:
        return bool(self._children)

    def child(self, name: str) -> Expand:
        return self._children.get(name, EMPTY)

    def names(self) -> list[str]:
        return list(self._children)

    def merged(self, other: Expand) -> Expand:
        out = dict(self._children)
        for name, sub in other._children.items():
            out[name] = out[name].merged(sub) if name in out else sub
        return Expand(out)

    def __repr__(self) -> str:
        return f"Expand({self.render()!r})"

    def render(self, prefix: str = "") -> str:
        """The comma form again, for _links that must carry the expansion along."""
        out: list[str] = []
        for name, sub in self._children.items():
            path = f"{prefix}{name}"
            out.append(sub.render(path + ".") if sub else path)
        return ",".join(out)


def _freeze(tree: dict[str, dict]) -> Expand:
    return Expand({name: _freeze(sub) for name, sub in tree.items()})


EMPTY = Expand()
