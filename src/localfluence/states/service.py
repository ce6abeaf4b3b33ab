"""Content state rules.

Every space suggests the same three states (ids 0-2, Confluence's defaults); content states and
custom states are always allowed (there is no API to change a space's state settings). A custom
state belongs to the user who made it; its public id is CUSTOM_ID_BASE + its row id, so it never
collides with the suggested ids. Setting or removing the state of the published ("current") side
publishes a new version with the same body, as Confluence does."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.access.visibility import content_is_visible
from localfluence.changes import content_changed
from localfluence.content import repository as content_repo
from localfluence.errors import BadRequest, Conflict, NotFound
from localfluence.kit.clock import clock
from localfluence.models import Content, ContentStateAssignment, ContentVersion, CustomContentState, LongTask
from localfluence.tasks import service as tasks
from localfluence.tasks.jobs import Progress

CUSTOM_ID_BASE = 1000
MAX_NAME = 20
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_BULK = 300
RECENT_CUSTOM = 3
# Contents a bulk task changes per transaction (each publishes a version).
BULK_SLICE = 20
# The statuses a content state can be read on (and the contents a bulk task may name).
ALL_STATUSES = ("current", "draft", "archived")
BULK_SET_TASK = "com.atlassian.confluence.contentstate.bulk.set"
BULK_REMOVE_TASK = "com.atlassian.confluence.contentstate.bulk.remove"


@dataclass(frozen=True)
class State:
    id: int
    name: str
    color: str

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "color": self.color}


SPACE_STATES = (
    State(0, "Rough draft", "#ffc400"),
    State(1, "In progress", "#2684ff"),
    State(2, "Ready for review", "#57d9a3"),
)


def space_settings(session: Session, principal: Principal, space_id: int) -> dict[str, Any]:
    """A space's content-state settings: shown to its administrators only, as in Confluence."""
    checks.require_space_permission(session, principal, space_id, "administer", "space")
    return {
        "contentStatesAllowed": True,
        "customContentStatesAllowed": True,
        "spaceContentStatesAllowed": True,
        "spaceContentStates": [s.json() for s in SPACE_STATES],
    }


def _custom(row: CustomContentState) -> State:
    return State(CUSTOM_ID_BASE + row.id, row.name, row.color)


