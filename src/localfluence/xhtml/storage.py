"""Safe parsing and serialization of storage format, with Confluence's parse errors.

Storage is an XHTML fragment whose ac:/ri:/at: prefixes are never declared: it is wrapped in a
root that declares them. The parser never touches the network, never loads a DTD and never
expands entities: any DOCTYPE (where entities would be declared, as in XXE and billion-laughs
input) is refused. The XHTML 1.0 named entities Confluence itself writes (&nbsp; ...) become
character references before parsing, so the parser needs no DTD for them — only where XML reads
references: CDATA sections, comments and processing instructions are literal text, kept as written.
Storage serialized again after a change (ids added on save) spells those characters as the client
did: a reference stays the reference it was written as, a character stays a character.
"""

from __future__ import annotations

import bisect
import copy
import html.entities
import re
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from lxml import etree

from localfluence.errors import BadRequest

AC = "http://atlassian.com/content"
RI = "http://atlassian.com/resource/identifier"
AT = "http://atlassian.com/template"
NSMAP = {"ac": AC, "ri": RI, "at": AT}
ROOT = f"{{{AC}}}storage-root"

# Deeper documents are refused: converters walk trees recursively, and no real page nests this
# deep (libxml2 itself stops at 256). Guarded by tests/unit/xhtml/test_storage.py.
MAX_DEPTH = 128

