"""What a storage document refers to (pages, files, people, spaces, included bodies) and what
those references resolved to for one viewer. Rendering is a pure function of the document and
a Resolved, so a rendering can be cached under the Resolved's fingerprint."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from lxml import etree

from localfluence.xhtml.storage import RI, ac, iter_macros, macro_of, ri

# Macros whose rendering depends on other content.
INCLUDE_MACROS = frozenset(("include",))
EXCERPT_INCLUDE_MACROS = frozenset(("excerpt-include",))
CHILDREN_MACROS = frozenset(("children", "pagetree"))
ATTACHMENT_LIST_MACROS = frozenset(("attachments", "gallery"))
LABEL_MACROS = frozenset(("contentbylabel",))
RECENT_MACROS = frozenset(("recently-updated",))
MAX_LISTED = 50


@dataclass(frozen=True, order=True)
class PageRef:
    """A page or blog post named by space and title (storage never names pages by id)."""

    space_key: str | None
    title: str
    kind: str = "page"  # "page" or "blogpost"
    posting_day: str | None = None  # blog posts: yyyy/mm/dd


@dataclass(frozen=True, order=True)
class AttachmentRef:
    filename: str
    owner: PageRef | None = None  # None: the content being rendered


@dataclass(frozen=True, order=True)
class LabelQuery:
    labels: tuple[str, ...]
    space_keys: tuple[str, ...] | None  # None: every space


@dataclass(frozen=True, order=True)
class Target:
    """Content the viewer may see."""

    id: int
    type: str
    title: str
    space_key: str
    path: str  # webui path below the context (/spaces/KEY/pages/ID/Title)


@dataclass(frozen=True, order=True)
class FileTarget:
    id: int
    page_id: int
    filename: str
    version: int
    path: str  # download path below the context
    media_type: str = ""


@dataclass(frozen=True, order=True)
class UserTarget:
    account_id: str
    display_name: str


@dataclass(frozen=True, order=True)
class SpaceTarget:
    key: str
    name: str


@dataclass
class Needs:
    pages: set[PageRef] = field(default_factory=set)
    attachments: set[AttachmentRef] = field(default_factory=set)
    users: set[str] = field(default_factory=set)
    spaces: set[str] = field(default_factory=set)
    content_ids: set[int] = field(default_factory=set)
    includes: set[PageRef] = field(default_factory=set)
    excerpts: set[PageRef] = field(default_factory=set)
    # (parent, depth); parent None: the content being rendered.
    children: set[tuple[PageRef | None, int]] = field(default_factory=set)
    attachment_lists: set[PageRef | None] = field(default_factory=set)
    label_queries: set[LabelQuery] = field(default_factory=set)
    # (space keys or None for every space, max results)
    recently_updated: set[tuple[tuple[str, ...] | None, int]] = field(default_factory=set)

    def merge(self, other: Needs) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).update(getattr(other, name))

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass
class Resolved:
    """Everything rendering may show of other content, already filtered by visibility."""

    base: str = ""  # prefix of site links: the context path (view) or the absolute base (export)
    current: Target | None = None
    pages: dict[PageRef, Target] = field(default_factory=dict)
    attachments: dict[AttachmentRef, FileTarget] = field(default_factory=dict)
    users: dict[str, UserTarget] = field(default_factory=dict)
    spaces: dict[str, SpaceTarget] = field(default_factory=dict)
    contents: dict[int, Target] = field(default_factory=dict)
    includes: dict[PageRef, tuple[Target, str]] = field(default_factory=dict)
    excerpts: dict[PageRef, tuple[Target, str | None]] = field(default_factory=dict)
    children: dict[tuple[PageRef | None, int], list[tuple[Target, int]]] = field(default_factory=dict)
    attachment_lists: dict[PageRef | None, list[FileTarget]] = field(default_factory=dict)
    label_lists: dict[LabelQuery, list[Target]] = field(default_factory=dict)
    recently_updated: dict[tuple[tuple[str, ...] | None, int], list[Target]] = field(default_factory=dict)

    def fingerprint(self) -> str:
        digest = hashlib.blake2b(digest_size=16)
        digest.update(repr((self.base, self.current)).encode())
        for name in (
            "pages",
            "attachments",
            "users",
            "spaces",
            "contents",
            "includes",
            "excerpts",
            "children",
            "attachment_lists",
            "label_lists",
            "recently_updated",
        ):
            values: dict = getattr(self, name)  # type: ignore[type-arg]
            digest.update(name.encode())
            for item in sorted(repr(kv) for kv in values.items()):
                digest.update(item.encode())
        return digest.hexdigest()


def page_ref(element: etree._Element, space_key: str | None) -> PageRef | None:
    """A ri:page or ri:blog-post as a PageRef; no space key means the document's own space."""
    if element.tag == ri("page"):
        title = element.get(ri("content-title"))
        if not title:
            return None
        return PageRef(element.get(ri("space-key")) or space_key, title)
    if element.tag == ri("blog-post"):
        title = element.get(ri("content-title"))
        if not title:
            return None
        return PageRef(element.get(ri("space-key")) or space_key, title, "blogpost", element.get(ri("posting-day")))
    return None


def attachment_ref(element: etree._Element, space_key: str | None, owner: PageRef | None) -> AttachmentRef | None:
    filename = element.get(ri("filename"))
    if not filename:
        return None
    for child in element:
        if isinstance(child.tag, str):
            ref = page_ref(child, space_key)
            if ref is not None:
                return AttachmentRef(filename, ref)
    return AttachmentRef(filename, owner)


