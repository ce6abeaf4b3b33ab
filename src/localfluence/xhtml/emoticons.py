"""Confluence's legacy emoticon names, their wiki shortcuts and the emoji they stand for."""

from __future__ import annotations

# name: (character, Cloud shortname, emoji id)
EMOTICONS: dict[str, tuple[str, str, str]] = {
    "smile": ("\U0001f642", ":slight_smile:", "1f642"),
    "sad": ("\U0001f641", ":slight_frown:", "1f641"),
    "cheeky": ("\U0001f61b", ":stuck_out_tongue:", "1f61b"),
    "laugh": ("\U0001f600", ":grinning:", "1f600"),
    "wink": ("\U0001f609", ":wink:", "1f609"),
    "thumbs-up": ("\U0001f44d", ":thumbsup:", "1f44d"),
    "thumbs-down": ("\U0001f44e", ":thumbsdown:", "1f44e"),
    "information": ("\u2139\ufe0f", ":information_source:", "atlassian-info"),
    "tick": ("\u2705", ":white_check_mark:", "atlassian-check_mark"),
    "cross": ("\u274c", ":x:", "atlassian-cross_mark"),
    "warning": ("\u26a0\ufe0f", ":warning:", "atlassian-warning"),
    "plus": ("\u2795", ":heavy_plus_sign:", "atlassian-plus"),
    "minus": ("\u2796", ":heavy_minus_sign:", "atlassian-minus"),
    "question": ("\u2753", ":question:", "atlassian-question_mark"),
    "light-on": ("\U0001f4a1", ":bulb:", "atlassian-light_bulb_on"),
    "light-off": ("\U0001f4a1", ":bulb:", "atlassian-light_bulb_off"),
    "yellow-star": ("\u2b50", ":star:", "atlassian-yellow_star"),
    "red-star": ("\u2b50", ":star:", "atlassian-red_star"),
    "green-star": ("\u2b50", ":star:", "atlassian-green_star"),
    "blue-star": ("\u2b50", ":star:", "atlassian-blue_star"),
    "heart": ("\u2764\ufe0f", ":heart:", "2764"),
    "broken-heart": ("\U0001f494", ":broken_heart:", "1f494"),
}

# Wiki markup shortcuts, longest first so "(*r)" wins over "(*)".
WIKI_SHORTCUTS: list[tuple[str, str]] = [
    ("(*r)", "red-star"),
    ("(*g)", "green-star"),
    ("(*b)", "blue-star"),
    ("(*y)", "yellow-star"),
    ("(on)", "light-on"),
    ("(off)", "light-off"),
    ("(/)", "tick"),
    ("(x)", "cross"),
    ("(!)", "warning"),
    ("(i)", "information"),
    ("(+)", "plus"),
    ("(-)", "minus"),
    ("(?)", "question"),
    ("(y)", "thumbs-up"),
    ("(n)", "thumbs-down"),
    ("(*)", "yellow-star"),
    ("(<3)", "heart"),
    ("(</3)", "broken-heart"),
    (":)", "smile"),
    (":(", "sad"),
    (":P", "cheeky"),
    (":p", "cheeky"),
    (":D", "laugh"),
    (";)", "wink"),
]

_BY_SHORTNAME = {short: name for name, (_, short, _) in EMOTICONS.items()}


def emoticon_char(name: str, shortname: str | None = None) -> str:
    if name in EMOTICONS:
        return EMOTICONS[name][0]
    if shortname and shortname in _BY_SHORTNAME:
        return EMOTICONS[_BY_SHORTNAME[shortname]][0]
    return shortname or name


def name_for_shortname(shortname: str) -> str | None:
    return _BY_SHORTNAME.get(shortname)
