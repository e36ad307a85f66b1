"""Page furniture that is not the article's own claims: footnotes, related-link lists, share prompts, captions,
copyright lines. The text keeps them (offsets never change); the claims analyzer marks them and never ranks them.

Rules, not a model: each is a cue at the start of a paragraph (a block between blank lines) or of a sentence, the
places where scraped pages put such lines ("*A terrorist group outlawed in Russia…", "4015 Related Turkish Forces…",
"Never miss a story again, sign up to our Telegram channel", "(AFP Photo)", "Copyright 2018 TRT World").
"""

from __future__ import annotations

import re

__all__ = ["BOILERPLATE_KINDS", "boilerplate_kind"]

BOILERPLATE_KINDS = {
    "footnote": "a footnote (a line that starts with *, †, ‡ or [n])",
    "related_links": "a list of links to other stories",
    "share_prompt": "a prompt to share, follow or subscribe",
    "caption": "a photo or video caption or credit",
    "copyright": "a copyright line",
}

_LEAD = r"^[\s.…·|>»\-–—]*"
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("footnote", re.compile(_LEAD + r"(\*{1,4}|[†‡]|\[\d{1,3}\])\s*\S")),
    (
        "related_links",
        # "Related" only as a heading: followed by a colon, News/Stories/Articles or a capitalised headline
        re.compile(
            _LEAD + r"((\d+\s+)?Related(:|\s+(News|Stories|Articles|Content)\b|\s+[A-Z0-9])"
            r"|(?i:(read (more|also)|see also|more from|recommended for you|you may also like|also read|most read"
            r"|trending now)\b))"
        ),
    ),
    (
        "share_prompt",
        re.compile(
            _LEAD + r"(share (this|on|via)|follow us|subscribe|sign up|like us on|click here|download (our|the) app"
            r"|never miss a story|print tweet|tweet share|join our)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "caption",
        re.compile(
            _LEAD + r"((photo|image|picture|caption|credit|file photo|photograph|video)\s*[:(]"
            r"|\((ap|afp|reuters|getty|epa)[^)]{0,40}(photo|images?)\)\s*$)",
            re.IGNORECASE,
        ),
    ),
    ("copyright", re.compile(_LEAD + r"(©|\(c\)\s|copyright\b)|\ball rights reserved\b", re.IGNORECASE)),
]


def boilerplate_kind(sentence: str, paragraph: str | None = None) -> str | None:
    """The kind of page furniture a sentence is (its paragraph's kind when the paragraph starts as furniture)."""
    for text in (paragraph, sentence):
        if not text:
            continue
        for kind, pattern in _RULES:
            if pattern.search(text[:300]):
                return kind
    return None