_WRAP_OPEN = f'<ac:storage-root xmlns:ac="{AC}" xmlns:ri="{RI}" xmlns:at="{AT}">\n'
_WRAP_CLOSE = "\n</ac:storage-root>"
XML_ENTITIES = frozenset(("amp", "lt", "gt", "quot", "apos"))
_CHARACTER_REFERENCES = {
    name: f"&#{cp};" for name, cp in html.entities.name2codepoint.items() if name not in XML_ENTITIES
}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
# Where XML reads no references (XML 1.0 sections 2.4-2.7): CDATA sections, comments and processing
# instructions are literal up to their end marker (or, unterminated, to the end, which the parser
# then refuses). Elsewhere a named reference is one. Tags need no state of their own: `<` cannot
# stand in an attribute value, so in any storage the parser accepts every `<` outside these
# sections starts markup where this scan sees it, and references in attribute values are read as
# in text, as XML reads them. A DTD declaration is looked for in the same places.
_LITERAL = re.compile(r"<(?:(?P<cdata>!\[CDATA\[)|(?P<comment>!--)|(?P<pi>\?)|(?P<declaration>!(?i:DOCTYPE|ENTITY)))")
_LITERAL_END = {"cdata": "]]>", "comment": "-->", "pi": "?>"}
# Any reference, for the spelling kept on re-serialization (serialize_as_written).
_REFERENCE = re.compile(r"&(?:#(?P<decimal>[0-9]+)|#[xX](?P<hex>[0-9A-Fa-f]+)|(?P<name>[A-Za-z][A-Za-z0-9]*));")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_TOO_DEEP = etree.XPath("boolean(" + "/*" * (MAX_DEPTH + 2) + ")")
_local = threading.local()


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text without the characters XML cannot carry (for input formats that may hold them)."""
    return _NOT_XML.sub("", text)


def ac(name: str) -> str:
    return f"{{{AC}}}{name}"


def ri(name: str) -> str:
    return f"{{{RI}}}{name}"


def at(name: str) -> str:
    return f"{{{AT}}}{name}"


MACRO_TAGS = frozenset((ac("structured-macro"), ac("macro")))


class XhtmlError(BadRequest):
    """Malformed storage, worded as Confluence words it (its parser is Woodstox)."""

    def __init__(self, reason: str, row: int, col: int) -> None:
        super().__init__(f"Error parsing xhtml: {reason}\n at [row,col {{unknown-source}}]: [{row},{col}]")
        self.reason = reason
        self.row = row
        self.col = col


def _parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            strip_cdata=False,
            remove_blank_text=False,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


@dataclass
class _Substitutions:
    """Where named entities were rewritten, to map parser positions back to the input."""

    starts: list[int] = field(default_factory=list)  # offsets in the rewritten text
    shifts: list[int] = field(default_factory=list)  # cumulative length change after each

    def original_offset(self, offset: int) -> int:
        i = bisect.bisect_right(self.starts, offset)
        return offset - (self.shifts[i - 1] if i else 0)


def _read_stretches(storage: str) -> Iterator[tuple[int, int, int | None]]:
    """(start, stop, declaration) of each stretch where XML reads references, in order: not in a
    CDATA section, comment or processing instruction. `declaration`: the offset of the DTD
    declaration (DOCTYPE, ENTITY) that ends the stretch, if one does. Each character is looked at
    once."""
    position = 0
    while True:
        literal = _LITERAL.search(storage, position)
        if literal is None:
            yield position, len(storage), None
            return
        kind = literal.lastgroup or ""
        if kind == "declaration":
            yield position, literal.start(), literal.start()
            position = literal.end()
            continue
        yield position, literal.start(), None
        marker = _LITERAL_END[kind]
        close = storage.find(marker, literal.end())
        if close < 0:
            return
        position = close + len(marker)


def substitute_entities(storage: str, replacements: Mapping[str, str], unknown: str | None = None) -> str:
    """storage with each named reference XML reads replaced by replacements[name], or by `unknown`
    for other names (kept as written when that is None); literal sections are kept as written."""
    return _substituted(storage, replacements, unknown)[0]


def _substituted(
    storage: str, replacements: Mapping[str, str], unknown: str | None = None
) -> tuple[str, _Substitutions, int | None]:
    """The substituted text, where it was changed, and the offset of the first DTD declaration."""
    subs = _Substitutions()
    if "&" not in storage and "<!" not in storage:
        return storage, subs, None
    found: int | None = None
    parts: list[str] = []
    last = 0
    shift = 0
    get = replacements.get
    for start, stop, declaration in _read_stretches(storage):
        for match in _ENTITY.finditer(storage, start, stop):
            ref = get(match.group(1), unknown)
            if ref is None:
                continue
            begin, end = match.span()
            parts.append(storage[last:begin])
            parts.append(ref)
            subs.starts.append(begin + shift + len(ref))
            shift += len(ref) - (end - begin)
            subs.shifts.append(shift)
            last = end
        if declaration is not None and found is None:
            found = declaration
    if not parts:
        return storage, subs, found
    parts.append(storage[last:])
    return "".join(parts), subs, found


def _position(text: str, offset: int) -> tuple[int, int]:
    row = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return row, col


def parse(storage: str) -> etree._Element:
    """The storage fragment under a synthetic root; raises XhtmlError (400) when malformed."""
    # Belt and braces: inside the wrapping root the parser would refuse a DOCTYPE anyway.
    text, subs, declaration = _substituted(storage, _CHARACTER_REFERENCES)
    if declaration is not None:
        row, col = _position(storage, declaration)
        raise XhtmlError("DOCTYPE is not allowed in storage format", row, col)
    try:
        root = etree.fromstring(_WRAP_OPEN + text + _WRAP_CLOSE, _parser())
    except etree.XMLSyntaxError as exc:
        raise _translate(exc, storage, text, subs) from None
    except ValueError as exc:
        # lxml refuses NUL and other control characters before parsing.
        raise XhtmlError(str(exc), 1, 1) from None
    if _TOO_DEEP(root):
        raise too_deep()
    return strip_wrapper_whitespace(root)


def too_deep() -> XhtmlError:
    """The error for input nested deeper than storage may be, also raised by converters whose
    own recursion gives out first."""
    return XhtmlError(f"Maximum element depth exceeded: elements may nest at most {MAX_DEPTH} deep", 1, 1)


_MISMATCH = re.compile(r"Opening and ending tag mismatch: (\S+) line \d+ and (\S+)")
_UNDEFINED = re.compile(r"Entity '([^']+)' not defined")


def _reason(message: str, storage: str, offset: int) -> str:
    mismatch = _MISMATCH.match(message)
    if mismatch:
        opened, closed = mismatch.groups()
        if closed in ("storage-root", "ac:storage-root"):
            return f"Unexpected end of input; expected </{opened}>"
        if opened in ("storage-root", "ac:storage-root"):
            return f"Unexpected close tag </{closed}>; no element is open"
        return f"Unexpected close tag </{closed}>; expected </{opened}>."
    undefined = _UNDEFINED.match(message)
    if undefined:
        return f'Undeclared general entity "{undefined.group(1)}"'
    if message.startswith("Sequence ']]>' not allowed"):
        return "String ']]>' not allowed in textual content, except as the end marker of CDATA section"
    if message.startswith("Unescaped '<' not allowed in attributes"):
        return "Unexpected '<' in attribute value"
    if message.startswith("EntityRef: expecting ';'"):
        return "Unexpected character; expected a semi-colon after the reference for an entity (escape '&' as &amp;)"
    if message.startswith("Extra content at the end of the document"):
        return "Unexpected close tag; the document closes more elements than it opens"
    if message.startswith("Premature end of data") or message.startswith("EndTag: '</' not found"):
        return "Unexpected end of input"
    return message


def _translate(exc: etree.XMLSyntaxError, storage: str, text: str, subs: _Substitutions) -> XhtmlError:
    line, column = exc.position if exc.position else (1, 1)
    wrapped = _WRAP_OPEN + text + _WRAP_CLOSE
    offset = 0
    if line > 1:
        # Positions count the wrapper's first line; the caller's text starts on line 2.
        starts = [0] + [m.end() for m in re.finditer("\n", wrapped)]
        base = starts[min(line - 1, len(starts) - 1)]
        offset = max(0, base + max(column - 1, 0) - len(_WRAP_OPEN))
    offset = min(subs.original_offset(offset), len(storage))
    row, col = _position(storage, offset)
    message = str(exc.msg or exc)
    message = re.sub(r", line \d+, column \d+$", "", message)
    return XhtmlError(_reason(message, storage, offset), row, col)


def validate(storage: str) -> None:
    parse(storage)


def new_root() -> etree._Element:
    return etree.Element(ROOT, nsmap=NSMAP)


def serialize(root: etree._Element) -> str:
    """The storage of the root's content, without the synthetic root and its declarations."""
    out = etree.tostring(root, encoding=str)
    if out.endswith("/>") and len(root) == 0 and not root.text:
        return ""
    start = out.index(">") + 1
    end = out.rindex("</")
    return out[start:end]


