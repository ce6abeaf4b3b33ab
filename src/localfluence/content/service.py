"""Content rules: create, update (versions, moves, restores), trash and purge, versions.

Every function runs inside the request's transaction; nothing here commits. A raised error rolls
the whole request back, so a failed write leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from localfluence import events
from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.changes import Current, content_changed, content_created
from localfluence.content import repository as repo
from localfluence.content import tree, types
from localfluence.content.schemas import ContentCreate, ContentUpdate, MetadataIn
from localfluence.errors import BadRequest, Conflict, NotFound
from localfluence.kit.clock import clock
from localfluence.kit.ids import parse_id
from localfluence.labels import service as labels
from localfluence.models import Content, ContentVersion, Space
from localfluence.spaces import repository as space_repo
from localfluence.xhtml.inputs import INPUT_REPRESENTATIONS, saved_storage
from localfluence.xhtml.storage import Saved

# Called after a content is created, in the same transaction, with the request body: packages
# that own what rides along in it (comment placement, metadata.properties) register here. Hooks
# leave labels alone (see _labels_kept).
CreateHook = Callable[[Session, Principal, Content, ContentCreate], None]
CREATE_HOOKS: list[CreateHook] = []
UpdateHook = Callable[[Session, Principal, Content, ContentUpdate], None]
UPDATE_HOOKS: list[UpdateHook] = []

# Types created through /content (attachments come through their own API).
WRITABLE_TYPES = ("page", "blogpost", "comment")
# v2's kinds of content in the page tree (folders, whiteboards, databases, smart links): rows like
# pages, at a space's root or below a page or folder; pages may hang below folders too.
TREE_TYPES = ("folder", "whiteboard", "database", "embed")
# Custom content (content/types.py) hangs below a space, page, blog post or custom content.
is_custom = types.is_custom


def is_writable(content_type: str) -> bool:
    return content_type in WRITABLE_TYPES or content_type in TREE_TYPES or is_custom(content_type)


def may_hang_below(content_type: str, parent_type: str) -> bool:
    if content_type == "page" or content_type in TREE_TYPES:
        return parent_type in ("page", "folder")
    if is_custom(content_type):
        return parent_type in ("page", "blogpost") or is_custom(parent_type)
    return False


STATUSES = ("current", "trashed", "deleted", "historical", "draft", "archived", "any")
MAX_TITLE = 255


def parent_statuses(status: str) -> tuple[str, ...]:
    """Which parents a content of this status may hang below: published content only below
    published content, or a draft's title would show through its children's ancestors.
    Guarded by tests/security/test_known_gaps.py."""
    return ("current",) if status != "draft" else ("current", "draft")


def title_key(content_type: str, title: str, posting_day: str | None, parent_id: int | None) -> str | None:
    """What must be unique in a space: page titles; blog titles per day; attachment names per
    container. Case-insensitive, as Confluence compares them."""
    folded = title.casefold()
    if content_type == "page":
        return f"page:{folded}"
    if content_type == "blogpost":
        return f"blogpost:{posting_day}:{folded}"
    if content_type == "attachment":
        return f"attachment:{parent_id}:{folded}"
    return None


def check_title(title: str | None, content_type: str) -> str:
    if title is None or not title.strip():
        if content_type == "comment":
            return ""
        raise BadRequest("Title cannot be empty")
    title = title.strip()
    if "\x00" in title:
        raise BadRequest("Title contains an invalid character")
    if len(title) > MAX_TITLE:
        raise BadRequest(f"Title cannot be longer than {MAX_TITLE} characters")
    return title


def storage_body(body: dict | None) -> str | None:  # type: ignore[type-arg]
    """The storage to save for a request body: storage as sent (validated), or wiki, editor or
    atlas_doc_format converted; macros and tasks get their ids (xhtml.storage.prepare_for_save)."""
    saved = saved_body(body)
    return saved.storage if saved is not None else None


def saved_body(body: dict | None) -> Saved | None:  # type: ignore[type-arg]
    """storage_body, with the storage's tree for the listeners (changes.Current.tree)."""
    if not body:
        return None
    for name in INPUT_REPRESENTATIONS:
        if name in body:
            value = body[name]
            if value.representation not in (None, name):
                raise BadRequest(f"Body representation mismatch: {name} != {value.representation}")
            return saved_storage(value.value, name)
    for name in body:
        if name in ("editor2", "view", "export_view", "styled_view", "anonymous_export_view", "plain", "raw"):
            raise BadRequest(f"Content body in the '{name}' representation cannot be stored; send storage")
    raise BadRequest(f"Unknown body representation: {', '.join(body)}")


