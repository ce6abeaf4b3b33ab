"""Confluence wiki markup → storage, construct by construct (BEHAVIOUR.md §2.6)."""

from __future__ import annotations

import pytest

from localfluence.xhtml.storage import parse
from localfluence.xhtml.wiki import wiki_to_storage


@pytest.mark.parametrize(
    ("wiki", "storage"),
    [
        ("h1. Title", "<h1>Title</h1>"),
        ("h6. Small *bold*", "<h6>Small <strong>bold</strong></h6>"),
        (
            "*bold* _italic_ -strike- +under+",
            "<p><strong>bold</strong> <em>italic</em> <del>strike</del> <u>under</u></p>",
        ),
        ("x^sup^ and ~sub~ and ??cite??", "<p>x<sup>sup</sup> and <sub>sub</sub> and <cite>cite</cite></p>"),
        ("{{mono}} text", "<p><code>mono</code> text</p>"),
        ("one\\\\two", "<p>one<br />two</p>"),
        ("line one\nline two", "<p>line one<br />line two</p>"),
        ("para one\n\npara two", "<p>para one</p><p>para two</p>"),
        ("----", "<hr />"),
        ("bq. quoted", "<blockquote><p>quoted</p></blockquote>"),
        ("{quote}\nq1\n\nq2\n{quote}", "<blockquote><p>q1</p><p>q2</p></blockquote>"),
        ("\\*not bold\\* \\[not a link\\]", "<p>*not bold* [not a link]</p>"),
        ("a & b < c > d", "<p>a &amp; b &lt; c &gt; d</p>"),
        ("snake_case_name and 2*3*4 and well-known-thing", "<p>snake_case_name and 2*3*4 and well-known-thing</p>"),
        ("{color:red}red{color}", '<p><span style="color: red;">red</span></p>'),
    ],
)
def test_text_and_blocks(wiki: str, storage: str) -> None:
    assert wiki_to_storage(wiki) == storage


def test_lists_nest_and_mix() -> None:
    assert wiki_to_storage("* a\n* b\n** b1\n*# b2\n# n") == (
        "<ul><li>a</li><li>b<ul><li>b1</li></ul><ol><li>b2</li></ol></li></ul><ol><li>n</li></ol>"
    )
    assert wiki_to_storage("- dash\n- list") == "<ul><li>dash</li><li>list</li></ul>"
    assert wiki_to_storage("# one\n## one.one\n# two") == "<ol><li>one<ol><li>one.one</li></ol></li><li>two</li></ol>"


def test_tables() -> None:
    storage = wiki_to_storage(
        "||Head 1||Head 2||\n|[a link|https://x.example/?a=1|tip]|!pic.png|width=20!|\n|{{x|y}}|\\|pipe|"
    )
    assert storage == (
        "<table><tbody><tr><th>Head 1</th><th>Head 2</th></tr>"
        '<tr><td><a href="https://x.example/?a=1">a link</a></td>'
        '<td><ac:image ac:width="20"><ri:attachment ri:filename="pic.png" /></ac:image></td></tr>'
        "<tr><td><code>x|y</code></td><td>|pipe</td></tr></tbody></table>"
    )


@pytest.mark.parametrize(
    ("wiki", "storage"),
    [
        ("[https://example.com]", '<p><a href="https://example.com">https://example.com</a></p>'),
        ("[Example|https://example.com]", '<p><a href="https://example.com">Example</a></p>'),
        ("[mailto:a@b.example]", '<p><a href="mailto:a@b.example">mailto:a@b.example</a></p>'),
        ("[Page Title]", '<p><ac:link><ri:page ri:content-title="Page Title"/></ac:link></p>'),
        ("[KEY:Page]", '<p><ac:link><ri:page ri:space-key="KEY" ri:content-title="Page"/></ac:link></p>'),
        (
            "[alias|Page]",
            '<p><ac:link><ri:page ri:content-title="Page"/><ac:plain-text-link-body><![CDATA[alias]]>'
            "</ac:plain-text-link-body></ac:link></p>",
        ),
        ("[Page#Section]", '<p><ac:link ac:anchor="Section"><ri:page ri:content-title="Page"/></ac:link></p>'),
        (
            "[#Section]",
            '<p><ac:link ac:anchor="Section"><ac:plain-text-link-body><![CDATA[Section]]></ac:plain-text-link-body>'
            "</ac:link></p>",
        ),
        ("[^file.pdf]", '<p><ac:link><ri:attachment ri:filename="file.pdf"></ri:attachment></ac:link></p>'),
        (
            "[Other^file.pdf]",
            '<p><ac:link><ri:attachment ri:filename="file.pdf"><ri:page ri:content-title="Other"/>'
            "</ri:attachment></ac:link></p>",
        ),
        ("[~accountid:557058:abc]", '<p><ac:link><ri:user ri:account-id="557058:abc" /></ac:link></p>'),
        (
            "[ENG:/2024/01/31/Year end]",
            '<p><ac:link><ri:blog-post ri:space-key="ENG" ri:posting-day="2024/01/31" '
            'ri:content-title="Year end"/></ac:link></p>',
        ),
    ],
)
def test_links(wiki: str, storage: str) -> None:
    assert wiki_to_storage(wiki) == storage


