"""The storage corpus the converter tests run over, and a resolver that knows every reference."""

from __future__ import annotations

from pathlib import Path

from localfluence.xhtml.references import FileTarget, Needs, PageRef, Resolved, SpaceTarget, Target, UserTarget
from localfluence.xhtml.storage import parse

CORPUS = Path(__file__).parent / "corpus"
NAMES = sorted(p.stem for p in CORPUS.glob("*.xml"))


def document(name: str) -> str:
    return (CORPUS / f"{name}.xml").read_text()


def every_document() -> list[str]:
    return [document(name) for name in NAMES]


def page_target(ref: PageRef, number: int) -> Target:
    key = ref.space_key or "ENG"
    return Target(number, ref.kind, ref.title, key, f"/spaces/{key}/pages/{number}/{ref.title.replace(' ', '+')}")


def resolve_all(needs: Needs, base: str = "/wiki") -> Resolved:
    """A Resolved in which every reference exists and is visible."""
    resolved = Resolved(base=base, current=Target(1, "page", "Current", "ENG", "/spaces/ENG/pages/1/Current"))
    number = 100
    for ref in sorted(needs.pages | needs.includes | needs.excerpts):
        number += 1
        resolved.pages[ref] = page_target(ref, number)
    for ref in needs.includes:
        resolved.includes[ref] = (resolved.pages[ref], f"<p>Included from {ref.title}</p>")
    for ref in needs.excerpts:
        resolved.excerpts[ref] = (resolved.pages[ref], f"<p>Excerpt of {ref.title}</p>")
    for attachment in sorted(needs.attachments):
        number += 1
        owner = 1 if attachment.owner is None else resolved.pages[attachment.owner].id
        path = f"/download/attachments/{owner}/{attachment.filename}?version=1&api=v2"
        resolved.attachments[attachment] = FileTarget(number, owner, attachment.filename, 1, path)
    for account in needs.users:
        resolved.users[account] = UserTarget(account, f"User {account[-4:]}")
    for key in needs.spaces:
        resolved.spaces[key] = SpaceTarget(key, f"Space {key}")
    for content_id in needs.content_ids:
        resolved.contents[content_id] = Target(content_id, "page", f"Page {content_id}", "ENG", f"/x/{content_id}")
    child = Target(50, "page", "Child page", "ENG", "/spaces/ENG/pages/50/Child+page")
    grandchild = Target(51, "page", "Grandchild page", "ENG", "/spaces/ENG/pages/51/Grandchild+page")
    for key in needs.children:
        resolved.children[key] = [(child, 1), (grandchild, 2)]
    image = FileTarget(60, 1, "photo.png", 2, "/download/attachments/1/photo.png?version=2&api=v2")
    for owner in needs.attachment_lists:
        resolved.attachment_lists[owner] = [image]
    for query in needs.label_queries:
        resolved.label_lists[query] = [Target(70, "page", "Labelled page", "ENG", "/spaces/ENG/pages/70/L")]
    for key in needs.recently_updated:
        resolved.recently_updated[key] = [Target(80, "page", "Recent page", "ENG", "/spaces/ENG/pages/80/R")]
    return resolved


def parsed(name: str):  # type: ignore[no-untyped-def]
    return parse(document(name))