def create_content(session: Session, principal: Principal, data: ContentCreate, status: str | None) -> Content:
    content_type = data.type
    if is_custom(content_type):
        types.check_custom_type(content_type)
    if not is_writable(content_type):
        raise BadRequest(f"Invalid content type: {content_type}")
    status = data.status or status or "current"
    if status not in ("current", "draft"):
        raise BadRequest(f"Content can only be created as current or draft, not: {status}")

    parent: Content | None = None
    if content_type == "comment":
        container_id = data.container.id if data.container else None
        if data.ancestors:
            # A reply: the comment it answers is its parent.
            container_id = data.ancestors[-1].id
        if container_id is None:
            raise BadRequest("A comment needs a container")
        parent = repo.get_content(session, principal, _int_id(container_id), parent_statuses(status))
        space = repo.space_of(session, parent)
    else:
        if data.space is None:
            raise BadRequest("Content needs a space: space.key is required")
        found = space_repo.find_space(session, principal, data.space.key)
        if found is None:
            # Spec (createContent): 403 when the space does not exist or cannot be seen.
            checks.refuse(principal, f"Space does not exist or you cannot create content in it: {data.space.key}")
        space = found
        if data.ancestors:
            if content_type == "blogpost":
                raise BadRequest("Only pages can have a parent page")
            parent = repo.find_content(session, principal, _int_id(data.ancestors[-1].id), parent_statuses(status))
            if parent is None or not may_hang_below(content_type, parent.type):
                raise NotFound(f"The parent content is invalid: {data.ancestors[-1].id}")
            if parent.space_id != space.id:
                raise BadRequest("The parent page must be in the same space")
    if space.status == "archived":
        raise BadRequest(f"Space {space.key} is archived; content cannot be created in it")
    checks.require_space_permission(session, principal, space.id, "create", checks.permission_target(content_type))

    title = check_title(data.title, content_type)
    saved = saved_body(data.body) or _BLANK
    body = saved.storage
    now = clock.now()
    posting_day = now.strftime("%Y-%m-%d") if content_type == "blogpost" else None
    key = title_key(content_type, title, posting_day, parent.id if parent else None)
    if status == "draft":
        key = None
    parent_id = parent.id if parent else None
    taken, position = repo.placement(session, space.id, parent_id, key)
    if taken:
        raise _title_taken(content_type, title)

    content = _insert_content(
        session,
        {
            "type": content_type,
            "status": status,
            "title": title,
            "title_key": key,
            "space_id": space.id,
            "parent_id": parent_id,
            "position": position,
            "version": 1,
            "creator_id": principal.user_id,
            "created_at": now,
            "posting_day": posting_day,
            "previous_status": None,
        },
    )
    content_created(session, content.id)
    session.execute(
        _ADD_VERSION,
        {
            "content_id": content.id,
            "number": 1,
            "title": title,
            "body": body,
            "message": (data.version.message if data.version else None) or "",
            "minor_edit": False,
            "author_id": principal.user_id,
            "created_at": now,
        },
    )
    tree.attach(session, content.id, content.parent_id)
    _apply_metadata(session, content.id, data.metadata, replace=False)
    for hook in CREATE_HOOKS:
        hook(session, principal, content, data)
    content_changed(
        session,
        [content.id],
        written=[_written(content, space.key, saved, principal, now)],
        labels_kept=_labels_kept(content.id, data.metadata),
    )
    events.known_user(session, principal.user_id, principal.account_id)
    events.content_event(
        session, "created" if content.status == "current" else "draft_created", content, space_key=space.key
    )
    return content