def serialize_as_written(root: etree._Element, written: str) -> str:
    """serialize(root) for a tree parsed from `written` and changed since only in ways that add or
    remove no non-ASCII character (ids added): each such character the client wrote as a reference
    (&nbsp;, &#160;, &#x2014;) is written as that reference again, each it wrote as a character
    stays one. Confluence keeps &nbsp; as its editor writes it, and clients that compare the body
    they sent with the one they read back must see no change where there is none.

    Serialization keeps every character in document order (only markup between them is spelled
    differently), so the n-th non-ASCII character where references are read is the same character
    in both texts. Should the counts or a character differ, the tree's own spelling is kept."""
    out = serialize(root)
    if "&" not in written:
        return out
    spellings, total = _reference_spellings(written)
    if not spellings:
        return out
    stretches = [(start, stop) for start, stop, _declaration in _read_stretches(out)]
    if sum(_non_ascii_count(out, start, stop) for start, stop in stretches) != total:
        return out
    parts: list[str] = []
    last = 0
    pending = iter(spellings)
    ordinal, character, reference = next(pending)
    seen = 0
    for start, stop in stretches:
        for match in _NON_ASCII.finditer(out, start, stop):
            if seen == ordinal:
                if match.group() != character:
                    return out
                parts.append(out[last : match.start()])
                parts.append(reference)
                last = match.end()
                following = next(pending, None)
                if following is None:
                    parts.append(out[last:])
                    return "".join(parts)
                ordinal, character, reference = following
            seen += 1
    return out


def _reference_spellings(storage: str) -> tuple[list[tuple[int, str, str]], int]:
    """(ordinal among the non-ASCII characters where references are read, the character, its
    reference as written) of each reference to a non-ASCII character, and how many such characters
    there are."""
    spellings: list[tuple[int, str, str]] = []
    seen = 0
    for start, stop, _declaration in _read_stretches(storage):
        last = start
        for match in _REFERENCE.finditer(storage, start, stop):
            seen += _non_ascii_count(storage, last, match.start())
            last = match.end()
            character = _referenced(match)
            if character is not None and not character.isascii():
                spellings.append((seen, character, match.group()))
                seen += 1
        seen += _non_ascii_count(storage, last, stop)
    return spellings, seen


