"""What the rest of the system learns from a body on save, from one parse: mentioned users, links
to other content, macros used, inline tasks, plain text for the search index and an excerpt."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from localfluence.xhtml.references import AttachmentRef, PageRef, attachment_ref, content_id, link_target, page_ref
from localfluence.xhtml.storage import ac, iter_macros, parse, ri
from localfluence.xhtml.tasks import TaskInfo, read_tasks
from localfluence.xhtml.text import excerpt, plain_text


@dataclass
class Extraction:
    text: str = ""
    excerpt: str = ""
    mentions: set[str] = field(default_factory=set)  # account ids
    pages: set[PageRef] = field(default_factory=set)
    attachments: set[AttachmentRef] = field(default_factory=set)
    spaces: set[str] = field(default_factory=set)
    content_ids: set[int] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    macros: set[str] = field(default_factory=set)
    tasks: list[TaskInfo] = field(default_factory=list)


def extract(storage: str, space_key: str | None, tree: etree._Element | None = None) -> Extraction:
    """`tree`: parse(storage) when the caller has it (xhtml.storage.Saved.root)."""
    if not storage.strip():
        return Extraction()
    return extract_tree(parse(storage) if tree is None else tree, space_key)


def extract_tree(root: etree._Element, space_key: str | None) -> Extraction:
    text = plain_text(root)
    found = Extraction(text=text, excerpt=excerpt(root, text=text))
    for element in root.iter(ac("link"), ac("image")):
        target = link_target(element)
        if target is None:
            continue
        tag = target.tag
        if tag == ri("user") and element.tag == ac("link"):
            account = target.get(ri("account-id")) or target.get(ri("userkey"))
            if account:
                found.mentions.add(account)
        elif tag in (ri("page"), ri("blog-post")):
            ref = page_ref(target, space_key)
            if ref is not None:
                found.pages.add(ref)
        elif tag == ri("attachment"):
            attachment = attachment_ref(target, space_key, None)
            if attachment is not None:
                found.attachments.add(attachment)
        elif tag == ri("space"):
            if target.get(ri("space-key")):
                found.spaces.add(target.get(ri("space-key"), ""))
        elif tag == ri("content-entity"):
            number = content_id(target)
            if number is not None:
                found.content_ids.add(number)
        elif tag == ri("url") and target.get(ri("value")):
            found.urls.add(target.get(ri("value"), ""))
    for anchor in root.iter("a"):
        if anchor.get("href"):
            found.urls.add(anchor.get("href", ""))
    for element in iter_macros(root):
        name = (element.get(ac("name")) or "").strip().lower()
        if name:
            found.macros.add(name)
    found.tasks = read_tasks(root)
    return found