def update_content(
    session: Session, principal: Principal, content_id: int, data: ContentUpdate, status_param: str | None
) -> Content:
    """Returns the content as stored: a read-only row (repo.ContentRow, without companions)."""
    # A row, not an entity: the update writes by statements (_set_content). The space's key comes
    # with it: the listeners and the event name the space by it, and the response reads the space
    # row with the current version.
    statuses = ("current", "draft", "trashed", "archived")
    content, space_key = repo.get_content_for_write(session, principal, content_id, statuses)
    if data.type != content.type:
        raise BadRequest(f"The content type cannot be changed from {content.type} to {data.type}")
    target_status = data.status or status_param or "current"
    if target_status not in ("current", "draft", "archived"):
        raise BadRequest(f"Invalid status for an update: {target_status}")
    checks.require_edit_content(session, principal, content)
    if target_status == "draft":
        # Spec (updateContent): drafts cannot be updated (409), and saving a draft of published
        # content needs that content's draft, which this server does not keep (404).
        if content.status == "draft":
            raise Conflict("Draft content cannot be updated; publish it by setting its status to current")
        raise NotFound(f"No draft of content {content.id} was found")

    expected = content.version + 1
    publishing_draft = content.status == "draft" and target_status == "current" and content.version == 1
    if data.version.number != expected and not (publishing_draft and data.version.number == 1):
        raise Conflict(f"Version must be incremented on update. Current version is: {content.version}")

    restoring = content.status == "trashed" and target_status == "current"
    if content.status == "trashed" and not restoring:
        raise BadRequest("Trashed content can only be restored, by setting its status to current")

    title = check_title(data.title, content.type)
    new_parent_id = content.parent_id
    if data.ancestors and content.type == "page":
        parent = repo.find_content(session, principal, _int_id(data.ancestors[-1].id), parent_statuses(target_status))
        if parent is None or not may_hang_below(content.type, parent.type):
            raise NotFound(f"The parent content is invalid: {data.ancestors[-1].id}")
        if parent.space_id != content.space_id:
            raise BadRequest("The parent page must be in the same space; use move to change spaces")
        if repo.is_ancestor_or_self(session, content.id, parent.id):
            raise BadRequest("A page cannot become a child of itself or of one of its descendants")
        new_parent_id = parent.id

    saved = saved_body(data.body)
    if saved is None:
        old_version = repo.get_version(session, content.id, content.version)
        # The body kept as stored (not parsed here: a body saved before validation may not parse).
        saved = Saved(old_version.body if old_version else "", None)
    body = saved.storage

    if restoring:
        target_status = content.previous_status or "current"
    new_status = target_status
    key = title_key(content.type, title, content.posting_day, content.parent_id)
    if title != content.title or key != content.title_key:
        _ensure_title_free(session, content.space_id, content.type, title, key, exclude_id=content.id)

    now = clock.now()
    number = data.version.number
    if publishing_draft and number == 1:
        # Publishing a never-published draft makes it version 1, replacing the draft's body.
        version = repo.get_version(session, content.id, 1)
        assert version is not None
        version.title, version.body, version.created_at = title, body, now
        version.message = data.version.message or ""
        version.author_id = principal.user_id
    else:
        _add_version(
            session,
            content,
            {
                "content_id": content.id,
                "number": number,
                "title": title,
                "body": body,
                "message": data.version.message or "",
                "minor_edit": bool(data.version.minorEdit),
                "author_id": principal.user_id,
                "created_at": now,
            },
        )
    # A move or a status change (a restore) concerns the whole subtree, as trash and move_page
    # report it; an edit in place concerns this content alone, however many descendants it has.
    whole_subtree = new_parent_id != content.parent_id or new_status != content.status
    if new_parent_id != content.parent_id:
        tree.move_subtree(session, content.id, new_parent_id)
        # The new parent first: the last position below it counts the moved content's own.
        content = _set_content(session, content, {"parent_id": new_parent_id})
        position = repo.next_position(session, new_parent_id, content.space_id)
        content = _set_content(session, content, {"position": position})
    content = _set_content(
        session,
        content,
        {"title": title, "title_key": key, "version": number, "status": new_status, "previous_status": None},
    )
    _apply_metadata(session, content.id, data.metadata, replace=True)
    for hook in UPDATE_HOOKS:
        hook(session, principal, content, data)
    with _unique_title(content.type, title):
        session.flush()  # what the hooks wrote
    changed = repo.subtree_ids(session, content.id) if whole_subtree else [content.id]
    content_changed(
        session,
        changed,
        written=[_written(content, space_key, saved, principal, now)],
        labels_kept=_labels_kept(content.id, data.metadata),
    )
    events.known_user(session, principal.user_id, principal.account_id)
    verb = "restored" if restoring else ("created" if publishing_draft else "updated")
    events.content_event(session, verb, content, space_key=space_key)
    return content


