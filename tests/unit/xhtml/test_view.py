"""storage → view HTML: every element and macro of the corpus, links resolved through a Resolved,
and the sanitizer as the last gate."""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html

from localfluence.xhtml.references import PageRef, Resolved, collect
from localfluence.xhtml.storage import parse
from localfluence.xhtml.view import ViewOptions, render, render_storage
from tests.unit.xhtml.corpus import NAMES, document, resolve_all

OPTIONS = ViewOptions(mode="view", space_key="ENG", title="Current", content_id=1)


def view_of(storage: str, *, resolved: Resolved | None = None, options: ViewOptions = OPTIONS) -> str:
    root = parse(storage)
    if resolved is None:
        resolved = resolve_all(collect(root, options.space_key))
    return render(root, resolved, options)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mode", ["view", "export_view", "styled_view", "anonymous_export_view"])
def test_corpus_renders_to_html_a_browser_parses(name: str, mode: str) -> None:
    html = view_of(document(name), options=ViewOptions(mode=mode, space_key="ENG", title="Current", content_id=1))
    assert html.strip()
    lxml_html.document_fromstring(html)
    assert "ac:" not in html and "ri:" not in html
    assert "<![CDATA[" not in html


def test_unresolved_corpus_renders_too() -> None:
    for name in NAMES:
        assert render_storage(document(name), Resolved(base="/wiki"), OPTIONS)


def test_text_formatting_passes_through() -> None:
    html = view_of(document("cloud-rich-page"))
    for fragment in (
        "<strong>bold</strong>",
        "<em>italic</em>",
        "<u>underline</u>",
        "<s>strike</s>",
        "<code>inline code</code>",
        "H<sub>2</sub>O",
        "mc<sup>2</sup>",
        'style="color:rgb(255, 86, 48)"',
        'style="text-align:center"',
        'style="margin-left:30.0px"',
        "<hr>",
        "<blockquote><p>Quote of the day.</p></blockquote>",
        '<ol start="3">',
    ):
        assert fragment in html, fragment


def test_headings_get_ids_and_toc_links_to_them() -> None:
    html = view_of(document("macro-catalogue"))
    assert 'id="Current-One"' in html and 'id="Current-One.1"' in html
    assert 'id="Current-Four(skipsalevel)"' in html
    flat = re.search(r'<span class="toc-flat">(.*?)</span>', html)
    assert flat is not None and flat.group(1).count("<a ") == 4 and " | " in flat.group(1)
    nested = view_of("<h1>A</h1><h2>B</h2><h3>C</h3><h1>D</h1>" + '<ac:structured-macro ac:name="toc"/>')
    assert (
        '<ul><li><a href="#Current-A" rel="noopener noreferrer">A</a><ul><li><a href="#Current-B" '
        'rel="noopener noreferrer">B</a><ul><li><a href="#Current-C"'
    ) in nested
    limited = view_of(
        '<h1>A</h1><h2>B</h2><ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">1'
        "</ac:parameter></ac:structured-macro>"
    )
    assert "#Current-A" in limited and "#Current-B" not in limited


def test_links_resolve_to_this_servers_urls() -> None:
    html = view_of(document("cloud-rich-page"))
    assert 'href="/wiki/spaces/ENG/pages/' in html and ">new search</a>" in html
    assert ">Style Guide</a>" in html
    assert 'href="/wiki/people/5b10ac8d82e05b22cc7d4ef5"' in html and "User 4ef5" in html
    assert 'href="/wiki/download/attachments/1/api-spec.yaml?version=1&amp;api=v2"' in html
    assert 'href="/wiki/spaces/OPS"' in html and "Space OPS" in html
    assert ">Year in review</a>" in html
    assert 'href="#Current-Risks"' in html
    assert 'src="/wiki/download/attachments/1/diagram.png?version=1&amp;api=v2"' in html
    assert 'src="https://example.com/logo.png"' in html


def test_export_view_links_are_absolute() -> None:
    storage = '<p><ac:link><ri:page ri:content-title="A"/></ac:link></p>'
    root = parse(storage)
    resolved = resolve_all(collect(root, "ENG"), base="https://wiki.example.com/wiki")
    html = render(root, resolved, ViewOptions(mode="export_view", space_key="ENG"))
    assert 'href="https://wiki.example.com/wiki/spaces/ENG/pages/' in html


def test_missing_targets_render_as_missing_without_details() -> None:
    storage = (
        '<p><ac:link><ri:page ri:content-title="Gone"/></ac:link>'
        '<ac:link><ri:content-entity ri:content-id="42"/><ac:plain-text-link-body><![CDATA[by id]]>'
        '</ac:plain-text-link-body></ac:link><ac:link><ri:attachment ri:filename="f.pdf"/></ac:link>'
        '<ac:link><ri:space ri:space-key="HIDDEN"/></ac:link></p>'
        '<ac:image><ri:attachment ri:filename="i.png"/></ac:image>'
    )
    html = view_of(storage, resolved=Resolved(base="/wiki"))
    assert 'class="createlink" href="/wiki/pages/createpage.action?spaceKey=ENG&amp;title=Gone"' in html
    assert '<span class="unresolved">by id</span>' in html
    assert "/pages/42" not in html
    assert '<span class="unresolved">f.pdf</span>' in html
    assert "<img" not in html


