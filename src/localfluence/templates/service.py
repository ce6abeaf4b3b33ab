"""Template rules: global templates belong to site administrators, space templates to space
administrators; blueprint templates are built in and read-only."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.access.visibility import space_is_readable
from localfluence.content.service import storage_body
from localfluence.errors import BadRequest, Forbidden, NotFound
from localfluence.kit.clock import clock
from localfluence.kit.ids import stored_id
from localfluence.labels import service as labels
from localfluence.models import ContentTemplate, Space
from localfluence.spaces import repository as space_repo
from localfluence.templates.blueprints import BY_ID, Blueprint
from localfluence.templates.schemas import TemplateCreate, TemplateUpdate

TEMPLATE_TYPES = ("page",)


def _missing(template_id: str) -> str:
    # One message for a missing and an unreadable template (the spec answers both with 403 on reads).
    return f"There is no template with id {template_id}, or you do not have permission to view it"


def find_template(
    session: Session, principal: Principal, template_id: str
) -> tuple[ContentTemplate, Space | None] | None:
    """A page template the principal may read, with its space (None for global templates)."""
    db_id = stored_id(template_id)
    if db_id is None:
        return None
    template = session.get(ContentTemplate, db_id)
    if template is None:
        return None
    if template.space_id is None:
        return template, None
    space = session.scalar(select(Space).where(Space.id == template.space_id, space_is_readable(principal, Space.id)))
    return (template, space) if space is not None else None


def get_template(session: Session, principal: Principal, template_id: str) -> ContentTemplate | Blueprint:
    blueprint = BY_ID.get(template_id)
    if blueprint is not None:
        return blueprint
    found = find_template(session, principal, template_id)
    if found is None:
        raise Forbidden(_missing(template_id))
    return found[0]


def space_of(session: Session, template: ContentTemplate) -> Space | None:
    return session.get(Space, template.space_id) if template.space_id is not None else None


def _require_admin_of(session: Session, principal: Principal, space: Space | None) -> None:
    if space is None:
        if not principal.is_admin:
            checks.refuse(principal, "Only Confluence administrators can manage global templates")
        return
    if not checks.has_space_permission(session, principal, space.id, "administer", "space"):
        checks.refuse(principal, f"You need the space admin permission to manage templates of space {space.key}")


def _target_space(session: Session, principal: Principal, data: TemplateCreate) -> Space | None:
    if data.space is None:
        return None
    space = space_repo.find_space(session, principal, data.space.key)
    if space is None:
        # Spec (createContentTemplate): no 404; an unknown space is a space the caller cannot administer.
        checks.refuse(principal, f"Space does not exist or you cannot create templates in it: {data.space.key}")
    return space


def _validated(data: TemplateCreate) -> tuple[str, str, list[tuple[str, str]]]:
    if data.name is None or not data.name.strip():
        raise BadRequest("Template name cannot be null or empty")
    if data.templateType not in TEMPLATE_TYPES:
        raise BadRequest(f"Invalid template type: {data.templateType}. Only page templates can be created")
    body = storage_body(data.body)
    if body is None:
        raise BadRequest("A template needs a body: body.storage is required")
    pairs = labels.normalise_all([(lb.prefix, lb.name) for lb in data.labels]) if data.labels else []
    return data.name.strip(), body, pairs


def create_template(session: Session, principal: Principal, data: TemplateCreate) -> ContentTemplate:
    space = _target_space(session, principal, data)
    _require_admin_of(session, principal, space)
    name, body, pairs = _validated(data)
    now = clock.now()
    template = ContentTemplate(
        space_id=space.id if space else None,
        name=name,
        description=data.description,
        template_type=data.templateType,
        body=body,
        labels=json.dumps(labels.label_ids(session, pairs)),
        creator_id=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(template)
    session.flush()
    return template


def update_template(session: Session, principal: Principal, data: TemplateUpdate) -> ContentTemplate:
    if data.templateId in BY_ID:
        raise BadRequest("Blueprint templates cannot be updated via the REST API")
    found = find_template(session, principal, data.templateId)
    if found is None:
        # Spec (updateContentTemplate): 404 for a missing template.
        raise NotFound(_missing(data.templateId))
    template, space = found
    _require_admin_of(session, principal, space)
    given = data.space.key if data.space else None
    current = space.key if space else None
    if given != current and not (given and current and given.lower() == current.lower()):
        raise BadRequest("A template cannot move between spaces or between global and space templates")
    name, body, pairs = _validated(data)
    template.name = name
    template.description = data.description
    template.template_type = data.templateType
    template.body = body
    template.labels = json.dumps(labels.label_ids(session, pairs))
    template.updated_at = clock.now()
    session.flush()
    return template


def remove_template(session: Session, principal: Principal, template_id: str) -> None:
    if template_id in BY_ID:
        checks.refuse(principal, "Blueprint templates cannot be deleted")
    found = find_template(session, principal, template_id)
    if found is None:
        raise Forbidden(_missing(template_id))
    template, space = found
    _require_admin_of(session, principal, space)
    session.delete(template)
    session.flush()


def list_templates(
    session: Session, principal: Principal, space_key: str | None, start: int, limit: int
) -> list[ContentTemplate]:
    """Global templates without a space key, else that space's templates; one extra row tells
    whether another page exists."""
    query = select(ContentTemplate)
    if space_key is None:
        query = query.where(ContentTemplate.space_id.is_(None))
    else:
        query = query.where(ContentTemplate.space_id == readable_space(session, principal, space_key).id)
    return list(
        session.scalars(query.order_by(ContentTemplate.name, ContentTemplate.id).offset(start).limit(limit + 1))
    )


def readable_space(session: Session, principal: Principal, space_key: str) -> Space:
    space = space_repo.find_space(session, principal, space_key)
    if space is None:
        # Spec (getContentTemplates, getBlueprintTemplates): 403 when the space cannot be viewed.
        raise Forbidden(f"Space does not exist or you cannot view it: {space_key}")
    return space