def delete_content(session: Session, principal: Principal, content_id: int, status: str | None) -> None:
    """DELETE: current → trash; trashed with status=trashed → purge; drafts and comments are purged.

    Trashed content is found only when the caller says status=trashed (spec: deleteContent), so a
    second plain DELETE is a 404 rather than a silent purge."""
    if status not in (None, "current", "trashed", "draft", "archived"):
        raise BadRequest(f"Invalid status for delete: {status}")
    if status == "trashed":
        content = repo.get_content(session, principal, content_id, ("current", "draft", "trashed", "archived"))
        if content.status != "trashed":
            raise BadRequest("Only trashed content can be purged; trash it first")
    else:
        content = repo.get_content(session, principal, content_id, ("current", "draft", "archived"))
    checks.require_space_permission(
        session, principal, content.space_id, "delete", checks.permission_target(content.type)
    )
    if content.type in ("page", "blogpost"):
        # An update restriction that leaves the caller out protects the page from deletion too.
        checks.require_update_content(session, principal, content)
    if content.status == "trashed":
        purge(session, content)
        return
    if content.status == "draft" or content.type in ("comment", "attachment"):
        purge(session, content)
        return
    trash(session, content)


def trash(session: Session, content: Content) -> None:
    _hand_children_to_parent(session, content)
    content.previous_status = content.status
    content.status = "trashed"
    content_changed(session, repo.subtree_ids(session, content.id))
    events.content_event(session, "trashed", content)


def purge(session: Session, content: Content) -> None:
    _hand_children_to_parent(session, content)
    gone = repo.subtree_ids(session, content.id)
    session.execute(update(Space).where(Space.homepage_id == content.id).values(homepage_id=None))
    events.content_event(session, "removed", content)
    session.delete(content)
    content_changed(session, gone)


def _hand_children_to_parent(session: Session, content: Content) -> None:
    # Trashing or purging a page hands its child pages to its parent, as Confluence does.
    for child in session.scalars(
        select(Content).where(Content.parent_id == content.id, Content.type.in_(("page", "blogpost")))
    ):
        tree.move_subtree(session, child.id, content.parent_id)
        child.parent_id = content.parent_id


def trash_tree(session: Session, principal: Principal, content_id: int) -> int:
    """DELETE /content/{id}/pageTree: the page and every descendant page go to the trash."""
    root = repo.get_content(session, principal, content_id, ("current",))
    if root.type != "page":
        raise BadRequest("Only a page tree can be deleted this way")
    checks.require_space_permission(session, principal, root.space_id, "delete", "page")
    ids = repo.subtree_ids(session, root.id)
    rows = list(session.scalars(select(Content).where(Content.id.in_(ids), Content.status == "current")))
    for row in rows:
        row.previous_status = row.status
        row.status = "trashed"
    content_changed(session, ids)
    events.contents_event(session, "trashed", rows)
    return len(rows)


