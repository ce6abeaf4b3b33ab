"""Confluence wiki markup → storage (the `wiki` input representation, BEHAVIOUR.md §2.6).

Blocks are read line by line (headings, lists, tables, quotes, rules, bodied macros that may
span lines); inline markup is read with one combined pattern, earliest match first. The output
is always well-formed storage: text is escaped, and every result is parsed once before it is
returned. Guarded by tests/unit/xhtml/test_wiki.py."""

from __future__ import annotations

import re
from html import escape

from localfluence.xhtml.emoticons import WIKI_SHORTCUTS
from localfluence.xhtml.storage import parse, too_deep, xml_safe

PLAIN_MACROS = frozenset(("code", "noformat"))
RICH_MACROS = frozenset(
    ("panel", "info", "note", "tip", "warning", "quote", "expand", "section", "column", "excerpt", "details", "div")
)
INLINE_MACROS = frozenset(("status", "anchor", "jira", "profile", "color"))
URL_PREFIXES = ("http://", "https://", "ftp://", "mailto:", "file://", "news:", "irc://", "sftp://")
# The positional (unnamed) parameter's name, per macro.
POSITIONAL = {"code": "language", "expand": "title", "excerpt-include": "", "include": "", "anchor": ""}

_BLOCK_MACRO = re.compile(r"^\{(?P<name>[a-zA-Z][\w-]*)(?::(?P<params>[^}]*))?\}")
_LONE_MACRO = re.compile(r"^\{(?P<name>[a-zA-Z][\w-]*)(?::(?P<params>[^}]*))?\}$")
_HEADING = re.compile(r"^h([1-6])\.\s*(.*)$")
_QUOTE = re.compile(r"^bq\.\s*(.*)$")
_RULE = re.compile(r"^-{4,}\s*$")
_LIST = re.compile(r"^([*#-]+)\s+(.*)$")
_EMOTICON = "|".join(re.escape(s) for s, _ in WIKI_SHORTCUTS)
_EFFECTS = {"*": "strong", "_": "em", "??": "cite", "-": "del", "+": "u", "^": "sup", "~": "sub"}
_INLINE = re.compile(
    r"(?P<br>\\\\)"
    r"|(?P<escape>\\(?P<escaped>[^\s]))"
    r"|(?P<mono>\{\{(?P<mono_text>.+?)\}\})"
    r"|(?P<color>\{colou?r:(?P<colour>[^}]+)\}(?P<color_text>.*?)\{colou?r\})"
    r"|(?P<macro>\{(?P<macro_name>[a-zA-Z][\w-]*)(?::(?P<macro_params>[^}]*))?\})"
    r"|(?P<link>\[(?P<link_body>[^\]\n]+)\])"
    r"|(?P<image>!(?P<image_body>[^!\s|][^!\n]*?)!)"
    rf"|(?P<emoticon>{_EMOTICON})"
    r"|(?P<strong>(?<![\w*])\*(?=\S)(?P<strong_text>.+?)(?<=\S)\*(?![\w*]))"
    r"|(?P<em>(?<![\w])_(?=\S)(?P<em_text>.+?)(?<=\S)_(?!\w))"
    r"|(?P<cite>\?\?(?=\S)(?P<cite_text>.+?)(?<=\S)\?\?)"
    r"|(?P<del>(?<![\w-])-(?=[^\s-])(?P<del_text>.+?)(?<=[^\s-])-(?![\w-]))"
    r"|(?P<u>(?<![\w+])\+(?=\S)(?P<u_text>.+?)(?<=\S)\+(?![\w+]))"
    r"|(?P<sup>\^(?=\S)(?P<sup_text>[^^\n]+?)(?<=\S)\^)"
    r"|(?P<sub>(?<![\w~])~(?=\S)(?P<sub_text>[^~\n]+?)(?<=\S)~(?![\w~]))"
)
_EMOTICON_NAMES = dict(WIKI_SHORTCUTS)


def wiki_to_storage(markup: str) -> str:
    try:
        storage = _Wiki().blocks(xml_safe(markup.replace("\r\n", "\n").replace("\r", "\n")))
    except RecursionError:
        # Effects nested thousands deep (h1. ****...) would nest past MAX_DEPTH anyway.
        raise too_deep() from None
    parse(storage)
    return storage