def test_tasks_render_as_checkboxes() -> None:
    html = view_of(document("nested-macros"))
    assert '<ul class="inline-task-list" data-inline-tasks-content-id="1">' in html
    assert '<li data-inline-task-id="7"><input type="checkbox" disabled="disabled"> Parent task' in html
    assert (
        '<li class="checked" data-inline-task-id="8"><input type="checkbox" checked="checked" disabled="disabled">'
        in html
    )


def test_macros_render() -> None:
    html = view_of(document("cloud-rich-page") + document("nested-macros") + document("macro-catalogue"))
    assert "aui-lozenge-success" in html and "ON TRACK" in html
    assert "aui-lozenge-error aui-lozenge-subtle" in html
    assert "confluence-information-macro-warning" in html
    assert '<details class="conf-macro output-block expand-container"' in html
    assert "brush: python" in html and "print(&quot;&lt;not a tag&gt; &amp; done&quot;)" not in html
    assert 'print("&lt;not a tag&gt; &amp; done")' in html
    assert "SELECT * FROM t WHERE a &lt; 3;" in html
    assert 'class="panelHeader"' in html and "background-color:#deebff" in html
    assert "Included from Shared footer" in html
    assert "Excerpt of Overview" in html
    assert "Child page" in html and "Grandchild page" in html
    assert "Labelled page" in html and "Recent page" in html
    assert 'href="/browse/ENG-42"' in html and "jql=project%20%3D%20ENG" in html
    assert "photo.png" in html
    assert "Unknown macro: 'my-company-widget'" in html
    assert "Body of a macro nobody installed" not in html
    assert "This page explains nesting." in html
    assert '<span class="confluence-anchor-link" id="Current-installation">' in view_of(
        document("sphinx-confluencebuilder")
    )


def test_emoticons_layouts_placeholders_and_comments() -> None:
    html = view_of(document("cloud-rich-page") + document("legacy-server"))
    assert "\u2705" in html and "\U0001f680" in html and "\U0001f642" in html
    assert '<div class="columnLayout two-equal" data-layout="two-equal">' in html
    assert "Type something here" not in html
    assert (
        '<span class="inline-comment-marker" data-ref="8d8d2a1c-aaaa-bbbb-cccc-123456789abc">commented</span>' in html
    )
    assert "We ship on Friday" in html
    assert "a comment the view must not show" not in html
    assert '<time datetime="2025-03-14">14 Mar 2025</time>' in html


def test_script_injection_never_reaches_view() -> None:
    storage = (
        '<p onmouseover="alert(1)">a<script>alert(2)</script></p>'
        '<a href="javascript:alert(3)">x</a><a href="JaVaScRiPt:alert(4)">y</a><a href="  javascript:alert(5)">z</a>'
        '<img src="javascript:alert(6)"/><img src="x" onerror="alert(7)"/>'
        '<ac:image><ri:url ri:value="javascript:alert(8)"/></ac:image>'
        '<ac:link><ri:url ri:value="javascript:alert(9)"/>'
        "<ac:plain-text-link-body><![CDATA[l]]></ac:plain-text-link-body></ac:link>"
        '<span style="background-image: url(javascript:alert(10))">s</span><iframe src="//evil"></iframe>'
        '<ac:structured-macro ac:name="panel"><ac:parameter ac:name="bgColor">expression(alert(11))</ac:parameter>'
        "<ac:rich-text-body><p>p</p></ac:rich-text-body></ac:structured-macro>"
        '<ac:emoticon ac:name="x&quot; onload=&quot;alert(12)"/><form action="/x"><input name="q"/></form>'
        '<ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">">'
        "<script>alert(13)</script></ac:parameter></ac:structured-macro>"
    )
    for mode in ("view", "export_view", "styled_view", "anonymous_export_view"):
        html = view_of(storage, options=ViewOptions(mode=mode))
        assert_harmless(html)


def assert_harmless(html: str) -> None:
    """No element, attribute or URL that a browser would run, whatever the text says."""
    document = lxml_html.document_fromstring(html)
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in ("script", "iframe", "form", "object", "embed", "svg", "input") or (
            element.tag == "input" and element.get("type") == "checkbox"
        ), element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            if name in ("href", "src"):
                assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:")), value
            if name == "style":
                assert "url(" not in value and "expression(" not in value, value


def test_include_renders_the_other_page_as_that_page() -> None:
    footer = PageRef("DOC", "Footer")
    storage = (
        '<ac:structured-macro ac:name="include"><ac:parameter ac:name=""><ac:link><ri:page ri:space-key="DOC" '
        'ri:content-title="Footer"/></ac:link></ac:parameter></ac:structured-macro>'
    )
    root = parse(storage)
    resolved = resolve_all(collect(root, "ENG"))
    included = '<p><ac:link><ri:page ri:content-title="Sibling"/></ac:link></p>'
    resolved.includes[footer] = (resolved.pages[footer], included)
    sibling = PageRef("DOC", "Sibling")
    resolved.pages[sibling] = resolved.pages[footer].__class__(999, "page", "Sibling", "DOC", "/spaces/DOC/pages/999/S")
    html = render(root, resolved, OPTIONS)
    # A relative link in the included page points into the included page's space.
    assert 'href="/wiki/spaces/DOC/pages/999/S"' in html


def test_styled_view_is_a_complete_document() -> None:
    html = view_of("<p>x</p>", options=ViewOptions(mode="styled_view", title="T"))
    assert html.startswith("<!DOCTYPE html><html><head>")
    assert "<style>" in html and "<title>T</title>" in html and "<p>x</p>" in html