def move_page(session: Session, principal: Principal, page_id: int, position: str, target_id: int) -> Content:
    """PUT /content/{id}/move/{before|after|append}/{targetId}."""
    if position not in ("before", "after", "append"):
        raise BadRequest(f"Invalid position: {position}; use before, after or append")
    page = repo.get_content(session, principal, page_id, ("current", "draft"))
    target = repo.get_content(session, principal, target_id, parent_statuses(page.status))
    if page.type != "page" or target.type != "page":
        raise BadRequest("Only pages can be moved, relative to pages")
    if repo.is_ancestor_or_self(session, page.id, target.id):
        raise BadRequest("A page cannot be moved relative to itself or its descendants")
    checks.require_edit_content(session, principal, page)
    checks.require_space_permission(session, principal, target.space_id, "create", "page")
    if target.space_id != page.space_id:
        # Leaving a space removes the page from it (spec: movePage, 403).
        checks.require_space_permission(session, principal, page.space_id, "delete", "page")

    if position == "append":
        new_parent_id: int | None = target.id
    else:
        new_parent_id = target.parent_id
    if target.space_id != page.space_id:
        _move_to_space(session, principal, page, target.space_id)
    if new_parent_id != page.parent_id:
        tree.move_subtree(session, page.id, new_parent_id)
        page.parent_id = new_parent_id
    if position == "append":
        page.position = repo.next_position(session, new_parent_id, page.space_id)
    else:
        _place_beside(session, page, target, new_parent_id, position)
    content_changed(session, repo.subtree_ids(session, page.id))
    events.content_event(session, "moved", page)
    return page


def move_page_to_top_level(session: Session, principal: Principal, page_id: int, space_key: str | None) -> Content:
    """The form action's position=topLevel: the page (and its subtree) becomes a root page of its
    space, or of the space named by space_key."""
    page = repo.get_content(session, principal, page_id, ("current", "draft"))
    if page.type != "page":
        raise BadRequest("Only pages can be moved")
    checks.require_edit_content(session, principal, page)
    space_id = page.space_id
    if space_key:
        space_id = space_repo.get_space(session, principal, space_key).id
    if space_id != page.space_id:
        checks.require_space_permission(session, principal, space_id, "create", "page")
        checks.require_space_permission(session, principal, page.space_id, "delete", "page")
        _move_to_space(session, principal, page, space_id)
    if page.parent_id is not None:
        tree.move_subtree(session, page.id, None)
        page.parent_id = None
    page.position = repo.next_position(session, None, space_id)
    content_changed(session, repo.subtree_ids(session, page.id))
    events.content_event(session, "moved", page)
    return page


def _place_beside(session: Session, page: Content, target: Content, parent_id: int | None, position: str) -> None:
    siblings = [
        c
        for c in session.scalars(
            select(Content)
            .where(
                Content.space_id == target.space_id,
                Content.type == "page",
                Content.parent_id == parent_id if parent_id is not None else Content.parent_id.is_(None),
                Content.id != page.id,
            )
            .order_by(Content.position, Content.id)
        )
    ]
    index = next(i for i, c in enumerate(siblings) if c.id == target.id)
    siblings.insert(index if position == "before" else index + 1, page)
    for i, sibling in enumerate(siblings):
        sibling.position = i


def _move_to_space(session: Session, principal: Principal, page: Content, space_id: int) -> None:
    ids = repo.subtree_ids(session, page.id)
    rows = list(session.scalars(select(Content).where(Content.id.in_(ids))))
    space = session.get(Space, space_id)
    assert space is not None
    for row in rows:
        if row.title_key and repo.title_taken(session, space_id, row.title_key):
            raise BadRequest(f"A page with this title already exists in space {space.key}: {row.title}")
    for row in rows:
        row.space_id = space_id
    session.flush()