def _text(value: str) -> str:
    return escape(value, quote=False)


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _params(name: str, raw: str | None) -> dict[str, str]:
    params: dict[str, str] = {}
    if not raw:
        return params
    for i, part in enumerate(raw.split("|")):
        key, sep, value = part.partition("=")
        if sep and re.fullmatch(r"[\w-]+", key.strip()):
            params[key.strip()] = value.strip()
        elif i == 0 and part.strip():
            params[POSITIONAL.get(name, "")] = part.strip()
    return params


def _macro(name: str, params: dict[str, str], *, rich: str | None = None, plain: str | None = None) -> str:
    out = [f'<ac:structured-macro ac:name="{_attr(name)}" ac:schema-version="1">']
    for key, value in params.items():
        out.append(f'<ac:parameter ac:name="{_attr(key)}">{_parameter_value(name, key, value)}</ac:parameter>')
    if rich is not None:
        out.append(f"<ac:rich-text-body>{rich}</ac:rich-text-body>")
    elif plain is not None:
        out.append(f"<ac:plain-text-body>{_cdata(plain)}</ac:plain-text-body>")
    out.append("</ac:structured-macro>")
    return "".join(out)


def _parameter_value(macro: str, key: str, value: str) -> str:
    if macro in ("include", "excerpt-include") and key == "":
        return f"<ac:link>{_page_ref(value)}</ac:link>"
    return _text(value)


def _page_ref(target: str) -> str:
    """[KEY:]Title or [KEY:]/yyyy/mm/dd/Title as a ri:page or ri:blog-post."""
    key, sep, rest = target.partition(":")
    if not sep or not re.fullmatch(r"~?[\w-]+", key):
        key, rest = "", target
    space = f' ri:space-key="{_attr(key)}"' if key else ""
    blog = re.fullmatch(r"/(\d{4})/(\d{2})/(\d{2})/(.+)", rest)
    if blog:
        day = "/".join(blog.group(1, 2, 3))
        return f'<ri:blog-post{space} ri:posting-day="{day}" ri:content-title="{_attr(blog.group(4))}"/>'
    return f'<ri:page{space} ri:content-title="{_attr(rest)}"/>'


