"""Confluence's default look and feel, and the validated shape of custom look and feel settings."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from localfluence.kit.requestbody import RequestBody as Body


def _container(background: str) -> dict[str, Any]:
    return {
        "background": background,
        "backgroundColor": background,
        "backgroundImage": "",
        "backgroundSize": "auto",
        "padding": "0",
        "borderRadius": "0",
    }


def look_and_feel(
    *, accent: str = "#0052CC", header: str = "#FFFFFF", text: str = "#42526E", page: str = "#FFFFFF"
) -> dict[str, Any]:
    """A complete LookAndFeel document (every field the spec requires) from a few colours."""
    navigation = {
        "color": text,
        "highlightColor": accent,
        "hoverOrFocus": {"backgroundColor": "#EBECF0", "color": text},
    }
    return {
        "headings": {"color": "#172B4D"},
        "links": {"color": accent},
        "menus": {"hoverOrFocus": {"backgroundColor": "#EBECF0"}, "color": text},
        "header": {
            "backgroundColor": header,
            "button": {"backgroundColor": accent, "color": "#FFFFFF"},
            "primaryNavigation": navigation,
            "secondaryNavigation": navigation,
            "search": {"backgroundColor": "#F4F5F7", "color": text},
        },
        "horizontalHeader": {
            "backgroundColor": header,
            "button": {"backgroundColor": accent, "color": "#FFFFFF"},
            "primaryNavigation": {
                "color": text,
                "highlightColor": accent,
                "hoverOrFocus": {"backgroundColor": "#EBECF0", "color": text},
            },
            "secondaryNavigation": navigation,
            "search": {"backgroundColor": "#F4F5F7", "color": text},
        },
        "content": {
            "screen": {"background": page, "backgroundColor": page, "layer": None, "gutterTop": None},
            "container": _container(page),
            "header": _container(page),
            "body": _container(page),
        },
        "bordersAndDividers": {"color": "#DFE1E6"},
        "spaceReference": None,
    }


DEFAULT = look_and_feel()

Colour = str


class ColourOnly(Body):
    color: Colour = Field(min_length=1, max_length=64)


class HoverBackground(Body):
    backgroundColor: Colour = Field(min_length=1, max_length=64)


class Menus(Body):
    color: Colour = Field(min_length=1, max_length=64)
    hoverOrFocus: HoverBackground


class Hover(Body):
    backgroundColor: Colour = Field(min_length=1, max_length=64)
    color: Colour = Field(min_length=1, max_length=64)


class Navigation(Body):
    color: Colour = Field(min_length=1, max_length=64)
    highlightColor: Colour | None = None
    hoverOrFocus: Hover


class Header(Body):
    backgroundColor: Colour = Field(min_length=1, max_length=64)
    button: Hover
    primaryNavigation: Navigation
    secondaryNavigation: Navigation
    search: Hover


class Container(Body):
    background: str = Field(max_length=2000)
    backgroundColor: str | None = Field(default=None, max_length=2000)
    backgroundImage: str | None = Field(default=None, max_length=2000)
    backgroundSize: str | None = Field(default=None, max_length=2000)
    padding: str = Field(max_length=200)
    borderRadius: str = Field(max_length=200)


class Screen(Body):
    background: str = Field(max_length=2000)
    backgroundColor: str | None = Field(default=None, max_length=2000)
    backgroundImage: str | None = Field(default=None, max_length=2000)
    backgroundSize: str | None = Field(default=None, max_length=2000)


class Content(Body):
    screen: Screen | None = None
    container: Container | None = None
    header: Container | None = None
    body: Container | None = None


class LookAndFeelIn(Body):
    """POST /settings/lookandfeel/custom: the fields the spec requires, each validated."""

    headings: ColourOnly
    links: ColourOnly
    menus: Menus
    header: Header
    content: Content
    bordersAndDividers: ColourOnly

    def stored(self) -> dict[str, Any]:
        out = self.model_dump(exclude_none=True)
        # A container the spec marks as carrying these fields gets them even when sent without.
        for name in ("container", "header", "body"):
            if name in out["content"]:
                for key in ("backgroundColor", "backgroundImage", "backgroundSize"):
                    out["content"][name].setdefault(key, None)
        out["spaceReference"] = None
        return out
