"""Every body representation derived from storage, for content expansions (body.view, ...) and
for the conversion routes. Registered into content.serialize.BODY_CONVERTERS on import."""

from __future__ import annotations

from html import escape

from sqlalchemy import select

from localfluence.access.principal import Principal
from localfluence.content.serialize import BODY_CONVERTERS
from localfluence.contentbody import cache
from localfluence.contentbody.cache import digest
from localfluence.contentbody.resolver import Resolver
from localfluence.context import Ctx
from localfluence.errors import BadRequest
from localfluence.models import Content, Space
from localfluence.xhtml import adf, editor, view
from localfluence.xhtml.references import collect
from localfluence.xhtml.storage import XhtmlError, parse

RENDERED = ("view", "export_view", "styled_view", "anonymous_export_view")
OUTPUT_REPRESENTATIONS = (*RENDERED, "storage", "editor", "atlas_doc_format")
EMPTY_ADF = '{"type":"doc","version":1,"content":[]}'


def space_key_of(ctx: Ctx, space_id: int) -> str | None:
    known: dict[int, str | None] = ctx.session.info.setdefault("localfluence.space_keys", {})
    if space_id not in known:
        known[space_id] = ctx.session.scalar(select(Space.key).where(Space.id == space_id))
    return known[space_id]


def render(
    ctx: Ctx,
    storage: str,
    representation: str,
    *,
    content: Content | None = None,
    space_key: str | None = None,
) -> str:
    """storage → `representation` as the viewer (ctx.principal) sees it; raises XhtmlError for
    malformed storage."""
    if representation == "storage":
        return storage
    if content is not None and space_key is None:
        space_key = space_key_of(ctx, content.space_id)
    body_digest = digest(storage)
    if representation in ("atlas_doc_format", "editor"):
        return _pure(storage, body_digest, representation)
    if representation not in RENDERED:
        raise BadRequest(f"Cannot convert to the {representation} representation")
    anonymous = representation == "anonymous_export_view"
    principal = Principal.anonymous(ctx.principal.anonymous_access) if anonymous else ctx.principal
    base = ctx.links.context if representation == "view" else ctx.links.base
    title = content.title if content is not None else None
    if not storage.strip():
        return view.styled_document("", title or "") if representation == "styled_view" else ""

    needs_key = (body_digest, space_key)
    root = None
    needs = cache.needs.get(needs_key)
    if needs is None:
        root = parse(storage)
        needs = collect(root, space_key)
        cache.needs.put(needs_key, needs, len(storage) // 4 + 256)
    resolved = Resolver(ctx.session, principal, base).resolve(needs, content, space_key)
    key = (
        content.id if content is not None else None,
        content.version if content is not None else None,
        representation,
        body_digest,
        space_key,
        title,
        resolved.fingerprint(),
    )
    found = cache.derived.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    if root is None:
        root = parse(storage)
    options = view.ViewOptions(
        mode=representation,
        space_key=space_key,
        title=title,
        content_id=content.id if content is not None else None,
    )
    html = view.render(root, resolved, options)
    cache.derived.put(key, html, len(html) * 2 + 256)
    return html


def _pure(storage: str, body_digest: str, representation: str) -> str:
    if not storage.strip():
        return EMPTY_ADF if representation == "atlas_doc_format" else ""
    key = (representation, body_digest)
    found = cache.derived.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    root = parse(storage)
    if representation == "atlas_doc_format":
        out = adf.to_adf_json(root)
    else:
        out = editor.to_editor(root)
    cache.derived.put(key, out, len(out) * 2 + 256)
    return out


def _stored(ctx: Ctx, content: Content, storage: str, representation: str) -> str:
    try:
        return render(ctx, storage, representation, content=content)
    except XhtmlError as exc:
        # Bodies saved before validation existed: show why instead of failing the whole read.
        if representation == "atlas_doc_format":
            return EMPTY_ADF
        return f'<div class="error">Content cannot be displayed: {escape(exc.message)}</div>'


def _converter(representation: str):  # type: ignore[no-untyped-def]
    def convert(ctx: Ctx, content: Content, storage: str) -> str:
        return _stored(ctx, content, storage, representation)

    return convert


for _name in ("view", "export_view", "styled_view", "anonymous_export_view", "editor", "atlas_doc_format"):
    BODY_CONVERTERS[_name] = _converter(_name)
