"""Helpers for body tests that reach into the database for what other packages' APIs provide
(restrictions, attachments), so these tests do not depend on those packages."""

from __future__ import annotations

from sqlalchemy import select

from localfluence.content import tree
from localfluence.content.service import title_key
from localfluence.db.session import transaction
from localfluence.kit.clock import clock
from localfluence.models import Content, ContentRestriction, ContentVersion, User
from tests.server import RunningServer


def user_id(server: RunningServer, account_id: str) -> int:
    with transaction(server.runtime.sessions) as session:
        found = session.scalar(select(User.id).where(User.account_id == account_id))
        assert found is not None
        return found


def restrict(server: RunningServer, content_id: str | int, operation: str, account_id: str) -> None:
    """Only account_id may `operation` (read or update) the content."""
    uid = user_id(server, account_id)
    with transaction(server.runtime.sessions, write=True) as session:
        session.add(ContentRestriction(content_id=int(content_id), operation=operation, user_id=uid))


def add_attachment(server: RunningServer, page_id: str | int, filename: str) -> int:
    """An attachment content row below a page (what the attachments API would create)."""
    with transaction(server.runtime.sessions, write=True) as session:
        page = session.get(Content, int(page_id))
        assert page is not None
        now = clock.now()
        row = Content(
            type="attachment",
            status="current",
            title=filename,
            title_key=title_key("attachment", filename, None, page.id),
            space_id=page.space_id,
            parent_id=page.id,
            position=0,
            version=1,
            created_at=now,
        )
        session.add(row)
        session.flush()
        session.add(ContentVersion(content_id=row.id, number=1, title=filename, body="", created_at=now))
        tree.attach(session, row.id, page.id)
        return row.id
