"""Dispatch a user's source (text, a path, ``-`` for stdin, or a URL) to the right reader."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import BinaryIO

from veracity.config import Settings
from veracity.doc import Document
from veracity.errors import InputError
from veracity.ingest.files import document_from_bytes, read_file

__all__ = ["load_source"]

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")


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
    scheme = _SCHEME.match(source)
    if scheme and not Path(source).exists():
        scheme = scheme.group(1)
        raise InputError(f"{source!r} uses the {scheme}: scheme; veracity fetches only http:// and https:// URLs")
    return read_file(Path(source), settings=settings, title=title)
