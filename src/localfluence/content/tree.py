"""Closure-table maintenance for the content tree: attach a new node, move a subtree."""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, delete, insert, literal, select, true, union_all
from sqlalchemy.orm import Session, aliased

from localfluence.models import ContentAncestor

# Plain table statements, built once: every create runs them.
_links = ContentAncestor.__table__.c
_COLUMNS = ["ancestor_id", "descendant_id", "depth"]
_SELF = insert(ContentAncestor.__table__).values(
    ancestor_id=bindparam("content_id"), descendant_id=bindparam("content_id"), depth=0
)
# The new node itself at depth 0, and every ancestor of the parent (itself included, at depth 0)
# one level further from it: one statement.
_SELF_AND_BELOW_PARENT = insert(ContentAncestor.__table__).from_select(
    _COLUMNS,
    union_all(
        select(bindparam("content_id", type_=Integer), bindparam("content_id", type_=Integer), literal(0, Integer)),
        select(_links.ancestor_id, bindparam("content_id", type_=Integer), _links.depth + 1).where(
            _links.descendant_id == bindparam("parent_id")
        ),
    ),
)


def attach(session: Session, content_id: int, parent_id: int | None) -> None:
    """Rows for a new node: itself at depth 0 and every ancestor of its parent one level deeper."""
    if parent_id is None:
        session.execute(_SELF, {"content_id": content_id})
    else:
        session.execute(_SELF_AND_BELOW_PARENT, {"content_id": content_id, "parent_id": parent_id})


def move_subtree(session: Session, root_id: int, new_parent_id: int | None) -> None:
    """Re-hang the subtree under root_id below new_parent_id (or at the top level)."""
    subtree = select(ContentAncestor.descendant_id).where(ContentAncestor.ancestor_id == root_id)
    # Forget every link from above the root into the subtree; links inside the subtree stay.
    session.execute(
        delete(ContentAncestor).where(
            ContentAncestor.descendant_id.in_(subtree.scalar_subquery()),
            ContentAncestor.ancestor_id.not_in(subtree.scalar_subquery()),
        )
    )
    if new_parent_id is None:
        return
    upper = aliased(ContentAncestor)
    lower = aliased(ContentAncestor)
    # Every ancestor of the new parent pairs with every node of the subtree: a deliberate cross join.
    pairs = (
        select(upper.ancestor_id, lower.descendant_id, upper.depth + lower.depth + 1)
        .select_from(upper)
        .join(lower, true())
        .where(upper.descendant_id == new_parent_id, lower.ancestor_id == root_id)
    )
    session.execute(insert(ContentAncestor).from_select(["ancestor_id", "descendant_id", "depth"], pairs))