@pytest.mark.parametrize(
    ("wiki", "storage"),
    [
        ("!image.png!", '<p><ac:image><ri:attachment ri:filename="image.png" /></ac:image></p>'),
        (
            "!https://x.example/a.png|align=center,alt=Logo!",
            '<p><ac:image ac:align="center" ac:alt="Logo"><ri:url ri:value="https://x.example/a.png" /></ac:image></p>',
        ),
        (
            "!Other^pic.png|thumbnail!",
            '<p><ac:image ac:thumbnail="true"><ri:attachment ri:filename="pic.png"><ri:page ri:content-title="Other"/>'
            "</ri:attachment></ac:image></p>",
        ),
        ("Wow!Great!", "<p>Wow!Great!</p>"),
    ],
)
def test_images(wiki: str, storage: str) -> None:
    assert wiki_to_storage(wiki) == storage


def test_emoticons() -> None:
    storage = wiki_to_storage("(/) (x) (!) (i) :) ;) (y) (*r)")
    names = ["tick", "cross", "warning", "information", "smile", "wink", "thumbs-up", "red-star"]
    assert storage == "<p>" + " ".join(f'<ac:emoticon ac:name="{n}" />' for n in names) + "</p>"


def test_code_and_noformat_keep_their_text() -> None:
    storage = wiki_to_storage(
        "{code:language=java|title=Main}\nclass A { *not bold* ]]> }\n{code}\n{noformat}\n_raw_\n{noformat}"
    )
    assert storage == (
        '<ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="language">java</ac:parameter>'
        '<ac:parameter ac:name="title">Main</ac:parameter><ac:plain-text-body><![CDATA[class A { *not bold* ]]]]>'
        "<![CDATA[> }]]></ac:plain-text-body></ac:structured-macro>"
        '<ac:structured-macro ac:name="noformat" ac:schema-version="1"><ac:plain-text-body><![CDATA[_raw_]]>'
        "</ac:plain-text-body></ac:structured-macro>"
    )
    assert 'ac:name="language">python<' in wiki_to_storage("{code:python}x{code}")


def test_bodied_macros_nest() -> None:
    storage = wiki_to_storage(
        "{panel:title=Outer}\n*b*\n{panel:title=Inner}\ninner\n{panel}\n{info}\nnote\n{info}\n{panel}\nafter"
    )
    assert storage == (
        '<ac:structured-macro ac:name="panel" ac:schema-version="1"><ac:parameter ac:name="title">Outer</ac:parameter>'
        "<ac:rich-text-body><p><strong>b</strong></p>"
        '<ac:structured-macro ac:name="panel" ac:schema-version="1"><ac:parameter ac:name="title">Inner</ac:parameter>'
        "<ac:rich-text-body><p>inner</p></ac:rich-text-body></ac:structured-macro>"
        '<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:rich-text-body><p>note</p></ac:rich-text-body>'
        "</ac:structured-macro></ac:rich-text-body></ac:structured-macro><p>after</p>"
    )
    for name in ("note", "tip", "warning", "expand"):
        assert f'ac:name="{name}"' in wiki_to_storage(f"{{{name}}}x{{{name}}}")


def test_other_macros() -> None:
    assert wiki_to_storage("{toc:maxLevel=2}") == (
        '<ac:structured-macro ac:name="toc" ac:schema-version="1"><ac:parameter ac:name="maxLevel">2</ac:parameter>'
        "</ac:structured-macro>"
    )
    assert wiki_to_storage("see {anchor:here} and {status:colour=Green|title=OK}") == (
        '<p>see <ac:structured-macro ac:name="anchor" ac:schema-version="1"><ac:parameter ac:name="">here'
        '</ac:parameter></ac:structured-macro> and <ac:structured-macro ac:name="status" ac:schema-version="1">'
        '<ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">OK</ac:parameter>'
        "</ac:structured-macro></p>"
    )
    assert wiki_to_storage("{include:DOC:Footer}") == (
        '<ac:structured-macro ac:name="include" ac:schema-version="1"><ac:parameter ac:name=""><ac:link>'
        '<ri:page ri:space-key="DOC" ri:content-title="Footer"/></ac:link></ac:parameter></ac:structured-macro>'
    )
    assert 'ac:name="my-macro"' in wiki_to_storage("{my-macro:a=1|b=2}")


@pytest.mark.parametrize(
    "wiki",
    [
        "{code}never closed",
        "{panel}never closed",
        "[unclosed link",
        "*unclosed",
        "||",
        "|",
        "!",
        "{",
        "}",
        "[]",
        "{{}}",
        "h1.",
        "* ",
    ],
)
def test_odd_markup_still_makes_valid_storage(wiki: str) -> None:
    parse(wiki_to_storage(wiki))
