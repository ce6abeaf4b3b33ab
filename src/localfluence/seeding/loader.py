"""Read a seed file (YAML, or JSON, which YAML reads too) into a validated SeedDocument, keeping
the line of every field so that errors name the line and the field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from localfluence.errors import BadRequest
from localfluence.seeding.schema import SeedDocument

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    source: str
    line: int | None
    path: Path_
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        field = dotted(self.path)
        return f"{where}: {field}: {self.message}" if field else f"{where}: {self.message}"


class SeedError(BadRequest):
    """A seed file that cannot be read, validated or applied; nothing of it was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(
            "Invalid seed: " + "; ".join(str(p) for p in problems[:20]),
            errors=[
                {"message": {"translation": p.message, "args": []}, "line": p.line, "field": dotted(p.path)}
                for p in problems[:100]
            ],
        )


@dataclass
class Seed:
    document: SeedDocument
    source: str
    lines: dict[Path_, int]
    # Directory that bodyFile paths are relative to; None where files may not be read (HTTP).
    base_dir: Path | None

    def line_of(self, path: Path_) -> int | None:
        return line_of(self.lines, path)

    def problem(self, path: Path_, message: str) -> SeedError:
        return SeedError([Problem(self.source, self.line_of(path), path, message)])


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    # The field itself, or the nearest enclosing one (a missing field is reported at its parent).
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def load_seed_file(path: Path) -> Seed:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError([Problem(str(path), None, (), f"cannot read the file: {exc}")]) from None
    return parse_seed(text, source=str(path), base_dir=path.resolve().parent)


def parse_seed(text: str, *, source: str = "seed", base_dir: Path | None = None) -> Seed:
    data, lines = _compose(text, source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SeedError([Problem(source, 1, (), "a seed file is a mapping with users, groups and spaces")])
    try:
        document = SeedDocument.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = tuple(p for p in error["loc"] if isinstance(p, str | int))
            problems.append(Problem(source, line_of(lines, path), path, _message(error)))
        raise SeedError(problems) from None
    return Seed(document=document, source=source, lines=lines, base_dir=base_dir)


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


# Values a seed may expand to, aliases included: YAML aliases let a few lines stand for billions of
# values ("billion laughs"), which validation and seeding would then walk one by one.
MAX_VALUES = 1_000_000


def _compose(text: str, source: str) -> tuple[Any, dict[Path_, int]]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[Path_, int] = {}
        problems: list[Problem] = []
        size = _walk(node, (), lines, problems, source, {}, set())
        if size > MAX_VALUES:
            raise SeedError([Problem(source, None, (), f"the seed expands to more than {MAX_VALUES:,} values")])
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SeedError([Problem(source, line, (), f"not valid YAML or JSON: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise SeedError([Problem(source, None, (), f"not valid YAML or JSON: {exc}")]) from None
    except RecursionError:
        raise SeedError([Problem(source, None, (), "the seed is nested too deeply")]) from None
    finally:
        loader.dispose()
    if problems:
        raise SeedError(problems)
    return data, lines


def _walk(
    node: yaml.Node,
    path: Path_,
    lines: dict[Path_, int],
    problems: list[Problem],
    source: str,
    sizes: dict[int, int],
    open_nodes: set[int],
) -> int:
    """Record the line of every field and report duplicate ones; return how many values the node
    expands to. A node reached again through an alias is walked once (its size is remembered), so
    the walk is as long as the text, however far the aliases expand."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_nodes:
        line = node.start_mark.line + 1
        raise SeedError([Problem(source, line, path, "an alias refers to a value that contains it")])
    lines.setdefault(path, node.start_mark.line + 1)
    size = 1
    open_nodes.add(key)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                raise SeedError([Problem(source, line, path, "a field name is text, not a list or a mapping")])
            field = key_node.value
            if field in seen:
                problems.append(Problem(source, key_node.start_mark.line + 1, (*path, field), "duplicate field"))
            seen.add(field)
            # A field is reported at its key's line, where a reader looks for it.
            lines[(*path, field)] = key_node.start_mark.line + 1
            size += _walk(value_node, (*path, field), lines, problems, source, sizes, open_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            size += _walk(item, (*path, index), lines, problems, source, sizes, open_nodes)
    elif "\x00" in node.value:
        # No database stores it in text (PostgreSQL refuses it outright), and no Confluence field holds one.
        problems.append(Problem(source, node.start_mark.line + 1, path, "contains a NUL character"))
    open_nodes.discard(key)
    sizes[key] = size
    return size