def restore_version(
    session: Session, principal: Principal, content_id: int, number: int, message: str, restore_title: bool
) -> ContentVersion:
    content = repo.get_content(session, principal, content_id, ("current",))
    checks.require_edit_content(session, principal, content)
    old = repo.get_version(session, content.id, number)
    if old is None or number >= content.version:
        raise BadRequest(f"Version {number} cannot be restored: it is not an earlier version of this content")
    title = old.title if restore_title else content.title
    if title != content.title:
        key = title_key(content.type, title, content.posting_day, content.parent_id)
        _ensure_title_free(session, content.space_id, content.type, title, key, exclude_id=content.id)
        content.title, content.title_key = title, key
    content.version += 1
    version = ContentVersion(
        content_id=content.id,
        number=content.version,
        title=title,
        body=old.body,
        message=message,
        author_id=principal.user_id,
        created_at=clock.now(),
    )
    session.add(version)
    content_changed(session, [content.id])
    events.content_event(session, "updated", content)
    return version


def delete_version(session: Session, principal: Principal, content_id: int, number: int) -> None:
    """Delete a historical version. Confluence Cloud renumbers the later versions so the numbers
    stay continuous (deleting 2 of 1..3 leaves 1..2), and the content's current number drops by one."""
    content = repo.get_content(session, principal, content_id, ("current", "draft", "archived"))
    checks.require_edit_content(session, principal, content)
    if number == content.version:
        raise BadRequest("The current version cannot be deleted")
    version = repo.get_version(session, content.id, number)
    if version is None:
        # Spec (deleteContentVersion): a missing version is a 400.
        raise BadRequest(f"No version {number} of content {content_id}")
    session.delete(version)
    session.flush()
    later = (ContentVersion.content_id == content.id, ContentVersion.number > number)
    # Two steps through negative numbers, so no row ever collides with the unique (content, number).
    session.execute(update(ContentVersion).where(*later).values(number=-(ContentVersion.number - 1)))
    session.execute(
        update(ContentVersion)
        .where(ContentVersion.content_id == content.id, ContentVersion.number < 0)
        .values(number=-ContentVersion.number)
    )
    content.version -= 1
    session.flush()
    content_changed(session, [content.id])


def archive_pages(session: Session, principal: Principal, ids: Sequence[int]) -> int:
    pages = []
    for content_id in dict.fromkeys(ids):
        page = repo.get_content(session, principal, content_id, ("current", "archived"))
        if page.type != "page":
            raise BadRequest(f"Only pages can be archived: {content_id}")
        if page.status == "archived":
            raise BadRequest(f"Page {content_id} is already archived")
        checks.require_space_permission(session, principal, page.space_id, "archive", "page")
        pages.append(page)
    for page in pages:
        page.previous_status = page.status
        page.status = "archived"
    content_changed(session, [p.id for p in pages])
    events.contents_event(session, "archived", pages)
    return len(pages)


def _apply_metadata(session: Session, content_id: int, metadata: MetadataIn | None, *, replace: bool) -> None:
    if metadata is None or metadata.labels is None:
        return
    pairs = [p for label in metadata.labels for p in labels.normalise(label.prefix, label.name)]
    if replace:
        labels.replace_labels(session, content_id, pairs)
    else:
        labels.add_labels(session, content_id, pairs)


def _labels_kept(content_id: int, metadata: MetadataIn | None) -> list[int]:
    # Only metadata.labels changes labels on create and update (no hook touches them), so without
    # it the search index need not look them up again.
    return [content_id] if metadata is None or metadata.labels is None else []


def _ensure_title_free(
    session: Session, space_id: int, content_type: str, title: str, key: str | None, exclude_id: int | None = None
) -> None:
    if key is not None and repo.title_taken(session, space_id, key, exclude_id):
        raise _title_taken(content_type, title)


