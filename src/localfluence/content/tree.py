"""Closure-table maintenance for the content tree: attach a new node, move a subtree."""

from __future__ import annotations

from sqlalchemy import delete, insert, literal, select, true
from sqlalchemy.orm import Session, aliased

from localfluence.models import ContentAncestor


def attach(session: Session, content_id: int, parent_id: int | None) -> None:
    """Rows for a new node: itself at depth 0 and every ancestor of its parent one level deeper."""
    session.execute(insert(ContentAncestor).values(ancestor_id=content_id, descendant_id=content_id, depth=0))
    if parent_id is None:
        return
    above = select(ContentAncestor.ancestor_id, literal(content_id), ContentAncestor.depth + 1).where(
        ContentAncestor.descendant_id == parent_id
    )
    session.execute(insert(ContentAncestor).from_select(["ancestor_id", "descendant_id", "depth"], above))


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
