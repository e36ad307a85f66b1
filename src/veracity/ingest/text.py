"""Plain text to Document, and the checks every text input passes (empty, too large, binary)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from veracity.doc import Document
from veracity.errors import EmptyInputError, InputTooLargeError, UnsupportedInputError

__all__ = ["check_text", "domain_of", "from_text"]

#: default cap on the text of one document, in characters (configurable: VERACITY_MAX_CHARS / --max-chars); the same
#: as ``Settings.max_chars``: what the layers compute within the service's time budget (benchmarks/bench_long_text.py)
DEFAULT_MAX_CHARS = 300_000


def check_text(text: str, *, what: str = "the input", max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Refuse empty, oversized and binary-looking text with a message naming the problem and the fix."""
    if not text.strip():
        raise EmptyInputError(f"{what} is empty (no text to analyse); give an article with some text")
    if len(text) > max_chars:
        raise InputTooLargeError(
            f"{what} has {len(text):,} characters, over the cap of {max_chars:,}; split it or raise the cap "
            "(--max-chars or VERACITY_MAX_CHARS)"
        )
    if "\x00" in text:
        raise UnsupportedInputError(
            f"{what} contains NUL bytes, so it looks binary; veracity reads text, HTML, JSONL, CSV and Parquet"
        )
    return text


def domain_of(url: str | None) -> str | None:
    """The host of a URL without a leading ``www.`` (``https://www.bbc.co.uk/x`` → ``bbc.co.uk``)."""
    if not url:
        return None
    host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.") or None


def from_text(
    text: str,
    *,
    title: str | None = None,
    url: str | None = None,
    id: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    what: str = "the text",
    **meta: Any,
) -> Document:
    """A Document from text as given (no normalisation: spans must index exactly what the user sees)."""
    if not isinstance(text, str):
        raise UnsupportedInputError(f"{what} must be a string, not {type(text).__name__}")
    check_text(text, what=what, max_chars=max_chars)
    fields: dict[str, Any] = {"title": title, "url": url, "domain": domain_of(url), **meta}
    return Document(text, meta={k: v for k, v in fields.items() if v is not None}, id=id)
