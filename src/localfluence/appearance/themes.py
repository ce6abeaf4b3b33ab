"""The built-in theme catalogue; each theme brings its own look and feel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from localfluence.appearance.lookandfeel import look_and_feel


@dataclass(frozen=True)
class Theme:
    key: str
    name: str
    description: str
    look_and_feel: dict[str, Any] = field(hash=False, compare=False)

    def json(self) -> dict[str, Any]:
        return {
            "themeKey": self.key,
            "name": self.name,
            "description": self.description,
            "icon": {
                "path": f"/images/themes/{self.key.rsplit(':', 1)[-1]}.png",
                "width": 110,
                "height": 73,
                "isDefault": self.key == DEFAULT_THEME_KEY,
            },
        }


DEFAULT_THEME_KEY = "com.atlassian.confluence.themes.default:default"

THEMES: tuple[Theme, ...] = (
    Theme(DEFAULT_THEME_KEY, "Default Theme", "The default Confluence theme.", look_and_feel()),
    Theme(
        "com.atlassian.confluence.plugins.doctheme:documentation",
        "Documentation Theme",
        "A theme for documentation spaces: a navigable page tree beside the content.",
        look_and_feel(accent="#0065FF", header="#F4F5F7"),
    ),
    Theme(
        "localfluence.themes:midnight",
        "Midnight",
        "Light text on a dark header.",
        look_and_feel(accent="#4C9AFF", header="#172B4D", text="#DEEBFF"),
    ),
    Theme(
        "localfluence.themes:meadow",
        "Meadow",
        "Green accents on a warm page.",
        look_and_feel(accent="#00875A", header="#E3FCEF", page="#FFFEF5"),
    ),
)

BY_KEY = {theme.key: theme for theme in THEMES}
