"""Copying a page, or a page with its descendants (POST /content/{id}/copy, .../pagehierarchy/copy)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.changes import content_changed
from localfluence.content import repository as repo
from localfluence.content import service, tree
from localfluence.content.schemas import CopyPage, CopyPageHierarchy
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.clock import clock
from localfluence.labels import service as labels
from localfluence.models import Content, ContentAncestor, ContentLabel, ContentVersion, Label, Space
from localfluence.spaces import repository as space_repo


def copy_page(session: Session, principal: Principal, source_id: int, data: CopyPage) -> Content:
    source = repo.get_content(session, principal, source_id, ("current",))
    if source.type != "page":
        raise BadRequest("Only pages can be copied")
    destination = data.destination
    body = service.storage_body(data.body)
    if destination.type == "existing_page":
        target = repo.get_content(session, principal, service.parse_content_id(destination.value), ("current",))
        if target.type != "page":
            raise BadRequest("The destination must be a page")
        # Overwrite: the existing page gets a new version carrying the source's title and body.
        checks.require_space_permission(session, principal, target.space_id, "create", "page")
        checks.require_update_content(session, principal, target)
        source_body = _body(session, source)
        title = service.check_title(data.pageTitle or source.title, "page")
        key = service.title_key("page", title, None, None)
        if key != target.title_key and repo.title_taken(session, target.space_id, key or "", target.id):
            raise BadRequest(f"A page with this title already exists: {title}")
        target.version += 1
        target.title, target.title_key = title, key
        session.add(
            ContentVersion(
                content_id=target.id,
                number=target.version,
                title=title,
                body=body if body is not None else source_body,
                author_id=principal.user_id,
                created_at=clock.now(),
            )
        )
        if data.copyLabels:
            _copy_labels(session, source.id, target.id)
        content_changed(session, [target.id])
        return target
    if destination.type == "space":
        space = space_repo.get_space(session, principal, destination.value)
        parent_id = None
    elif destination.type == "parent_page":
        parent = repo.get_content(session, principal, service.parse_content_id(destination.value), ("current",))
        if parent.type != "page":
            raise BadRequest("The destination must be a page")
        space = repo.space_of(session, parent)
        parent_id = parent.id
    else:
        raise BadRequest(f"Invalid destination type: {destination.type}; use space, parent_page or existing_page")
    title = service.check_title(data.pageTitle or source.title, "page")
    return _clone(session, principal, source, space, parent_id, title, body, copy_labels=data.copyLabels)


def copy_page_hierarchy(
    session: Session, principal: Principal, source_id: int, data: CopyPageHierarchy
) -> tuple[Content, int]:
    source = repo.get_content(session, principal, source_id, ("current",))
    if source.type != "page":
        raise BadRequest("Only page trees can be copied")
    destination = repo.get_content(session, principal, service.parse_content_id(data.destinationPageId), ("current",))
    if destination.type != "page":
        raise BadRequest("The destination must be a page")
    if repo.is_ancestor_or_self(session, source.id, destination.id):
        raise BadRequest("A page tree cannot be copied into itself")
    space = repo.space_of(session, destination)
    options = data.titleOptions
    # Visible pages only: a copy must not reveal (or duplicate) what the caller cannot read.
    visible_ids = set(
        session.scalars(
            repo.visible(principal)
            .with_only_columns(Content.id)
            .join(ContentAncestor, ContentAncestor.descendant_id == Content.id)
            .where(ContentAncestor.ancestor_id == source.id, Content.type == "page", Content.status == "current")
        )
    )
    rows = list(
        session.execute(
            select(Content, ContentAncestor.depth)
            .join(ContentAncestor, ContentAncestor.descendant_id == Content.id)
            .where(ContentAncestor.ancestor_id == source.id, Content.id.in_(visible_ids))
            .order_by(ContentAncestor.depth, Content.position, Content.id)
        )
    )
    if not data.copyDescendants:
        rows = [r for r in rows if r[1] == 0]
    new_ids: dict[int, int] = {}
    root: Content | None = None
    for original, _depth in rows:
        title = original.title
        if options is not None:
            if options.search:
                title = title.replace(options.search, options.replace)
            title = options.prefix + title
        title = service.check_title(title, "page")
        parent_id = destination.id if original.id == source.id else new_ids.get(original.parent_id or -1)
        if parent_id is None:
            continue
        copy = _clone(session, principal, original, space, parent_id, title, None, copy_labels=data.copyLabels)
        new_ids[original.id] = copy.id
        if root is None:
            root = copy
    assert root is not None
    return root, len(new_ids)


def _clone(
    session: Session,
    principal: Principal,
    source: Content,
    space: Space,
    parent_id: int | None,
    title: str,
    body: str | None,
    *,
    copy_labels: bool,
) -> Content:
    checks.require_space_permission(session, principal, space.id, "create", "page")
    key = service.title_key("page", title, None, parent_id)
    if repo.title_taken(session, space.id, key or ""):
        raise BadRequest(f"A page with this title already exists: {title}")
    now = clock.now()
    copy = Content(
        type="page",
        status="current",
        title=title,
        title_key=key,
        space_id=space.id,
        parent_id=parent_id,
        position=repo.next_position(session, parent_id, space.id),
        version=1,
        creator_id=principal.user_id,
        created_at=now,
    )
    session.add(copy)
    session.flush()
    session.add(
        ContentVersion(
            content_id=copy.id,
            number=1,
            title=title,
            body=body if body is not None else _body(session, source),
            author_id=principal.user_id,
            created_at=now,
        )
    )
    tree.attach(session, copy.id, parent_id)
    if copy_labels:
        _copy_labels(session, source.id, copy.id)
    content_changed(session, [copy.id])
    return copy


def _body(session: Session, content: Content) -> str:
    version = repo.get_version(session, content.id, content.version)
    if version is None:
        raise NotFound(f"No body for content {content.id}")
    return version.body


def _copy_labels(session: Session, source_id: int, target_id: int) -> None:
    pairs = session.execute(
        select(Label.prefix, Label.name)
        .join(ContentLabel, ContentLabel.label_id == Label.id)
        .where(ContentLabel.content_id == source_id)
    ).all()
    labels.add_labels(session, target_id, [(p, n) for p, n in pairs])
