"""Publishing blueprint drafts (PUT/POST /content/blueprint/instance/{draftId}): a never-published
draft page becomes version 1 of a current page, as the editor's Publish button does."""

from __future__ import annotations

from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.content import repository as content_repo
from localfluence.content import service as content_service
from localfluence.content.schemas import ContentRef, ContentUpdate, VersionIn
from localfluence.errors import BadRequest, Conflict
from localfluence.models import Content
from localfluence.templates.schemas import BlueprintDraft


def publish_draft(
    session: Session, principal: Principal, draft_id: str, data: BlueprintDraft, status: str | None
) -> Content:
    if status not in (None, "draft"):
        raise BadRequest(f"Only drafts can be published from a blueprint instance, not status: {status}")
    if data.type != "page":
        raise BadRequest(f"Blueprint drafts are pages; invalid content type: {data.type}")
    if data.status not in (None, "current"):
        raise BadRequest(f"A published draft becomes current; invalid status: {data.status}")
    if data.title is None or not data.title.strip():
        raise BadRequest("Title cannot be empty")
    if data.ancestors and data.space is None:
        raise BadRequest("A space is required when an ancestor is given")
    draft = content_repo.get_content(session, principal, content_service.parse_content_id(draft_id), ("draft",))
    if draft.type != "page":
        raise content_repo.not_found(draft.id)
    # Spec (publishSharedDraft): the version must be set to 1, the draft's only version.
    if data.version.number != 1:
        raise Conflict(f"Version must be 1 to publish a draft; got {data.version.number}")
    if data.space is not None:
        space = content_repo.space_of(session, draft)
        if data.space.key.lower() != space.key.lower():
            raise BadRequest(f"The draft belongs to space {space.key}; it cannot be published to {data.space.key}")
    update = ContentUpdate(
        version=VersionIn(number=1),
        title=data.title,
        type="page",
        status="current",
        ancestors=[ContentRef(id=a.id) for a in data.ancestors] if data.ancestors else None,
    )
    return content_service.update_content(session, principal, draft.id, update, "current")