class _Wiki:
    # --- blocks -----------------------------------------------------------------------------

    def blocks(self, text: str) -> str:
        lines = text.split("\n")
        out: list[str] = []
        paragraph: list[str] = []
        i = 0

        def flush() -> None:
            if paragraph:
                out.append("<p>" + "<br />".join(self.inline(line) for line in paragraph) + "</p>")
                paragraph.clear()

        while i < len(lines):
            line = lines[i]
            stripped = line.strip()
            opening = _BLOCK_MACRO.match(stripped)
            if opening and opening.group("name").lower() in PLAIN_MACROS | RICH_MACROS:
                flush()
                name = opening.group("name").lower()
                rest = "\n".join([stripped[opening.end() :], *lines[i + 1 :]])
                body, after = _split_body(rest, name)
                out.append(self.block_macro(name, opening.group("params"), body))
                lines = after.split("\n") if after.strip() else []
                i = 0
                continue
            if not stripped:
                flush()
                i += 1
                continue
            lone = _LONE_MACRO.match(stripped)
            if lone and lone.group("name").lower() not in INLINE_MACROS:
                flush()
                name = lone.group("name").lower()
                out.append(_macro(name, _params(name, lone.group("params"))))
                i += 1
                continue
            heading = _HEADING.match(stripped)
            if heading:
                flush()
                level = heading.group(1)
                out.append(f"<h{level}>{self.inline(heading.group(2))}</h{level}>")
                i += 1
                continue
            quote = _QUOTE.match(stripped)
            if quote:
                flush()
                out.append(f"<blockquote><p>{self.inline(quote.group(1))}</p></blockquote>")
                i += 1
                continue
            if _RULE.match(stripped):
                flush()
                out.append("<hr />")
                i += 1
                continue
            if _LIST.match(stripped):
                flush()
                end = i
                while end < len(lines) and _LIST.match(lines[end].strip()) and not _RULE.match(lines[end].strip()):
                    end += 1
                out.append(self.list([lines[k].strip() for k in range(i, end)]))
                i = end
                continue
            if stripped.startswith("|"):
                flush()
                end = i
                while end < len(lines) and lines[end].strip().startswith("|"):
                    end += 1
                out.append(self.table([lines[k].strip() for k in range(i, end)]))
                i = end
                continue
            paragraph.append(stripped)
            i += 1
        flush()
        return "".join(out)

    def block_macro(self, name: str, raw_params: str | None, body: str) -> str:
        params = _params(name, raw_params)
        if name in PLAIN_MACROS:
            if body.startswith("\n"):
                body = body[1:]
            if body.endswith("\n"):
                body = body[:-1]
            return _macro(name, params, plain=body)
        inner = self.blocks(body)
        if name == "quote":
            return f"<blockquote>{inner}</blockquote>"
        if name == "div":
            return f"<div>{inner}</div>"
        return _macro(name, params, rich=inner)

    def list(self, lines: list[str]) -> str:
        out: list[str] = []
        stack: list[str] = []  # the open list tags, outermost first
        item_open: list[bool] = []  # per open list: whether its last item is still open
        for line in lines:
            match = _LIST.match(line)
            assert match is not None
            tags = ["ol" if m == "#" else "ul" for m in match.group(1)]
            # Close the lists that no longer match the markers' prefix.
            common = 0
            while common < min(len(stack), len(tags)) and stack[common] == tags[common]:
                common += 1
            while len(stack) > common:
                self._close_list(out, stack, item_open)
            # A skipped level ("** item" first) still needs an item to hang the nested list on.
            while len(stack) < len(tags):
                if item_open and not item_open[-1]:
                    out.append("<li>")
                    item_open[-1] = True
                tag = tags[len(stack)]
                out.append(f"<{tag}>")
                stack.append(tag)
                item_open.append(False)
            if item_open[-1]:
                out.append("</li>")
            out.append("<li>" + self.inline(match.group(2)))
            item_open[-1] = True
        while stack:
            self._close_list(out, stack, item_open)
        return "".join(out)

    def _close_list(self, out: list[str], stack: list[str], item_open: list[bool]) -> None:
        if item_open.pop():
            out.append("</li>")
        out.append(f"</{stack.pop()}>")

    def table(self, lines: list[str]) -> str:
        rows = []
        for line in lines:
            cells = []
            for header, content in _cells(line):
                tag = "th" if header else "td"
                cells.append(f"<{tag}>{self.inline(content.strip())}</{tag}>")
            if cells:
                rows.append("<tr>" + "".join(cells) + "</tr>")
        return "<table><tbody>" + "".join(rows) + "</tbody></table>"

    # --- inline -----------------------------------------------------------------------------

    def inline(self, text: str) -> str:
        out: list[str] = []
        position = 0
        while position < len(text):
            match = _INLINE.search(text, position)
            if match is None:
                break
            out.append(_text(text[position : match.start()]))
            out.append(self.token(match))
            position = match.end()
        out.append(_text(text[position:]))
        return "".join(out)

    def token(self, match: re.Match[str]) -> str:
        kind = match.lastgroup
        if kind == "br":
            return "<br />"
        if kind == "escape":
            return _text(match.group("escaped"))
        if kind == "mono":
            return f"<code>{self.inline(match.group('mono_text'))}</code>"
        if kind == "color":
            colour = re.sub(r"[^#\w(),. ]", "", match.group("colour"))
            return f'<span style="color: {_attr(colour)};">{self.inline(match.group("color_text"))}</span>'
        if kind == "macro":
            name = match.group("macro_name").lower()
            return _macro(name, _params(name, match.group("macro_params")))
        if kind == "link":
            return self.link(match.group("link_body"))
        if kind == "image":
            return self.image(match.group("image_body"), match.group(0))
        if kind == "emoticon":
            return f'<ac:emoticon ac:name="{_EMOTICON_NAMES[match.group("emoticon")]}" />'
        for effect in ("strong", "em", "cite", "del", "u", "sup", "sub"):
            if kind == effect:
                return f"<{effect}>{self.inline(match.group(effect + '_text'))}</{effect}>"
        return _text(match.group(0))

    def link(self, body: str) -> str:
        parts = body.split("|")
        if len(parts) >= 2:
            alias, target = parts[0], parts[1].strip()
        else:
            alias, target = "", parts[0].strip()
        if target.lower().startswith(URL_PREFIXES) or target.startswith("//"):
            return f'<a href="{_attr(target)}">{self.inline(alias) if alias else _text(target)}</a>'
        link_body = f"<ac:plain-text-link-body>{_cdata(alias)}</ac:plain-text-link-body>" if alias else ""
        if target.startswith("~"):
            account = target[1:]
            account = account[len("accountid:") :] if account.lower().startswith("accountid:") else account
            return f'<ac:link><ri:user ri:account-id="{_attr(account)}" />{link_body}</ac:link>'
        page, _, anchor = target.partition("#")
        page, caret, filename = page.partition("^")
        anchor_attr = f' ac:anchor="{_attr(anchor)}"' if anchor else ""
        if caret:
            owner = _page_ref(page) if page else ""
            attachment = f'<ri:attachment ri:filename="{_attr(filename)}">{owner}</ri:attachment>'
            return f"<ac:link{anchor_attr}>{attachment}{link_body}</ac:link>"
        if not page:
            body_xml = link_body or f"<ac:plain-text-link-body>{_cdata(anchor)}</ac:plain-text-link-body>"
            return f"<ac:link{anchor_attr}>{body_xml}</ac:link>"
        return f"<ac:link{anchor_attr}>{_page_ref(page)}{link_body}</ac:link>"

    def image(self, body: str, whole: str) -> str:
        target, _, raw = body.partition("|")
        target = target.strip()
        if "." not in target and "://" not in target:
            return _text(whole)
        attrs = []
        for part in raw.split(","):
            key, sep, value = part.partition("=")
            key = key.strip().lower()
            if key in ("width", "height", "align", "alt", "title", "border", "thumbnail", "vspace", "hspace"):
                if key == "border":
                    value = "true"
                elif key == "thumbnail":
                    value = "true"
                if value.strip() or not sep:
                    attrs.append(f' ac:{key}="{_attr(value.strip() or "true")}"')
        if target.lower().startswith(URL_PREFIXES):
            ref = f'<ri:url ri:value="{_attr(target)}" />'
        else:
            page, caret, filename = target.partition("^")
            if caret and page:
                ref = f'<ri:attachment ri:filename="{_attr(filename)}">{_page_ref(page)}</ri:attachment>'
            else:
                ref = f'<ri:attachment ri:filename="{_attr(filename if caret else target)}" />'
        return f"<ac:image{''.join(attrs)}>{ref}</ac:image>"


