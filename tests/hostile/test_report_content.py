"""Issue 23 item 10: what a report can carry. Links are http(s) only in every face, Markdown escapes the article's
raw HTML, and the terminal face strips control sequences from article text.

The hostile content comes the ways it really arrives: in the article text, in its metadata, and in a fact-check
record's link (the stand-in claims analyzer attaches a ``javascript:`` fact-check URL to the first claim).
"""

from __future__ import annotations

import re

import pytest

from tests.service.fakes import FakeClaims, FakeSources, FakeTechniques
from veracity.doc import Document
from veracity.pipeline import Pipeline
from veracity.report.render import render

HOSTILE = (
    "White Helmets are terrorists <img src=x onerror=alert(1)> say so-called experts.\x1b[2J\x1b]0;pwned\x07\n\n"
    "The so-called rescuers were seen with anonymous US officials in a [link](javascript:alert(2)) video."
)


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    pipeline = Pipeline(["sentences", FakeTechniques(), FakeClaims(), FakeSources()])
    doc = Document(HOSTILE, meta={"url": "javascript:alert(3)", "title": "Title \x1b[31mred\x1b[0m"})
    return pipeline.run(doc)


def test_html_face_links_only_http_and_escapes_the_article(report) -> None:  # type: ignore[no-untyped-def]
    """Case 10a: no javascript:/data: href from a fact-check or the metadata; the article's tags are text."""
    html = render(report, "html")
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith(("http://", "https://", "#")) for h in hrefs), hrefs
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_markdown_face_links_only_http_and_escapes_raw_html(report) -> None:  # type: ignore[no-untyped-def]
    """Case 10b: Markdown passes no raw HTML or script link from the article or a fact-check record through."""
    md = render(report, "md")
    assert re.search(r"(?<!\\)<img", md) is None  # only the escaped form "\<img" (shown as text) is there
    assert re.search(r"(?<!\\)\]\(javascript:", md, re.IGNORECASE) is None  # no live Markdown link to a script
    assert "https://www.snopes.com/fact-check/x/" in md  # the http(s) fact-check link is kept


def test_terminal_face_strips_control_sequences(report) -> None:  # type: ignore[no-untyped-def]
    """Case 10c: an article cannot clear the screen, retitle the terminal or recolour the report."""
    text = render(report, "text")
    assert "\x1b" not in text and "\x07" not in text
    assert "White Helmets" in text