def _non_ascii_count(text: str, start: int, stop: int) -> int:
    stretch = text[start:stop]
    return 0 if stretch.isascii() else len(stretch) - len(stretch.encode("ascii", "ignore"))


def _referenced(match: re.Match[str]) -> str | None:
    name, decimal, hexadecimal = match.group("name", "decimal", "hex")
    if name is not None:
        codepoint = html.entities.name2codepoint.get(name)
    else:
        digits = decimal if decimal is not None else hexadecimal
        # Storage that parsed refers to characters only; a longer number names none.
        codepoint = None if len(digits) > 8 else int(digits, 10 if decimal is not None else 16)
    if codepoint is None or codepoint > 0x10FFFF:
        return None
    return chr(codepoint)


def inner_storage(element: etree._Element) -> str:
    """The storage of an element's content (its text and children), as a fragment."""
    holder = new_root()
    holder.text = element.text
    for child in element:
        holder.append(copy.deepcopy(child))
    return serialize(holder)


def outer_storage(element: etree._Element) -> str:
    holder = new_root()
    clone = copy.deepcopy(element)
    clone.tail = None
    holder.append(clone)
    return serialize(holder)


def strip_wrapper_whitespace(root: etree._Element) -> etree._Element:
    """The wrapper adds a newline on either side; callers that care about text see none."""
    if root.text is not None and root.text.startswith("\n"):
        root.text = root.text[1:] or None
    last = root[-1] if len(root) else None
    if last is not None and last.tail is not None and last.tail.endswith("\n"):
        last.tail = last.tail[:-1] or None
    elif last is None and root.text is not None and root.text.endswith("\n"):
        root.text = root.text[:-1] or None
    return root


# --- reading the ac: vocabulary -------------------------------------------------------------


def is_element(node: object) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def attr(element: etree._Element, prefix_ns: str, name: str, default: str | None = None) -> str | None:
    return element.get(f"{{{prefix_ns}}}{name}", default)


def text_of(element: etree._Element) -> str:
    return "".join(element.itertext())


@dataclass
class Macro:
    element: etree._Element
    name: str
    macro_id: str | None
    params: dict[str, str]
    param_elements: dict[str, etree._Element]
    rich_body: etree._Element | None
    plain_body: str | None

    @property
    def default_param(self) -> str | None:
        return self.params.get("", self.params.get("0"))


def parameter_value(parameter: etree._Element) -> str:
    """A parameter's value: its text, or what a nested reference names (page title, user id...)."""
    for child in parameter:
        if not is_element(child):
            continue
        target = child
        if child.tag == ac("link"):
            target = next((c for c in child if is_element(c) and c.tag.startswith(f"{{{RI}}}")), child)
        if target.tag == ri("page") or target.tag == ri("blog-post"):
            return target.get(ri("content-title"), "")
        if target.tag == ri("user"):
            return target.get(ri("account-id")) or target.get(ri("userkey")) or ""
        if target.tag == ri("space"):
            return target.get(ri("space-key"), "")
        if target.tag == ri("attachment"):
            return target.get(ri("filename"), "")
        if target.tag == ri("url"):
            return target.get(ri("value"), "")
        if target.tag == ri("content-entity"):
            return target.get(ri("content-id"), "")
    return text_of(parameter)


def macro_of(element: etree._Element) -> Macro:
    params: dict[str, str] = {}
    param_elements: dict[str, etree._Element] = {}
    rich = None
    plain = None
    for child in element:
        if not is_element(child):
            continue
        if child.tag == ac("parameter"):
            name = child.get(ac("name"), "")
            params[name] = parameter_value(child)
            param_elements[name] = child
        elif child.tag == ac("rich-text-body"):
            rich = child
        elif child.tag == ac("plain-text-body"):
            plain = child.text or ""
    return Macro(
        element=element,
        name=(element.get(ac("name")) or "").strip().lower(),
        macro_id=element.get(ac("macro-id")),
        params=params,
        param_elements=param_elements,
        rich_body=rich,
        plain_body=plain,
    )


def iter_macros(root: etree._Element) -> Iterator[etree._Element]:
    yield from root.iter(ac("structured-macro"), ac("macro"))


def find_macro(root: etree._Element, macro_id: str) -> Macro | None:
    for element in iter_macros(root):
        if element.get(ac("macro-id")) == macro_id:
            return macro_of(element)
    return None


