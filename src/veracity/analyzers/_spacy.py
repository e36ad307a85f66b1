"""Shared spaCy parses: several analyzers read the same parse, so each document is parsed once.

The cache is keyed by document id and checked against the text, small (recent documents only), and thread-safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from veracity.doc import Document
from veracity.models.loading import spacy_pipeline

__all__ = ["parse", "parse_many"]

_CACHE_SIZE = 64
_cache: OrderedDict[str, Any] = OrderedDict()
_lock = threading.Lock()


def _cached(doc: Document) -> Any | None:
    with _lock:
        parsed = _cache.get(doc.id)
        if parsed is not None and parsed.text == doc.text:
            _cache.move_to_end(doc.id)
            return parsed
        return None


def _store(doc: Document, parsed: Any) -> None:
    with _lock:
        _cache[doc.id] = parsed
        _cache.move_to_end(doc.id)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def parse(doc: Document) -> Any:
    """The spaCy ``Doc`` of a document's text (parsed once, then served from the cache)."""
    return parse_many([doc])[0]


def parse_many(docs: Sequence[Document]) -> list[Any]:
    """spaCy parses of several documents, batching the ones not yet parsed through ``nlp.pipe``."""
    out: list[Any] = [_cached(d) for d in docs]
    missing = [i for i, p in enumerate(out) if p is None]
    if missing:
        nlp = spacy_pipeline()
        for i, parsed in zip(missing, nlp.pipe((docs[i].text for i in missing), batch_size=16), strict=True):
            _store(docs[i], parsed)
            out[i] = parsed
    return out