def _title_taken(content_type: str, title: str) -> BadRequest:
    return BadRequest(
        f"A {'page' if content_type == 'page' else 'content'} with this title already exists: "
        f"A {content_type} already exists with the same TITLE in this space"
        if content_type != "attachment"
        else f"Cannot add a new attachment with same file name as an existing attachment: {title}"
    )


# New versions as a plain insert: nothing in the request reads them back as objects.
_ADD_VERSION = insert(ContentVersion.__table__)
# The content row of a create or an edit as a plain statement: a unit-of-work flush of one row costs
# several times the statement itself, and every create and update writes one.
_content = Content.__table__
_ADD_CONTENT = insert(_content).returning(_content.c.id)
# SET takes the columns the parameters name.
_SET_CONTENT = update(_content).where(_content.c.id == bindparam("content_id"))
# Kept by database triggers when the version changes (models.Content): read again when asked for.
_TRIGGER_KEPT = ["last_modified_at"]


def _insert_content(session: Session, values: dict[str, object]) -> Content:
    """Insert the row, then hand the session the entity as if it had loaded it."""
    with _unique_title(str(values["type"]), str(values["title"])):
        content_id = session.execute(_ADD_CONTENT, values).scalar_one()
    content = Content(id=content_id, **values)
    make_transient_to_detached(content)
    session.add(content)
    return content


def _set_content(session: Session, content: Any, values: dict[str, object]) -> Any:
    """Write the columns that differ in one statement; the row as stored afterwards (without its
    companions, which may no longer hold). An entity of the same content that the caller holds in
    the session gets the same values, as if it had been the one written."""
    changed = {name: value for name, value in values.items() if getattr(content, name) != value}
    if changed:
        with _unique_title(content.type, str(values.get("title", content.title))):
            session.execute(_SET_CONTENT, {"content_id": content.id, **changed})
        entity = session.identity_map.get(Session.identity_key(Content, content.id))
        if entity is not None:
            for name, value in changed.items():
                set_committed_value(entity, name, value)
            if "version" in changed:
                session.expire(entity, _TRIGGER_KEPT)
    return content._replace(joined=None, **changed)


def _written(content: Content, space_key: str, saved: Saved, principal: Principal, now: datetime) -> Current:
    """What a create or update has just stored as the content's current version, for the listeners."""
    return Current(
        content.id,
        content.type,
        content.space_id,
        space_key,
        content.title,
        saved.storage,
        principal.user_id,
        now,
        has_version=True,
        tree=saved.root,
    )


_BLANK = Saved("", None)


def _add_version(session: Session, content: Content, values: dict[str, object]) -> None:
    # Another writer can store the same next version between our check and our insert; the unique
    # (content, number) decides, and the loser gets the 409 the check would have given.
    current = content.version
    session.flush()
    try:
        session.execute(_ADD_VERSION, values)
    except IntegrityError:
        raise Conflict(f"Version must be incremented on update. Current version is: {current + 1}") from None


@contextmanager
def _unique_title(content_type: str, title: str) -> Iterator[None]:
    """A concurrent writer can take the title between our check and our write; the unique index
    decides, and the loser gets the same 400 as the check would have given. Any other constraint
    the write trips (a parent deleted meanwhile) is a concurrent change too, but not a title
    taken: a 409."""
    try:
        yield
    except IntegrityError as exc:
        # Both dialects name the constraint's columns or its name (uq_content_space_title_key).
        if "title_key" in str(exc.orig):
            raise _title_taken(content_type, title) from None
        raise Conflict("The content was changed by another request while it was being saved; retry") from None


def _int_id(value: str | int) -> int:
    """A content id from a path or body: a positive long (Confluence's ids are longs), else 400;
    beyond what the database stores, 404 without asking it."""
    number = parse_id(str(value), "content id")
    if number is None:
        raise repo.not_found(value)
    return number


parse_content_id = _int_id