def _split_body(rest: str, name: str) -> tuple[str, str]:
    """(body, text after the closing tag) of a macro whose opening tag was just read."""
    closing = re.compile(r"\{" + re.escape(name) + r"\}", re.IGNORECASE)
    if name in PLAIN_MACROS:
        found = closing.search(rest)
        return (rest[: found.start()], rest[found.end() :]) if found else (rest, "")
    # Rich bodies nest: {panel}{panel:title=x}..{panel}..{panel}.
    opening = re.compile(r"\{" + re.escape(name) + r":[^}]*\}", re.IGNORECASE)
    depth = 1
    position = 0
    while True:
        close = closing.search(rest, position)
        if close is None:
            return rest, ""
        nested = opening.search(rest, position, close.start())
        if nested:
            depth += 1
            position = nested.end()
            continue
        depth -= 1
        if depth == 0:
            return rest[: close.start()], rest[close.end() :]
        position = close.end()


def _cells(line: str) -> list[tuple[bool, str]]:
    """The cells of a table line: (is header, content); pipes inside links, macros, monospace and
    images do not split cells."""
    cells: list[tuple[bool, str]] = []
    i = 0
    n = len(line)
    current: list[str] = []
    header = False
    started = False
    while i < n:
        ch = line[i]
        if ch == "\\" and i + 1 < n:
            current.append(line[i : i + 2])
            i += 2
            continue
        if ch == "[":
            end = line.find("]", i)
            if end != -1:
                current.append(line[i : end + 1])
                i = end + 1
                continue
        if ch == "{":
            end = line.find("}", i)
            if end != -1:
                current.append(line[i : end + 1])
                i = end + 1
                continue
        if ch == "!":
            end = line.find("!", i + 1)
            if end != -1 and "." in line[i:end] and not line[i + 1 : i + 2].isspace():
                current.append(line[i : end + 1])
                i = end + 1
                continue
        if ch == "|":
            if started:
                cells.append((header, "".join(current)))
            current = []
            started = True
            header = line.startswith("||", i)
            i += 2 if header else 1
            continue
        current.append(ch)
        i += 1
    tail = "".join(current)
    if started and tail.strip():
        cells.append((header, tail))
    return cells
