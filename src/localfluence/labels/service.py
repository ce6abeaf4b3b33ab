"""Label rules: names are lower-cased, spaces split a name into several labels, and Confluence's
reserved characters are refused."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localfluence import events
from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.access.visibility import content_is_visible
from localfluence.changes import content_changed
from localfluence.errors import BadRequest, NotFound
from localfluence.models import Content, ContentLabel, Label, Space, SpaceLabel

PREFIXES = ("global", "my", "team")
INVALID_CHARACTERS = set(":;,.?&[]()#^*@!")


def normalise(prefix: str, name: str) -> list[tuple[str, str]]:
    prefix = (prefix or "global").lower()
    if prefix not in PREFIXES:
        raise BadRequest(f"Invalid label prefix: {prefix}")
    out = []
    for part in name.split():
        if any(c in INVALID_CHARACTERS for c in part):
            raise BadRequest(
                f"Label '{part}' contains an invalid character, one of: {''.join(sorted(INVALID_CHARACTERS))}"
            )
        if len(part) > 255:
            raise BadRequest("A label name can be at most 255 characters long")
        out.append((prefix, part.lower()))
    if not out:
        raise BadRequest("A label needs a name")
    return out


def label_ids(session: Session, pairs: Iterable[tuple[str, str]]) -> list[int]:
    ids = []
    for prefix, name in dict.fromkeys(pairs):
        label_id = session.scalar(select(Label.id).where(Label.prefix == prefix, Label.name == name))
        if label_id is None:
            label = Label(prefix=prefix, name=name)
            session.add(label)
            session.flush()
            label_id = label.id
        ids.append(label_id)
    return ids


def add_labels(session: Session, content_id: int, pairs: Iterable[tuple[str, str]]) -> None:
    present = set(session.scalars(select(ContentLabel.label_id).where(ContentLabel.content_id == content_id)))
    for label_id in label_ids(session, pairs):
        if label_id not in present:
            session.add(ContentLabel(content_id=content_id, label_id=label_id))
            present.add(label_id)
    session.flush()


def replace_labels(session: Session, content_id: int, pairs: Iterable[tuple[str, str]]) -> None:
    session.execute(delete(ContentLabel).where(ContentLabel.content_id == content_id))
    add_labels(session, content_id, pairs)


def labels_of_many(session: Session, content_ids: Sequence[int]) -> dict[int, list[Label]]:
    out: dict[int, list[Label]] = {i: [] for i in content_ids}
    if not content_ids:
        return out
    rows = session.execute(
        select(ContentLabel.content_id, Label)
        .join(Label, Label.id == ContentLabel.label_id)
        .where(ContentLabel.content_id.in_(content_ids))
        .order_by(Label.name)
    ).all()
    for content_id, label in rows:
        out[content_id].append(label)
    return out


# --- the label API ----------------------------------------------------------------------------

# What the label routes may touch: readers see labels of any content they can see; writers need
# it in one of these statuses (trashed content is read-only).
READABLE_STATUSES = ("current", "draft", "archived", "trashed")
WRITABLE_STATUSES = ("current", "draft", "archived")
LABEL_INFO_TYPES = ("page", "blogpost", "attachment", "page_template")


def parse_prefix(prefix: str | None) -> str | None:
    if prefix is None or prefix == "":
        return None
    if prefix.lower() not in PREFIXES:
        raise BadRequest(f"Invalid label prefix: {prefix}; use one of {', '.join(PREFIXES)}")
    return prefix.lower()


def parse_reference(name: str | None, prefix: str | None = None) -> tuple[str, str]:
    """A label named in a path or query: "name" or "prefix:name", compared lower-case."""
    if name is None or not name.strip():
        raise BadRequest("A label name is required")
    name = name.strip()
    head, sep, tail = name.partition(":")
    if sep and head.lower() in PREFIXES and tail:
        return head.lower(), tail.lower()
    return (parse_prefix(prefix) or "global"), name.lower()


def normalise_all(labels: Sequence[tuple[str | None, str]]) -> list[tuple[str, str]]:
    if not labels:
        raise BadRequest("No labels to add")
    if len(labels) > MAX_LABELS_PER_REQUEST:
        raise BadRequest(f"Too many labels: at most {MAX_LABELS_PER_REQUEST} can be added at once")
    return [pair for prefix, name in labels for pair in normalise(prefix or "global", name)]


MAX_LABELS_PER_REQUEST = 500


def content_labels(session: Session, content_id: int, *, prefix: str | None, start: int, limit: int) -> list[Label]:
    query = (
        select(Label)
        .join(ContentLabel, ContentLabel.label_id == Label.id)
        .where(ContentLabel.content_id == content_id)
        .order_by(Label.name, Label.prefix)
    )
    if prefix:
        query = query.where(Label.prefix == prefix)
    return list(session.scalars(query.offset(start).limit(limit + 1)))


def remove_label(session: Session, content_id: int, prefix: str, name: str) -> None:
    label_id = session.scalar(select(Label.id).where(Label.prefix == prefix, Label.name == name))
    removed = 0
    if label_id is not None:
        removed = session.execute(
            delete(ContentLabel).where(ContentLabel.content_id == content_id, ContentLabel.label_id == label_id)
        ).rowcount
    if not removed:
        raise NotFound(f"Label '{name}' is not on content {content_id}")


def find_label(session: Session, prefix: str, name: str) -> Label | None:
    return session.scalar(select(Label).where(Label.prefix == prefix, Label.name == name))


def labelled_content(
    session: Session, principal: Principal, label_id: int, *, types: Sequence[str], start: int, limit: int
) -> list[Content]:
    """Visible current content carrying the label (GET /label)."""
    query = (
        select(Content)
        .join(ContentLabel, ContentLabel.content_id == Content.id)
        .where(
            ContentLabel.label_id == label_id,
            Content.type.in_(types),
            Content.status == "current",
            content_is_visible(principal),
        )
        .order_by(Content.id)
    )
    return list(session.scalars(query.offset(start).limit(limit + 1)))


def space_labels(session: Session, space_id: int, *, prefix: str | None, start: int, limit: int) -> list[Label]:
    query = (
        select(Label)
        .join(SpaceLabel, SpaceLabel.label_id == Label.id)
        .where(SpaceLabel.space_id == space_id)
        .order_by(Label.name, Label.prefix)
    )
    if prefix:
        query = query.where(Label.prefix == prefix)
    return list(session.scalars(query.offset(start).limit(limit + 1)))


def add_space_labels(session: Session, space_id: int, pairs: Iterable[tuple[str, str]]) -> None:
    present = set(session.scalars(select(SpaceLabel.label_id).where(SpaceLabel.space_id == space_id)))
    for label_id in label_ids(session, pairs):
        if label_id not in present:
            session.add(SpaceLabel(space_id=space_id, label_id=label_id))
            present.add(label_id)
    session.flush()


def remove_space_label(session: Session, space_id: int, prefix: str, name: str) -> None:
    label = find_label(session, prefix, name)
    removed = 0
    if label is not None:
        removed = session.execute(
            delete(SpaceLabel).where(SpaceLabel.space_id == space_id, SpaceLabel.label_id == label.id)
        ).rowcount
    if not removed:
        raise NotFound(f"Label '{prefix}:{name}' is not on this space")


def space_labels_of_many(session: Session, space_ids: Sequence[int]) -> dict[int, list[Label]]:
    out: dict[int, list[Label]] = {i: [] for i in space_ids}
    if not space_ids:
        return out
    rows = session.execute(
        select(SpaceLabel.space_id, Label)
        .join(Label, Label.id == SpaceLabel.label_id)
        .where(SpaceLabel.space_id.in_(space_ids))
        .order_by(Label.name)
    ).all()
    for space_id, label in rows:
        out[space_id].append(label)
    return out


# --- operations the routes call -----------------------------------------------------------------


def _editable_content(session: Session, principal: Principal, content_id: int) -> Content:
    from localfluence.content import repository as content_repo

    content = content_repo.get_content(session, principal, content_id, WRITABLE_STATUSES)
    checks.require_edit_content(session, principal, content)
    return content


def add_to_content(
    session: Session, principal: Principal, content_id: int, labels: Sequence[tuple[str | None, str]]
) -> Content:
    content = _editable_content(session, principal, content_id)
    add_labels(session, content.id, normalise_all(labels))
    content_changed(session, [content.id])
    events.label_event(session, "added", content, normalise_all(labels))
    return content


def remove_from_content(session: Session, principal: Principal, content_id: int, reference: str | None) -> None:
    content = _editable_content(session, principal, content_id)
    if content.status == "archived":
        raise BadRequest("Labels can't be removed from archived content")
    prefix, name = parse_reference(reference)
    remove_label(session, content.id, prefix, name)
    content_changed(session, [content.id])
    events.label_event(session, "removed", content, [(prefix, name)])


def add_to_space(
    session: Session, principal: Principal, space_key: str, labels: Sequence[tuple[str | None, str]]
) -> Space:
    from localfluence.access.checks import require_space_permission
    from localfluence.spaces import repository as space_repo

    space = space_repo.get_space(session, principal, space_key)
    require_space_permission(session, principal, space.id, "administer", "space")
    add_space_labels(session, space.id, normalise_all(labels))
    return space


def remove_from_space(
    session: Session, principal: Principal, space_key: str, name: str | None, prefix: str | None
) -> None:
    from localfluence.access.checks import require_space_permission
    from localfluence.spaces import repository as space_repo

    space = space_repo.get_space(session, principal, space_key)
    require_space_permission(session, principal, space.id, "administer", "space")
    label_prefix, label_name = parse_reference(name, prefix)
    remove_space_label(session, space.id, label_prefix, label_name)
