"""Attachment rules: uploads (new attachments and new versions), property updates and moves, and
what a download resolves to. Nothing here commits; blob writers are tied to the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from localfluence import events
from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.attachments import repository as repo
from localfluence.attachments.files import check_media_type, file_name
from localfluence.attachments.schemas import AttachmentPropertiesUpdate
from localfluence.attachments.upload import Upload, UploadedFile
from localfluence.blobs.store import BlobStore, BlobWriter
from localfluence.blobs.transaction import hold
from localfluence.changes import content_changed, on_content_changed, written_type
from localfluence.content import repository as content_repo
from localfluence.content import tree
from localfluence.content.service import title_key
from localfluence.errors import BadRequest, Conflict, Forbidden, NotFound
from localfluence.kit.clock import clock
from localfluence.models import AttachmentVersion, Blob, Content, ContentAncestor, ContentVersion

CONTAINER_TYPES = ("page", "blogpost")
READABLE_CONTAINER_STATUSES = ("current", "draft", "trashed", "archived")


def attachment_id(value: str) -> int:
    """Cloud writes attachment ids as "att123"; the number is the content id."""
    from localfluence.content.service import parse_content_id

    raw = value[3:] if value.startswith("att") else value
    return parse_content_id(raw)


def get_container(session: Session, principal: Principal, container_id: int) -> Content:
    return content_repo.get_content(session, principal, container_id, READABLE_CONTAINER_STATUSES)


def container_for_upload(session: Session, principal: Principal, container_id: int, status: str | None) -> Content:
    """The container a caller may attach files to: visible (else 404), a page or blog post, and
    editable by the caller (create/attachment in its space and no update restriction leaving them out)."""
    status = status or "current"
    if status not in ("current", "draft"):
        raise BadRequest(f"Invalid status: {status}; use current or draft")
    container = content_repo.get_content(session, principal, container_id, (status,))
    if container.type not in CONTAINER_TYPES:
        raise BadRequest(f"Attachments can only be added to pages and blog posts, not to a {container.type}")
    require_attach(session, principal, container)
    return container


def require_attach(session: Session, principal: Principal, container: Content) -> None:
    checks.require_space_permission(session, principal, container.space_id, "create", "attachment")
    checks.require_update_content(session, principal, container)


def add_attachments(
    session: Session,
    principal: Principal,
    store: BlobStore,
    container_id: int,
    status: str | None,
    upload: Upload,
    *,
    replace: bool,
) -> list[Content]:
    """POST (replace=False: an existing name is an error) and PUT (replace=True: a new version)."""
    container = container_for_upload(session, principal, container_id, status)
    _adopt(session, store, upload.writers)
    if not upload.files:
        raise BadRequest("The request has no file to attach: send it in a multipart part named 'file'")
    comments = upload.comments
    added: list[Content] = []
    if comments and len(comments) != len(upload.files):
        raise BadRequest("When comments are given, every file needs one, in the same order as the files")
    for index, uploaded in enumerate(upload.files):
        comment = comments[index] if comments else ""
        existing = repo.find_by_name(session, principal, container, uploaded.name)
        if existing is not None and not replace:
            raise BadRequest(
                f"Cannot add a new attachment with same file name as an existing attachment: {uploaded.name}"
            )
        if existing is None:
            attachment = _create(session, principal, container, uploaded, comment, upload.minor_edit)
        else:
            attachment = _new_version(session, principal, existing, uploaded, comment, upload.minor_edit)
        added.append(attachment)
        events.content_event(session, "created" if existing is None else "updated", attachment)
    content_changed(session, [a.id for a in added])
    return added


def update_data(
    session: Session,
    principal: Principal,
    store: BlobStore,
    container_id: int | None,
    attachment_id: int,
    upload: Upload,
) -> Content:
    """POST .../{attachmentId}/data: a new version of the bytes, whatever the uploaded file's name."""
    attachment = attachment_for_data_update(session, principal, container_id, attachment_id)
    _adopt(session, store, upload.writers)
    if len(upload.files) != 1:
        raise BadRequest("Send exactly one file, in a multipart part named 'file'")
    comments = upload.comments
    comment = comments[0] if comments else ""
    _new_version(session, principal, attachment, upload.files[0], comment, upload.minor_edit)
    content_changed(session, [attachment.id])
    events.content_event(session, "updated", attachment)
    return attachment