def set_parameter_value(parameter: etree._Element, macro_name: str, key: str, value: str) -> None:
    """A parameter value from its string form; page and user parameters become references again
    (the inverse of parameter_value, for converters whose formats only carry strings)."""
    if macro_name in ("include", "excerpt-include") and key in ("", "0") and value:
        space, sep, title = value.partition(":")
        link = etree.SubElement(parameter, ac("link"))
        page = etree.SubElement(link, ri("page"))
        if sep and title:
            page.set(ri("space-key"), space)
        page.set(ri("content-title"), title if sep and title else value)
    elif macro_name in ("profile", "profile-picture") and key == "user" and value:
        etree.SubElement(parameter, ri("user")).set(ri("account-id"), value)
    else:
        parameter.text = value


def string_parameters(macro: Macro) -> dict[str, str]:
    """Parameters as strings, page references written KEY:Title (how macro editors show them)."""
    out = dict(macro.params)
    for name, parameter in macro.param_elements.items():
        page = next(parameter.iter(ri("page")), None)
        if page is not None and page.get(ri("space-key")):
            out[name] = f"{page.get(ri('space-key'))}:{page.get(ri('content-title'), '')}"
    return out


def task_id_of(task: etree._Element) -> int | None:
    for child in task:
        if is_element(child) and child.tag == ac("task-id"):
            try:
                return int((child.text or "").strip())
            except ValueError:
                return None
    return None


# --- normalizing on save --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Saved:
    """Storage as it is saved, with the tree it was saved from: what parse(storage) gives back, so
    that whatever reads the saved body in the same request (extraction, the search index) walks
    this tree instead of parsing the storage again. `root` is None for a blank body, and when the
    tree cannot stand for the storage (read the storage then)."""

    storage: str
    root: etree._Element | None


def prepare_for_save(storage: str) -> str:
    """Validate storage and give every macro a macro id and every task an id, as Confluence
    does on save. Storage that needs neither is kept byte for byte as sent."""
    return prepared_for_save(storage).storage


def prepared_for_save(storage: str) -> Saved:
    """prepare_for_save, with the tree of the storage it returns."""
    if not storage.strip():
        return Saved(storage, None)
    root = parse(storage)
    changed = False
    for element in iter_macros(root):
        if not element.get(ac("macro-id")):
            element.set(ac("macro-id"), str(uuid.uuid4()))
            changed = True
    tasks = list(root.iter(ac("task")))
    if tasks:
        seen: set[int] = set()
        wanting: list[etree._Element] = []
        for task in tasks:
            number = task_id_of(task)
            if number is None or number <= 0 or number in seen:
                wanting.append(task)
            else:
                seen.add(number)
        next_id = max(seen, default=0)
        for task in wanting:
            next_id += 1
            _set_task_id(task, next_id)
            changed = True
    if not changed:
        return Saved(storage, root)
    # A task id added to a task at the deepest level allowed nests one level deeper than parse
    # lets storage be read back: such storage is read as it always was.
    return Saved(serialize_as_written(root, storage), None if _TOO_DEEP(root) else root)


def _set_task_id(task: etree._Element, number: int) -> None:
    holder = next((c for c in task if is_element(c) and c.tag == ac("task-id")), None)
    if holder is None:
        holder = etree.Element(ac("task-id"))
        holder.tail = task.text
        task.text = None
        task.insert(0, holder)
    holder.text = str(number)


def same_as_saved(sent: str, saved: str) -> bool:
    """Whether storage as a client sends it equals what was saved from it, ignoring the macro and
    task ids that saving adds (so re-applying the same document is recognised as no change)."""
    if sent == saved:
        return True
    try:
        return _without_generated_ids(sent) == _without_generated_ids(saved)
    except XhtmlError:
        return False


def _without_generated_ids(storage: str) -> str:
    if not storage.strip():
        return ""
    root = parse(storage)
    for element in iter_macros(root):
        element.attrib.pop(ac("macro-id"), None)
    for task in root.iter(ac("task")):
        for holder in [c for c in task if is_element(c) and c.tag == ac("task-id")]:
            if holder.tail:
                previous = holder.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + holder.tail
                else:
                    task.text = (task.text or "") + holder.tail
            task.remove(holder)
    return serialize(root)
