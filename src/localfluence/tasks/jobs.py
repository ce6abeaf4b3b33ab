"""What each kind of long-running task does. A job has two halves: `check` runs in the submitting
request (cheap: the lookups and permission checks that turn bad input into 4xx at once) and the
work, which runs in the worker as the submitting principal (repeating the checks: what was allowed
at submission may not be any more). The work is either `run`, one transaction that does it all, or
`step`, called again and again, each call a bounded slice in its own transaction that commits
together with the task's progress: the status shows the percentage as it grows, the lease is renewed
with every slice, and a task resumed after a crash continues from the last committed slice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.errors import BadRequest

# (messages, result) of a finished job.
Outcome = tuple[list[str], dict[str, Any]]


@dataclass
class Progress:
    """Where a stepped job stands after a slice: `result` is kept with the task (and handed to the
    next slice), `message` says how far it got."""

    result: dict[str, Any]
    percentage: int
    message: str
    finished: bool = False


Check = Callable[[Session, Principal, dict[str, Any]], None]
Run = Callable[[Session, Principal, dict[str, Any]], Outcome]
StepFn = Callable[[Session, Principal, dict[str, Any], dict[str, Any]], Progress]
# Tidies up what a failed task leaves behind (its message given), in the failing transaction.
OnFailed = Callable[[Session, dict[str, Any], str], None]


def _nothing_to_check(session: Session, principal: Principal, params: dict[str, Any]) -> None:
    return None


@dataclass(frozen=True)
class Job:
    name: str
    check: Check
    run: Run | None = None
    step: StepFn | None = None
    on_failed: OnFailed | None = None
    # Whether the anonymous user may start it (body conversions); others need a user who can act.
    anonymous: bool = False


def _check_delete_space(session: Session, principal: Principal, params: dict[str, Any]) -> None:
    from localfluence.spaces import repository as spaces

    space = spaces.get_space(session, principal, params["spaceKey"])
    checks.require_space_permission(session, principal, space.id, "administer", "space")


def _run_delete_space(session: Session, principal: Principal, params: dict[str, Any]) -> Outcome:
    from localfluence.spaces import service

    space = service.delete_space(session, principal, params["spaceKey"])
    return [f"Deleted space {space.key}"], {"spaceKey": space.key}


def _check_trash_tree(session: Session, principal: Principal, params: dict[str, Any]) -> None:
    from localfluence.content import repository as repo

    root = repo.get_content(session, principal, params["id"], ("current",))
    if root.type != "page":
        raise BadRequest("Only a page tree can be deleted this way")
    checks.require_space_permission(session, principal, root.space_id, "delete", "page")


def _run_trash_tree(session: Session, principal: Principal, params: dict[str, Any]) -> Outcome:
    from localfluence.content import service

    count = service.trash_tree(session, principal, params["id"])
    return [f"Trashed {count} pages"], {"trashedPages": count}


def _check_archive(session: Session, principal: Principal, params: dict[str, Any]) -> None:
    from localfluence.content import repository as repo

    for content_id in dict.fromkeys(params["ids"]):
        page = repo.get_content(session, principal, content_id, ("current", "archived"))
        if page.type != "page":
            raise BadRequest(f"Only pages can be archived: {content_id}")
        if page.status == "archived":
            raise BadRequest(f"Page {content_id} is already archived")
        checks.require_space_permission(session, principal, page.space_id, "archive", "page")


def _run_archive(session: Session, principal: Principal, params: dict[str, Any]) -> Outcome:
    from localfluence.content import service

    count = service.archive_pages(session, principal, params["ids"])
    return [f"Archived {count} pages"], {"archivedPages": count}


def _check_copy_hierarchy(session: Session, principal: Principal, params: dict[str, Any]) -> None:
    # Title clashes are only known by walking the tree, so the check is a dry run rolled back to a
    # savepoint: the request answers 400 "already exists" as before, and nothing is written.
    savepoint = session.begin_nested()
    try:
        _run_copy_hierarchy(session, principal, params)
    finally:
        savepoint.rollback()


def _run_copy_hierarchy(session: Session, principal: Principal, params: dict[str, Any]) -> Outcome:
    from localfluence.content import copying
    from localfluence.content.schemas import CopyPageHierarchy

    body = CopyPageHierarchy.model_validate(params["body"])
    root, count = copying.copy_page_hierarchy(session, principal, params["id"], body)
    return [f"Copied {count} pages"], {"rootContentId": str(root.id), "copiedPages": count}


def _step_content_states(session: Session, principal: Principal, params: dict[str, Any], done: dict) -> Progress:
    from localfluence.states import service

    return service.bulk_step(session, principal, params, done)


def _run_conversion(session: Session, principal: Principal, params: dict[str, Any]) -> Outcome:
    from localfluence.contentbody import service

    service.run_conversion(session, principal, params)
    return ["Converted"], {}


def _conversion_failed(session: Session, params: dict[str, Any], message: str) -> None:
    from localfluence.contentbody import service

    service.conversion_failed(session, params, message)


JOBS: dict[str, Job] = {
    "space.delete": Job("com.atlassian.confluence.space.delete", _check_delete_space, run=_run_delete_space),
    "pages.delete.tree": Job("com.atlassian.confluence.pages.delete.tree", _check_trash_tree, run=_run_trash_tree),
    "pages.archive": Job("com.atlassian.confluence.pages.archive", _check_archive, run=_run_archive),
    "pages.copy.hierarchy": Job(
        "com.atlassian.confluence.pages.copy.hierarchy", _check_copy_hierarchy, run=_run_copy_hierarchy
    ),
    "contentstate.bulk.set": Job(
        "com.atlassian.confluence.contentstate.bulk.set", _nothing_to_check, step=_step_content_states
    ),
    "contentstate.bulk.remove": Job(
        "com.atlassian.confluence.contentstate.bulk.remove", _nothing_to_check, step=_step_content_states
    ),
    "contentbody.convert": Job(
        "com.atlassian.confluence.contentbody.convert.async",
        _nothing_to_check,
        run=_run_conversion,
        on_failed=_conversion_failed,
        anonymous=True,
    ),
}