def attachment_for_data_update(
    session: Session, principal: Principal, container_id: int | None, attachment_id: int
) -> Content:
    """The attachment a caller may upload a new version of (404 invisible, 403 not allowed)."""
    attachment = get_attachment(session, principal, container_id, attachment_id)
    require_attach(session, principal, get_container(session, principal, attachment.parent_id or 0))
    return attachment


def get_attachment(session: Session, principal: Principal, container_id: int | None, attachment_id: int) -> Content:
    """A visible attachment, below the given container when one is named (else 404)."""
    attachment = repo.find_attachment(session, principal, attachment_id)
    if attachment is None or (container_id is not None and attachment.parent_id != container_id):
        raise content_repo.not_found(attachment_id)
    return attachment


def update_properties(
    session: Session, principal: Principal, container_id: int, attachment_id: int, data: AttachmentPropertiesUpdate
) -> Content:
    """PUT .../{attachmentId}: title, media type, comment, container; always a new version."""
    container = get_container(session, principal, container_id)
    attachment = get_attachment(session, principal, container.id, attachment_id)
    if data.type != "attachment":
        raise BadRequest(f"The content type must be attachment, not {data.type}")
    if data.id and data.id not in (str(attachment.id), f"att{attachment.id}"):
        raise BadRequest(f"The attachment id in the body ({data.id}) does not match the path ({attachment.id})")
    require_attach(session, principal, container)
    if data.version.number != attachment.version + 1:
        raise Conflict(f"Version must be incremented on update. Current version is: {attachment.version}")

    current = repo.get_version(session, attachment.id, attachment.version)
    if current is None:
        raise NotFound(f"No data for attachment {attachment.id}")
    extensions = data.extensions or {}
    media_type = (data.metadata.mediaType if data.metadata else None) or extensions.get("mediaType")
    comment = data.metadata.comment if data.metadata and data.metadata.comment is not None else None
    if comment is None and isinstance(extensions.get("comment"), str):
        comment = extensions["comment"]
    title = file_name(data.title) if data.title is not None else attachment.title

    target = container
    if data.container is not None and data.container.id not in (str(container.id), ""):
        target = _move_target(session, principal, data.container.id)
    if title != attachment.title or target.id != container.id:
        key = title_key("attachment", title, None, target.id)
        if content_repo.title_taken(session, target.space_id, key, exclude_id=attachment.id):
            raise BadRequest(f"Cannot add a new attachment with same file name as an existing attachment: {title}")
        attachment.title = title
        attachment.title_key = key
        attachment.space_id = target.space_id
        _flush_unique(session, title)
    if target.id != container.id:
        _rehang_leaf(session, attachment.id, target.id)
        attachment.parent_id = target.id
        attachment.position = content_repo.next_position(session, target.id, target.space_id)

    now = clock.now()
    attachment.version += 1
    session.add(
        ContentVersion(
            content_id=attachment.id,
            number=attachment.version,
            title=attachment.title,
            body="",
            message=comment if comment is not None else current.comment,
            minor_edit=False,
            author_id=principal.user_id,
            created_at=now,
        )
    )
    _flush_unique(session, attachment.title)
    session.add(
        AttachmentVersion(
            content_id=attachment.id,
            number=attachment.version,
            blob_sha256=current.blob_sha256,
            size=current.size,
            media_type=check_media_type(media_type) if media_type else current.media_type,
            comment=comment if comment is not None else current.comment,
            file_id=current.file_id,
        )
    )
    session.flush()
    content_changed(session, [attachment.id])
    events.content_event(session, "updated", attachment)
    return attachment


