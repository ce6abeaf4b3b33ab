"""What each kind of long-running task does. A job has two halves: `check` runs in the submitting
request (cheap: the lookups and permission checks that turn bad input into 4xx at once) and `run`
runs in the worker, as the submitting principal, in the worker's transaction (it repeats the
checks: what was allowed at submission may not be any more)."""

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


@dataclass(frozen=True)
class Job:
    name: str
    check: Callable[[Session, Principal, dict[str, Any]], None]
    run: Callable[[Session, Principal, dict[str, Any]], Outcome]


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


JOBS: dict[str, Job] = {
    "space.delete": Job("com.atlassian.confluence.space.delete", _check_delete_space, _run_delete_space),
    "pages.delete.tree": Job("com.atlassian.confluence.pages.delete.tree", _check_trash_tree, _run_trash_tree),
    "pages.archive": Job("com.atlassian.confluence.pages.archive", _check_archive, _run_archive),
    "pages.copy.hierarchy": Job(
        "com.atlassian.confluence.pages.copy.hierarchy", _check_copy_hierarchy, _run_copy_hierarchy
    ),
}
