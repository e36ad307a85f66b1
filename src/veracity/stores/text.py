"""Text cleaning and tokenising for fact-check search: tweets carry handles, links, dates and hashtags."""

from __future__ import annotations

import re
from functools import cache, lru_cache

__all__ = ["clean_query", "content_tokens", "tokenize"]

_URL = re.compile(r"(?:https?://|www\.)\S+|pic\.twitter\.com/\S+|\b\w+\.(?:com|ly|co|org|net)/\S+", re.I)
# the trailer of an embedded tweet: "— Name (@handle) January 6, 2020"
_TRAILER = re.compile(r"[—–-]{1,2}\s*[^—–\n]{0,80}\(@\w+\)\s*\w+\s+\d{1,2},\s+\d{4}\s*$")
_HANDLE = re.compile(r"@(\w+)")
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)")
_NON_TEXT = re.compile(r"[^\w\s.,;:!?'\"’“”()$%&/-]+")
_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def clean_query(text: str) -> str:
    """Drop links, tweet trailers and emoji; turn ``@Handle``/``#HashTag`` into words (``Hash Tag``)."""
    text = _URL.sub(" ", text)
    text = _TRAILER.sub(" ", text)
    text = _HANDLE.sub(lambda m: _CAMEL.sub(" ", m.group(1)).replace("_", " "), text)
    text = _HASHTAG.sub(lambda m: _CAMEL.sub(" ", m.group(1)).replace("_", " "), text)
    text = _NON_TEXT.sub(" ", text)
    return " ".join(text.split())


@cache
def _stopwords() -> frozenset[str]:
    from veracity.stores._stopwords import STOPWORDS

    return STOPWORDS


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    """A light English suffix stripper (plurals, -ing, -ed): enough for BM25 on short claims."""
    if len(token) <= 4 or token.isdigit():
        return token
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            if suffix == "s" and token.endswith(("ss", "us", "is")):
                return token
            return token[: len(token) - len(suffix)] + repl
    return token


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop-word-free, lightly stemmed tokens for BM25 and overlap features."""
    stop = _stopwords()
    return [_stem(t.replace("’", "'")) for t in _TOKEN.findall(text.lower()) if t not in stop]


@lru_cache(maxsize=100_000)
def content_tokens(text: str) -> frozenset[str]:
    """The set of :func:`tokenize` tokens (cached: candidate claims recur across queries)."""
    return frozenset(tokenize(text))
