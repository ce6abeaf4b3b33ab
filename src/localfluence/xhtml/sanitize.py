"""The last gate of every rendered representation (nh3/ammonia): whatever storage held, no
script, event handler attribute, javascript: URL or unknown tag reaches a browser.
Guarded by tests/unit/xhtml/test_view.py::test_script_injection_never_reaches_view."""

from __future__ import annotations

import nh3

TAGS = frozenset(
    """a abbr b big blockquote br caption cite code col colgroup dd del details dfn div dl dt em figcaption figure
    h1 h2 h3 h4 h5 h6 hr i img input ins kbd li mark ol p pre q s samp small span strike strong sub summary sup
    table tbody td tfoot th thead time tr tt u ul var""".split()
)
ATTRIBUTES = {
    "*": {"class", "id", "title", "style", "dir", "lang", "align"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "border", "loading"},
    "td": {"colspan", "rowspan", "valign"},
    "th": {"colspan", "rowspan", "scope", "valign"},
    "ol": {"start", "type"},
    "ul": {"type"},
    "time": {"datetime"},
    "col": {"span", "width"},
    "colgroup": {"span"},
    "input": {"type", "checked", "disabled"},
    "details": {"open"},
    "table": {"width", "border"},
    "blockquote": {"cite"},
}
URL_SCHEMES = frozenset(("http", "https", "mailto", "tel", "ftp", "sftp", "news", "irc", "callto", "skype", "file"))
STYLE_PROPERTIES = frozenset(
    """color background-color text-align margin-left padding-left width height max-width float border-color
    border-width border-style border-bottom-width border-bottom-color border-bottom-style text-decoration
    font-weight font-style vertical-align white-space""".split()
)

_cleaner = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags={"script", "style"},
    attributes={k: set(v) for k, v in ATTRIBUTES.items()},
    generic_attribute_prefixes={"data-"},
    url_schemes=set(URL_SCHEMES),
    filter_style_properties=set(STYLE_PROPERTIES),
    strip_comments=True,
    link_rel="noopener noreferrer",
)


def clean(html: str) -> str:
    return _cleaner.clean(html)