@dataclass
class Download:
    attachment: Content
    version: AttachmentVersion
    blob: Blob


def resolve_download(
    session: Session, principal: Principal, container_id: int, name: str, version: int | None
) -> Download:
    """The bytes behind /download/attachments/{containerId}/{name}?version=N (404 when invisible)."""
    container = get_container(session, principal, container_id)
    attachment = repo.find_by_name(session, principal, container, name)
    if attachment is None or attachment.status != "current":
        raise NotFound(f"No attachment named {name} on content {container_id}")
    return resolve_version(session, attachment, version, missing=NotFound)


def resolve_version(
    session: Session, attachment: Content, version: int | None, *, missing: type[Exception] = BadRequest
) -> Download:
    number = attachment.version if version is None else version
    if number < 1 or number > attachment.version:
        raise missing(f"Attachment {attachment.id} has no version {number}; its latest is {attachment.version}")
    found = repo.get_version(session, attachment.id, number)
    blob = repo.get_blob(session, found.blob_sha256) if found else None
    if found is None or blob is None:
        raise NotFound(f"Version {number} of attachment {attachment.id} no longer exists")
    return Download(attachment, found, blob)


def copy_attachments(session: Session, principal: Principal, source_id: int, target_id: int) -> list[Content]:
    """Copy the current version of every attachment of `source_id` onto `target_id` (copyPage's
    copyAttachments). No bytes move: the copies refer to the same blobs."""
    source = get_container(session, principal, source_id)
    target = get_container(session, principal, target_id)
    rows = repo.list_attachments(session, principal, source.id, filename=None, media_type=None, start=0, limit=10_000)
    versions = repo.versions_of_many(session, [(row.id, row.version) for row in rows])
    now = clock.now()
    copies = []
    for row in rows:
        current = versions.get((row.id, row.version))
        if current is None or repo.find_by_name(session, principal, target, row.title) is not None:
            continue
        copy = _attachment_row(session, principal, target, row.title, now)
        _add_version(
            session,
            principal,
            copy,
            current[0].blob_sha256,
            current[0].size,
            current[0].media_type,
            current[0].comment,
            False,
            now,
        )
        copies.append(copy)
    session.flush()
    content_changed(session, [c.id for c in copies])
    events.contents_event(session, "created", copies)
    return copies


def _rehang_leaf(session: Session, attachment_id: int, parent_id: int) -> None:
    """Closure rows for a node without descendants moving below another parent. (tree.move_subtree
    does the general case, but its cross join trips SQLAlchemy's cartesian-product lint.)"""
    session.execute(
        delete(ContentAncestor).where(
            ContentAncestor.descendant_id == attachment_id, ContentAncestor.ancestor_id != attachment_id
        )
    )
    above = select(ContentAncestor.ancestor_id, literal(attachment_id), ContentAncestor.depth + 1).where(
        ContentAncestor.descendant_id == parent_id
    )
    session.execute(insert(ContentAncestor).from_select(["ancestor_id", "descendant_id", "depth"], above))


def _move_target(session: Session, principal: Principal, raw_id: str) -> Content:
    from localfluence.content.service import parse_content_id

    target = content_repo.get_content(session, principal, parse_content_id(raw_id), ("current", "draft"))
    if target.type not in CONTAINER_TYPES:
        # Spec (updateAttachmentProperties): 403 when moved to an invalid content type.
        raise Forbidden(f"An attachment cannot be moved to a {target.type}")
    require_attach(session, principal, target)
    return target


def unknown_blobs(session: Session, writers: Sequence[BlobWriter]) -> list[BlobWriter]:
    """Writers holding bytes the store does not have yet: the ones worth staging."""
    known = repo.known_digests(session, {w.sha256 for w in writers})
    return [w for w in writers if w.sha256 not in known]