def link_target(link: etree._Element) -> etree._Element | None:
    """The ri: element an ac:link (or ac:image, or macro parameter) points at."""
    for child in link:
        if isinstance(child.tag, str) and child.tag.startswith(f"{{{RI}}}"):
            return child
    return None


def content_id(element: etree._Element) -> int | None:
    try:
        return int(element.get(ri("content-id"), ""))
    except ValueError:
        return None


def macro_page(macro_element: etree._Element, space_key: str | None, name: str = "") -> PageRef | None:
    """The page a macro parameter names (include, excerpt-include, children's "page")."""
    for parameter in macro_element.iterchildren(ac("parameter")):
        if parameter.get(ac("name"), "") != name:
            continue
        for child in parameter.iter():
            if not isinstance(child.tag, str):
                continue
            ref = page_ref(child, space_key)
            if ref is not None:
                # "@self" (as pagetree and children write it) is the page the macro is on.
                return None if ref.title == "@self" else ref
        text = (parameter.text or "").strip()
        if text == "@self":
            return None
        if text:
            # The plain form: "Title" or "KEY:Title".
            key, sep, title = text.partition(":")
            return PageRef(key.strip(), title.strip()) if sep and title.strip() else PageRef(space_key, text)
    return None


def label_query(params: dict[str, str], space_key: str | None) -> LabelQuery | None:
    """The labels and spaces of a content-by-label macro, from its cql or legacy parameters."""
    from localfluence.xhtml.cqlish import labels_and_spaces

    labels, spaces = labels_and_spaces(params, space_key)
    if not labels:
        return None
    return LabelQuery(tuple(sorted(labels)), tuple(sorted(spaces)) if spaces is not None else None)


def _spaces_param(params: dict[str, str], space_key: str | None) -> tuple[str, ...] | None:
    raw = params.get("spaces") or params.get("spaceKey") or params.get("space") or ""
    keys: list[str] = []
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if part in ("@self", "currentSpace()"):
            if space_key:
                keys.append(space_key)
        elif part in ("@all", "*"):
            return None
        else:
            keys.append(part)
    if not keys:
        return (space_key,) if space_key else None
    return tuple(sorted(set(keys)))


def _int_param(params: dict[str, str], name: str, default: int, maximum: int) -> int:
    try:
        return max(1, min(int(params.get(name, "") or default), maximum))
    except ValueError:
        return default


def children_depth(params: dict[str, str]) -> int:
    if (params.get("all") or "").lower() == "true":
        return 10
    return _int_param(params, "depth", 1, 10)


def recent_key(params: dict[str, str], space_key: str | None) -> tuple[tuple[str, ...] | None, int]:
    return (_spaces_param(params, space_key), _int_param(params, "max", 15, MAX_LISTED))


def collect(root: etree._Element, space_key: str | None, owner: PageRef | None = None) -> Needs:
    """Every reference in a document, with page refs made explicit about their space."""
    needs = Needs()
    for link in root.iter(ac("link"), ac("image")):
        target = link_target(link)
        if target is None:
            continue
        _collect_target(needs, target, space_key, owner)
    for element in iter_macros(root):
        macro = macro_of(element)
        name = macro.name
        for parameter in macro.param_elements.values():
            for child in parameter.iter():
                if isinstance(child.tag, str) and child.tag.startswith(f"{{{RI}}}"):
                    _collect_target(needs, child, space_key, owner)
        if name in INCLUDE_MACROS:
            ref = macro_page(element, space_key)
            if ref is not None:
                needs.includes.add(ref)
        elif name in EXCERPT_INCLUDE_MACROS:
            ref = macro_page(element, space_key)
            if ref is not None:
                needs.excerpts.add(ref)
        elif name in CHILDREN_MACROS:
            parent = macro_page(element, space_key, "page") or macro_page(element, space_key, "root")
            needs.children.add((parent or owner, children_depth(macro.params)))
        elif name in ATTACHMENT_LIST_MACROS:
            needs.attachment_lists.add(macro_page(element, space_key, "page") or owner)
        elif name in LABEL_MACROS:
            query = label_query(macro.params, space_key)
            if query is not None:
                needs.label_queries.add(query)
        elif name in RECENT_MACROS:
            needs.recently_updated.add(recent_key(macro.params, space_key))
        elif name == "profile":
            user = macro.params.get("user")
            if user:
                needs.users.add(user)
    return needs


def _collect_target(needs: Needs, target: etree._Element, space_key: str | None, owner: PageRef | None) -> None:
    tag = target.tag
    if tag == ri("page") or tag == ri("blog-post"):
        ref = page_ref(target, space_key)
        if ref is not None:
            needs.pages.add(ref)
    elif tag == ri("attachment"):
        attachment = attachment_ref(target, space_key, owner)
        if attachment is not None:
            needs.attachments.add(attachment)
            if attachment.owner is not None:
                needs.pages.add(attachment.owner)
    elif tag == ri("user"):
        account = target.get(ri("account-id")) or target.get(ri("userkey"))
        if account:
            needs.users.add(account)
    elif tag == ri("space"):
        key = target.get(ri("space-key"))
        if key:
            needs.spaces.add(key)
    elif tag == ri("content-entity"):
        found = content_id(target)
        if found is not None:
            needs.content_ids.add(found)


def owner_ref(target: Target) -> PageRef:
    """How an included page names itself: what its attachment references resolve against."""
    return PageRef(target.space_key, target.title, "blogpost" if target.type == "blogpost" else "page")
