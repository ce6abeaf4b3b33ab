"""Inline tasks (ac:task) of a storage document: reading them, and completing or reopening one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lxml import etree

from localfluence.xhtml.storage import ac, inner_storage, is_element, parse, ri, serialize_as_written, task_id_of
from localfluence.xhtml.text import plain_text


@dataclass(frozen=True)
class TaskInfo:
    task_id: int
    complete: bool
    body: str  # storage of the task body
    text: str
    assignee: str | None  # account id of the first mention
    due: date | None  # the first date in the body


def read_tasks(root: etree._Element) -> list[TaskInfo]:
    out: list[TaskInfo] = []
    seen: set[int] = set()
    for task in root.iter(ac("task")):
        number = task_id_of(task)
        if number is None or number in seen:
            continue
        seen.add(number)
        status = ""
        body: etree._Element | None = None
        for child in task:
            if not is_element(child):
                continue
            if child.tag == ac("task-status"):
                status = (child.text or "").strip()
            elif child.tag == ac("task-body"):
                body = child
        out.append(
            TaskInfo(
                task_id=number,
                complete=status == "complete",
                body=inner_storage(body) if body is not None else "",
                text=plain_text(body) if body is not None else "",
                assignee=_first_mention(body),
                due=_first_date(body),
            )
        )
    return out


def _own(body: etree._Element | None, *tags: str) -> list[etree._Element]:
    """Elements of a task body that are not inside a nested task list (those belong to subtasks)."""
    if body is None:
        return []
    found = []
    for element in body.iter(*tags):
        ancestor = element.getparent()
        while ancestor is not None and ancestor is not body and ancestor.tag != ac("task-list"):
            ancestor = ancestor.getparent()
        if ancestor is body:
            found.append(element)
    return found


def _first_mention(body: etree._Element | None) -> str | None:
    for user in _own(body, ri("user")):
        parent = user.getparent()
        if parent is not None and parent.tag == ac("link"):
            return user.get(ri("account-id")) or user.get(ri("userkey"))
    return None


def _first_date(body: etree._Element | None) -> date | None:
    for element in _own(body, "time"):
        try:
            return date.fromisoformat((element.get("datetime") or "").strip()[:10])
        except ValueError:
            continue
    return None


def set_task_status(storage: str, task_id: int, complete: bool) -> str | None:
    """The storage with one task's status changed, or None when the document has no such task."""
    root = parse(storage)
    for task in root.iter(ac("task")):
        if task_id_of(task) != task_id:
            continue
        status = next((c for c in task if is_element(c) and c.tag == ac("task-status")), None)
        if status is None:
            status = etree.SubElement(task, ac("task-status"))
            body = next((c for c in task if is_element(c) and c.tag == ac("task-body")), None)
            if body is not None:
                body.addprevious(status)
        status.text = "complete" if complete else "incomplete"
        return serialize_as_written(root, storage)
    return None
