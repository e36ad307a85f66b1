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
from veracity.errors import DecodingError, InputError
from veracity.ingest.files import document_from_bytes, read_file

__all__ = ["load_source", "to_document", "with_headline"]

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
    ``id`` keeps a caller's document id (a batch record's), else the content hash. A title (given, or the page's)
    is analysed with the body: see ``with_headline``.
    """
    settings = settings or Settings()
    given = [k for k, v in (("text", text), ("html", html), ("url", url), ("data", data)) if v is not None]
    if len(given) != 1:
        raise InputError(f"give exactly one of text, html, url or data (got {', '.join(given) or 'none'})")
    extra = {k: v for k, v in (meta or {}).items() if v is not None}
    for field_name, value in (("text", text), ("html", html), ("url", url), ("title", title), ("id", id)):
        _refuse_surrogates(value, field_name, name)
    if text is not None:
        from veracity.ingest.text import from_text

        doc = from_text(text, max_chars=settings.max_chars, what=name, **extra)
    elif html is not None:
        from veracity.ingest.html import document_from_html

        doc = document_from_html(html, url=extra.get("url"), title=title, settings=settings, what=name)
    elif url is not None:
        from veracity.ingest.url import fetch_document

        doc = fetch_document(url.strip(), settings=settings, title=title)
    else:
        assert data is not None
        doc = document_from_bytes(data, name=name, settings=settings, title=title, is_html=is_html)
    return with_headline(doc, title or doc.meta.get("title"), id=id, meta=extra)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_surrogates(value: str | None, field_name: str, name: str) -> None:
    """A lone UTF-16 surrogate (valid in JSON as "\\ud800", never text) is the sender's error, said with its place."""
    if value is None:
        return
    found = _SURROGATE.search(value)
    if found is not None:
        raise DecodingError(
            f"{name}: {field_name} holds a lone UTF-16 surrogate (\\u{ord(found.group()):04x}) at character "
            f"{found.start()}, which is not text; fix the program that wrote it (it split a surrogate pair or an emoji)"
        )


def with_headline(
    doc: Document, title: str | None, *, id: str | None = None, meta: dict[str, Any] | None = None
) -> Document:
    """The document with its headline analysed like the body: ``title`` + a blank line + the text, unless the text
    already opens with the title. ``meta.headline`` is the title's range and ``meta.body_start`` where the body
    begins, so offsets into the text as given are ``start - body_start``."""
    fields = {**doc.meta, **(meta or {})}
    title = " ".join((title or "").split())
    if not title:
        return doc if not meta and id is None else Document(doc.text, meta=fields, id=id or doc.id)
    fields["title"] = title
    lead = len(doc.text) - len(doc.text.lstrip())
    if " ".join(doc.text[lead : lead + len(title) + 40].split()).startswith(title):
        end = lead + len(title)
        while " ".join(doc.text[lead:end].split()) != title and end < len(doc.text):
            end += 1
        fields.update(headline={"start": lead, "end": end}, body_start=0)
        return Document(doc.text, meta=fields, id=id or doc.id)
    fields.update(headline={"start": 0, "end": len(title)}, body_start=len(title) + 2)
    return Document(f"{title}\n\n{doc.text}", meta=fields, id=id)


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
        return to_document(data=data, name="standard input", settings=settings, title=title)
    if source.lower().startswith(("http://", "https://")):
        return to_document(url=source, settings=settings, title=title)
    found = _SCHEME.match(source)
    if found and not Path(source).exists():
        scheme = found.group(1)
        raise InputError(f"{source!r} uses the {scheme}: scheme; veracity fetches only http:// and https:// URLs")
    doc = read_file(Path(source), settings=settings, title=title)
    return with_headline(doc, title or doc.meta.get("title"))
