"""HTML to Document with trafilatura: the article's main text plus title, author, date and site.

The report shows the extracted text (paragraphs separated by blank lines) and every span indexes it; the HTML itself
is not kept. Very large or deeply nested pages are refused before parsing.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from veracity.config import Settings
from veracity.doc import Document
from veracity.errors import EmptyInputError, InputTooLargeError, UnsupportedInputError
from veracity.ingest.text import from_text

__all__ = ["document_from_html"]

#: trafilatura gives up on pages with more elements than this (HTML bombs, giant tables)
MAX_TREE_SIZE = 200_000
#: libxml2 stops reading elements nested deeper than this, unless asked for a "huge" tree (then about 2,048)
_LIBXML_DEPTH = 256
_HUGE_DEPTH = 2_047
_TAG = re.compile(r"<[a-zA-Z]")


@cache
def _config() -> Any:
    """trafilatura settings: refuse oversized trees; keep short articles (its default minimum is 250 chars)."""
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MAX_TREE_SIZE", str(MAX_TREE_SIZE))
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "50")
    return config


def _fields(result: Any) -> dict[str, Any]:
    return result.as_dict() if result is not None and hasattr(result, "as_dict") else dict(result or {})


def _deeply_nested(html: str, url: str | None, what: str) -> tuple[dict[str, Any], str]:
    """Extraction for pages nested deeper than libxml2's default 256 levels, which it silently cuts off.

    Parsed again with the parser's "huge" option (up to about 2,000 levels); deeper than that is a clear error instead
    of "no text". Returns (fields, text); empty text when the page is not deeply nested (a real "no text").
    """
    import lxml.html
    import trafilatura
    from lxml import etree

    try:
        tree = lxml.html.fromstring(html, parser=lxml.html.HTMLParser(huge_tree=True))
    except (etree.ParserError, ValueError):
        return {}, ""
    depth = _depth(tree)
    if depth < _LIBXML_DEPTH:
        return {}, ""
    if depth >= _HUGE_DEPTH:
        raise UnsupportedInputError(
            f"{what} nests its HTML elements more than {_HUGE_DEPTH - 1:,} levels deep, beyond what the HTML parser "
            "reads, so its text cannot be extracted; give the article's text instead"
        )
    fields = _fields(
        trafilatura.bare_extraction(
            tree, url=url, with_metadata=True, include_comments=False, include_tables=False, config=_config()
        )
    )
    raw = fields.get("text") or ""
    if not raw.strip():
        raise UnsupportedInputError(
            f"{what} nests its HTML elements {depth:,} levels deep and no article text could be extracted from it; "
            "give the article's text instead"
        )
    return fields, raw


def _depth(root: Any) -> int:
    """The deepest element's level (one pass, no recursion)."""
    deepest = 0
    stack = [(root, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in node)
    return deepest


def document_from_html(
    html: str,
    *,
    url: str | None = None,
    title: str | None = None,
    settings: Settings | None = None,
    what: str = "the HTML",
) -> Document:
    """Extract the article of an HTML page; refuse pages with no article text or too many elements."""
    import trafilatura

    settings = settings or Settings()
    tags = len(_TAG.findall(html))
    if tags > MAX_TREE_SIZE:
        raise InputTooLargeError(
            f"{what} has {tags:,} HTML elements, over the limit of {MAX_TREE_SIZE:,}; is it a real article page?"
        )
    result = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, config=_config()
    )
    fields = _fields(result)
    raw = fields.get("text") or ""
    if not raw.strip():
        raw = trafilatura.html2txt(html) or ""
    if not raw.strip():
        fields, raw = _deeply_nested(html, url, what)
    paragraphs = [line.strip() for line in raw.splitlines() if line.strip()]
    if not paragraphs:
        raise EmptyInputError(f"{what} holds no article text that could be extracted; give the article's text instead")
    text = "\n\n".join(paragraphs)
    page_url = url or fields.get("url")
    return from_text(
        text,
        title=title or fields.get("title"),
        url=page_url,
        max_chars=settings.max_chars,
        what=what,
        author=fields.get("author"),
        published=fields.get("date"),
        site=fields.get("sitename"),
        source_format="html",
    )