def custom_states(session: Session, principal: Principal, limit: int | None = None) -> list[State]:
    if principal.is_anonymous:
        return []
    query = (
        select(CustomContentState)
        .where(CustomContentState.owner_id == principal.user_id)
        .order_by(CustomContentState.last_used_at.desc(), CustomContentState.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [_custom(r) for r in session.scalars(query)]


def side(status: str | None, *, allow_archived: bool) -> str:
    """Which side of the content a state sits on: the draft, or the published version."""
    status = status or "current"
    allowed = ("current", "draft", "archived") if allow_archived else ("current", "draft")
    if status not in allowed:
        raise BadRequest(f"Invalid status: {status}; use one of {', '.join(allowed)}")
    return "draft" if status == "draft" else "current"


def readable(session: Session, principal: Principal, content_id: int) -> Content:
    return content_repo.get_content(session, principal, content_id, ALL_STATUSES)


def editable(session: Session, principal: Principal, content_id: int) -> Content:
    content = content_repo.get_content(session, principal, content_id, ALL_STATUSES)
    checks.require_edit_content(session, principal, content)
    return content


def state_of(session: Session, content_id: int, which: str) -> ContentStateAssignment | None:
    return session.get(ContentStateAssignment, (content_id, which))


def response(assignment: ContentStateAssignment | None) -> dict[str, Any]:
    from localfluence.kit.clock import iso

    if assignment is None:
        return {"contentState": None, "lastUpdated": None}
    return {
        "contentState": State(assignment.state_id, assignment.name, assignment.color).json(),
        "lastUpdated": iso(assignment.updated_at),
    }


def resolve_input(session: Session, principal: Principal, body: Any) -> State:
    """An existing state by id, or the best match for a name and colour (made if new)."""
    if not isinstance(body, dict):
        raise BadRequest("A content state (id, or name and color) is required")
    if body.get("id") is not None:
        try:
            wanted = int(body["id"])
        except (TypeError, ValueError):
            raise BadRequest(f"Invalid content state id: {body['id']}") from None
        for state in SPACE_STATES:
            if state.id == wanted:
                return state
        row = session.get(CustomContentState, wanted - CUSTOM_ID_BASE) if wanted >= CUSTOM_ID_BASE else None
        if row is None or row.owner_id != principal.user_id:
            raise BadRequest(f"No content state with id {wanted} is available to you")
        row.last_used_at = clock.now()
        return _custom(row)
    name, color = body.get("name"), body.get("color")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        raise BadRequest(f"A content state name is required, at most {MAX_NAME} characters")
    if not isinstance(color, str) or not COLOR.match(color):
        raise BadRequest("A content state color must be a 6-digit hex colour such as #2684ff")
    name, color = name.strip(), color.lower()
    for state in SPACE_STATES:
        if state.name == name and state.color == color:
            return state
    if principal.is_anonymous:
        checks.refuse(principal, "You must be logged in to use custom content states")
    row = session.scalar(
        select(CustomContentState).where(
            CustomContentState.owner_id == principal.user_id,
            CustomContentState.name == name,
            CustomContentState.color == color,
        )
    )
    if row is None:
        assert principal.user_id is not None
        row = CustomContentState(owner_id=principal.user_id, name=name, color=color, last_used_at=clock.now())
        session.add(row)
        session.flush()
    else:
        row.last_used_at = clock.now()
    return _custom(row)


def _states_of(session: Session, ids: Sequence[int], which: str) -> dict[int, ContentStateAssignment]:
    rows = session.scalars(
        select(ContentStateAssignment).where(
            ContentStateAssignment.content_id.in_(ids), ContentStateAssignment.status == which
        )
    )
    return {row.content_id: row for row in rows}


def _publish_same_bodies(session: Session, principal: Principal, contents: Sequence[Content], message: str) -> None:
    if not contents:
        return
    current = content_repo.versions_of_many(session, [(c.id, c.version) for c in contents])
    published = []
    for content in contents:
        body = current.get((content.id, content.version))
        content.version += 1
        published.append(
            {
                "content_id": content.id,
                "number": content.version,
                "title": content.title,
                "body": body.body if body else "",
                "message": message,
                "author_id": principal.user_id,
                "created_at": clock.now(),
            }
        )
    # One multi-row INSERT: added as objects, each would be inserted on its own to read its id back.
    try:
        session.execute(insert(ContentVersion), published)
    except IntegrityError:
        # Another writer stored one of these versions meanwhile; the unique (content, number)
        # decides, as for any update (content.service._add_version).
        raise Conflict("A content was updated by another request meanwhile; retry") from None


def _publishes(which: str, content: Content) -> bool:
    return which == "current" and content.status != "draft"


def apply(session: Session, principal: Principal, content: Content, which: str, state: State) -> ContentStateAssignment:
    return apply_many(session, principal, [content], which, state)[content.id]


def apply_many(
    session: Session, principal: Principal, contents: Sequence[Content], which: str, state: State
) -> dict[int, ContentStateAssignment]:
    """Set the state on each content's side, in a fixed number of statements however many there are."""
    if not contents:
        return {}
    assignments = _states_of(session, [c.id for c in contents], which)
    now = clock.now()
    for content in contents:
        assignment = assignments.get(content.id)
        if assignment is None:
            assignments[content.id] = ContentStateAssignment(
                content_id=content.id,
                status=which,
                state_id=state.id,
                name=state.name,
                color=state.color,
                updated_at=now,
            )
            session.add(assignments[content.id])
        else:
            assignment.state_id, assignment.name, assignment.color, assignment.updated_at = (
                state.id,
                state.name,
                state.color,
                now,
            )
    publishing = [c for c in contents if _publishes(which, c)]
    _publish_same_bodies(session, principal, publishing, f"Content state set to {state.name}")
    content_changed(session, [c.id for c in contents])
    return assignments


def clear(session: Session, principal: Principal, content: Content, which: str) -> None:
    clear_many(session, principal, [content], which)


def clear_many(session: Session, principal: Principal, contents: Sequence[Content], which: str) -> None:
    """Remove the state from each content's side (those without one are left as they are)."""
    if not contents:
        return
    assignments = _states_of(session, [c.id for c in contents], which)
    cleared = [c for c in contents if c.id in assignments]
    for content in cleared:
        session.delete(assignments[content.id])
    _publish_same_bodies(session, principal, [c for c in cleared if _publishes(which, c)], "Content state removed")
    content_changed(session, [c.id for c in cleared])


# --- bulk -------------------------------------------------------------------------------------------


def bulk_ids(raw: Any) -> list[int]:
    from localfluence.content.service import parse_content_id

    if not isinstance(raw, list) or not raw:
        raise BadRequest("ids: at least one content id is required")
    if len(raw) > MAX_BULK:
        raise BadRequest(f"ids: at most {MAX_BULK} content ids can be passed at once")
    return list(dict.fromkeys(parse_content_id(str(i)) for i in raw))


def bulk(session: Session, principal: Principal, ids: Sequence[int], which: str, state: State | None) -> LongTask:
    """Queue a task that sets (state given) or removes the states; all ids must be visible now
    (else 404 and nothing is queued). The worker does it a slice at a time (bulk_step)."""
    if principal.is_anonymous:
        checks.refuse(principal, "You must be logged in to change content states")
    found = content_repo.find_contents(session, principal, ids, ALL_STATUSES)
    for content_id in ids:
        if content_id not in found:
            raise content_repo.not_found(content_id)
    kind = "contentstate.bulk.set" if state is not None else "contentstate.bulk.remove"
    params = {"ids": list(ids), "status": which, "state": state.json() if state is not None else None}
    return tasks.submit(session, principal, kind, params)


def bulk_step(session: Session, principal: Principal, params: dict[str, Any], done: dict[str, Any]) -> Progress:
    """One slice of a bulk task: the next BULK_SLICE contents after those already done. Contents the
    caller may not edit (or no longer see) are reported as failed; the others are set."""
    ids: list[int] = params["ids"]
    which: str = params["status"]
    state = State(**params["state"]) if params["state"] is not None else None
    set_ids: list[str] = list(done.get("set", []))
    failed: list[dict[str, str]] = list(done.get("failed", []))
    start = len(set_ids) + len(failed)
    chunk = ids[start : start + BULK_SLICE]
    found = content_repo.find_contents(session, principal, chunk, ALL_STATUSES)
    refused = checks.edit_refusals(session, principal, list(found.values()))
    changing = []
    for content_id in chunk:
        content = found.get(content_id)
        if content is None:
            failed.append({"contentId": str(content_id), "failureReason": content_repo.not_found(content_id).message})
        elif content_id in refused:
            failed.append({"contentId": str(content_id), "failureReason": refused[content_id]})
        else:
            changing.append(content)
            set_ids.append(str(content_id))
    if state is None:
        clear_many(session, principal, changing, which)
    else:
        apply_many(session, principal, changing, which, state)
    count = len(set_ids) + len(failed)
    verb = "set" if state is not None else "removed"
    return Progress(
        result={"set": set_ids, "failed": failed, "state": params["state"]},
        percentage=count * 100 // len(ids),
        message=f"Content state {verb} on {len(set_ids)} of {len(ids)} contents",
        finished=count >= len(ids),
    )


def task_update(session: Session, principal: Principal, task_id: str) -> dict[str, Any]:
    task = tasks.get_task(session, principal, task_id)
    if task.name not in (BULK_SET_TASK, BULK_REMOVE_TASK):
        raise NotFound(f"No content state task found with id: {task_id}")
    result = json.loads(task.result)
    messages = json.loads(task.messages)
    update: dict[str, Any] = {
        "set": result.get("set", []),
        "failed": result.get("failed", []),
        "percentage": task.percentage,
        "message": messages[-1] if messages else "",
        "success": task.finished and task.successful and not result.get("failed"),
    }
    state = result.get("state") or json.loads(task.params).get("state")
    if state:
        update["state"] = state
    return update


def contents_with_state(
    session: Session, principal: Principal, space_id: int, state_id: int, *, start: int, limit: int
) -> list[Content]:
    query = (
        select(Content)
        .join(ContentStateAssignment, ContentStateAssignment.content_id == Content.id)
        .where(
            content_is_visible(principal),
            Content.space_id == space_id,
            Content.status == "current",
            ContentStateAssignment.status == "current",
            ContentStateAssignment.state_id == state_id,
        )
        .order_by(Content.id)
    )
    return list(session.scalars(query.offset(start).limit(limit + 1)))