def _adopt(session: Session, store: BlobStore, writers: Sequence[BlobWriter]) -> None:
    """Record each uploaded blob. Bytes somebody already stored are dropped at once (with any
    copy staged for them); new ones are tied to the transaction: linked on commit, discarded otherwise."""
    now = clock.now()
    for writer in writers:
        if repo.insert_blob_if_absent(session, writer.sha256, writer.size, writer.key, now):
            hold(session, store, writer)
        else:
            store.discard(writer)


def _create(
    session: Session, principal: Principal, container: Content, uploaded: UploadedFile, comment: str, minor: bool
) -> Content:
    now = clock.now()
    attachment = _attachment_row(session, principal, container, uploaded.name, now)
    _add_uploaded_version(session, principal, attachment, uploaded, comment, minor, now)
    return attachment


def _attachment_row(session: Session, principal: Principal, container: Content, name: str, now: datetime) -> Content:
    attachment = Content(
        type="attachment",
        status="current",
        title=name,
        title_key=title_key("attachment", name, None, container.id),
        space_id=container.space_id,
        parent_id=container.id,
        position=content_repo.next_position(session, container.id, container.space_id),
        version=1,
        creator_id=principal.user_id,
        created_at=now,
    )
    session.add(attachment)
    _flush_unique(session, name)
    tree.attach(session, attachment.id, container.id)
    return attachment


def _new_version(
    session: Session,
    principal: Principal,
    attachment: Content,
    uploaded: UploadedFile,
    comment: str,
    minor: bool,
) -> Content:
    attachment.version += 1
    _add_uploaded_version(session, principal, attachment, uploaded, comment, minor, clock.now())
    return attachment


def _add_uploaded_version(
    session: Session,
    principal: Principal,
    attachment: Content,
    uploaded: UploadedFile,
    comment: str,
    minor: bool,
    now: datetime,
) -> None:
    writer = uploaded.writer
    _add_version(session, principal, attachment, writer.sha256, writer.size, uploaded.media_type, comment, minor, now)


def _add_version(
    session: Session,
    principal: Principal,
    attachment: Content,
    sha256: str,
    size: int,
    media_type: str,
    comment: str,
    minor: bool,
    now: datetime,
) -> None:
    session.add(
        ContentVersion(
            content_id=attachment.id,
            number=attachment.version,
            title=attachment.title,
            body="",
            message=comment,
            minor_edit=minor,
            author_id=principal.user_id,
            created_at=now,
        )
    )
    session.flush()
    session.add(
        AttachmentVersion(
            content_id=attachment.id,
            number=attachment.version,
            blob_sha256=sha256,
            size=size,
            media_type=media_type,
            comment=comment,
            file_id=str(uuid.uuid4()),
        )
    )
    session.flush()


def _flush_unique(session: Session, name: str) -> None:
    # A concurrent upload (or an attachment the caller cannot see) can hold the name; the unique
    # index decides, with the same 400 as the visible case.
    try:
        session.flush()
    except IntegrityError:
        raise BadRequest(f"Cannot add a new attachment with same file name as an existing attachment: {name}") from None


def _loaded_type(session: Session, content_id: int) -> str | None:
    row = session.identity_map.get(session.identity_key(Content, content_id))
    return row.type if row is not None else None


@on_content_changed
def _fill_metadata_versions(session: Session, ids: list[int]) -> None:
    """Versions made through the generic content API (rename via PUT /content/{id}, restore)
    keep the bytes of the version before them."""
    known = [written_type(session, i) or _loaded_type(session, i) for i in ids]
    if all(t is not None and t != "attachment" for t in known):
        # Every write calls this; page writes have their rows at hand and need no query.
        return
    missing = repo.versions_missing(session, ids)
    for content_id, number in missing:
        previous = repo.latest_version_before(session, content_id, number)
        if previous is None:
            continue
        session.add(
            AttachmentVersion(
                content_id=content_id,
                number=number,
                blob_sha256=previous.blob_sha256,
                size=previous.size,
                media_type=previous.media_type,
                comment=previous.comment,
                file_id=previous.file_id,
            )
        )
    if missing:
        session.flush()
