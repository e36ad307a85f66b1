"""Turn what a user gives into a Document: ``to_document`` is the one "source → Document" function of every face.

The CLI (``load_source``: a path, ``-`` or a URL), the service (text, HTML or a URL in a request) and the batch runner
(one record: text, HTML, a URL or a file's bytes) all call ``to_document``, so each kind of input is read, capped and
refused the same way everywhere.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, BinaryIO

from veracity.config import Settings
from veracity.doc import Document
from veracity.errors import InputError
from veracity.ingest.files import document_from_bytes, read_file

__all__ = ["load_source", "to_document"]

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")


def to_document(
    *,
    text: str | None = None,
    html: str | None = None,
    url: str | None = None,
    data: bytes | None = None,
    name: str = "the input",
    title: str | None = None,
    id: str | None = None,
    is_html: bool | None = None,
    settings: Settings | None = None,
    meta: dict[str, Any] | None = None,
) -> Document:
    """A Document from exactly one of ``text``, ``html``, ``url`` (fetched safely) or ``data`` (a file's bytes).

    ``name`` says what the input is in error messages; ``meta`` is merged over what the reader found (title, url…);
    ``id`` keeps a caller's document id (a batch record's), else the content hash.
    """
    settings = settings or Settings()
    given = [k for k, v in (("text", text), ("html", html), ("url", url), ("data", data)) if v is not None]
    if len(given) != 1:
        raise InputError(f"give exactly one of text, html, url or data (got {', '.join(given) or 'none'})")
    extra = {k: v for k, v in (meta or {}).items() if v is not None}
    if text is not None:
        from veracity.ingest.text import from_text

        fields = {"title": title, **extra}
        return from_text(text, id=id, max_chars=settings.max_chars, what=name, **fields)
    if html is not None:
        from veracity.ingest.html import document_from_html

        doc = document_from_html(html, url=extra.get("url"), title=title, settings=settings, what=name)
    elif url is not None:
        from veracity.ingest.url import fetch_document

        doc = fetch_document(url.strip(), settings=settings, title=title)
    else:
        assert data is not None
        doc = document_from_bytes(data, name=name, settings=settings, title=title, is_html=is_html)
    if not extra and id is None:
        return doc
    return Document(doc.text, meta={**doc.meta, **extra}, id=id or doc.id)


def load_source(
    source: str,
    *,
    settings: Settings | None = None,
    title: str | None = None,
    stdin: BinaryIO | None = None,
) -> Document:
    """A Document from a path, ``-`` (standard input) or an http(s) URL; anything else is a clear InputError."""
    settings = settings or Settings()
    if source == "-":
        stream = stdin or sys.stdin.buffer
        data = stream.read(settings.max_bytes + 1)
        return document_from_bytes(data, name="standard input", settings=settings, title=title)
    if source.lower().startswith(("http://", "https://")):
        from veracity.ingest.url import fetch_document

        return fetch_document(source, settings=settings, title=title)
    found = _SCHEME.match(source)
    if found and not Path(source).exists():
        scheme = found.group(1)
        raise InputError(f"{source!r} uses the {scheme}: scheme; veracity fetches only http:// and https:// URLs")
    return read_file(Path(source), settings=settings, title=title)
