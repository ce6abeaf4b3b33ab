"""Label rules: names are lower-cased, spaces split a name into several labels, and Confluence's
reserved characters are refused."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localfluence.errors import BadRequest
from localfluence.models import ContentLabel, Label

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
