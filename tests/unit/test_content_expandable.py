"""_expandable of content is built as one literal; it must list EXPANDABLE's names in their order."""

from collections import namedtuple

from localfluence.content.serialize import EXPANDABLE, _expandable

Row = namedtuple("Row", "id parent_id type")
Space = namedtuple("Space", "key")


def test_names_and_order() -> None:
    assert tuple(_expandable(Row(7, None, "page"), Space("K"))) == EXPANDABLE


def test_container_of_a_comment_is_its_parent() -> None:
    paths = _expandable(Row(7, 3, "comment"), Space("K"))
    assert paths["container"] == "/rest/api/content/3"
    assert paths["space"] == "/rest/api/space/K"
    assert paths["children"] == "/rest/api/content/7/child"
    assert _expandable(Row(7, 3, "page"), Space("K"))["container"] == "/rest/api/space/K"
