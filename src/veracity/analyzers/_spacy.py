"""Shared spaCy parses: several analyzers read the same parse, so each document is parsed once.

The cache is keyed by document id and checked against the text, small (recent documents only), and thread-safe.

Long texts are parsed in pieces cut at paragraph breaks (blank lines, where a sentence always ends anyway) and joined
back into one ``Doc`` whose text is the original, so parse time grows linearly with length and the parser's working
memory stays that of one piece, however long the document. Texts up to ``2 * PIECE_CHARS`` are parsed whole.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

from veracity import budget
from veracity.doc import Document
from veracity.models.loading import spacy_pipeline

__all__ = ["PIECE_CHARS", "entities_in", "parse", "parse_many", "split_for_parse"]

_CACHE_SIZE = 64
_cache: OrderedDict[str, tuple[str, Any]] = OrderedDict()
_lock = threading.Lock()

_BATCH_CHARS = 40_000
#: texts longer than twice this are parsed in pieces of about this many characters (at most twice as many)
PIECE_CHARS = 10_000
# Cut points, best first: after a blank line; after a line break; after a sentence's final punctuation; after a space.
# Each pattern ends on a whole whitespace run, so the next piece starts on a visible character.
_CUTS = (
    re.compile(r"\n[^\S\n]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s+"),
    re.compile(r"\s+"),
)


def _cached(doc: Document) -> Any | None:
    with _lock:
        entry = _cache.get(doc.id)
        # compare with the text the parse was made from: ``Doc.text`` is rebuilt token by token on every access
        if entry is not None and entry[0] == doc.text:
            _cache.move_to_end(doc.id)
            return entry[1]
        return None


def _store(doc: Document, parsed: Any) -> None:
    with _lock:
        _cache[doc.id] = (doc.text, parsed)
        _cache.move_to_end(doc.id)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def split_for_parse(text: str, piece: int = PIECE_CHARS) -> list[str]:
    """Pieces of ``text`` that join back to it exactly, each about ``piece`` characters, cut at paragraph breaks.

    A cut goes at the last blank line between ``piece/2`` and ``piece`` characters into the rest, else the first blank
    line up to ``2 * piece``, else the last line break, sentence end or space in the first window, else at ``piece``.
    One linear pass over the text (each window is searched once).
    """
    if len(text) <= 2 * piece:
        return [text]
    pieces: list[str] = []
    start = 0
    while len(text) - start > 2 * piece:
        cut = _cut(text, start + piece // 2, start + piece) or _cut(text, start + piece, start + 2 * piece, last=False)
        if cut is None:
            for pattern in _CUTS[1:]:
                cut = _cut(text, start + piece // 2, start + piece, pattern)
                if cut is not None:
                    break
        if cut is None:
            cut = start + piece
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def _cut(text: str, lo: int, hi: int, pattern: re.Pattern[str] = _CUTS[0], *, last: bool = True) -> int | None:
    """The end of the last (or first) match of ``pattern`` that ends in ``(lo, hi]`` and leaves text after it."""
    found = None
    for match in pattern.finditer(text, lo, hi):
        end = match.end()
        while end < len(text) and text[end].isspace():  # a run cut short by the window's end: take all of it
            end += 1
        if lo < end < len(text):
            found = end
            if not last:
                break
    return found


def parse(doc: Document) -> Any:
    """The spaCy ``Doc`` of a document's text (parsed once, then served from the cache)."""
    return parse_many([doc])[0]


def parse_many(docs: Sequence[Document]) -> list[Any]:
    """spaCy parses of several documents, batching the ones not yet parsed through ``nlp.pipe``."""
    out: list[Any] = [_cached(d) for d in docs]
    missing = [i for i, p in enumerate(out) if p is None]
    if missing:
        for i, parsed in _parse_texts([(i, docs[i].text) for i in missing]):
            _store(docs[i], parsed)
            out[i] = parsed
    return out


def _parse_texts(items: list[tuple[int, str]]) -> Iterator[tuple[int, Any]]:
    """(key, parsed Doc) for each (key, text), in order; long texts go through the pipe in pieces and are joined."""
    nlp = spacy_pipeline()
    jobs = [(key, piece) for key, text in items for piece in split_for_parse(text)]
    texts = dict(items)
    # spaCy's working memory grows with the characters in one pipe batch: keep a batch near _BATCH_CHARS
    mean = sum(len(p) for _, p in jobs) / max(1, len(jobs))
    batch_size = max(1, min(16, int(_BATCH_CHARS / max(mean, 1.0))))
    current: Any = None
    parts: list[Any] = []
    for (key, _), parsed in zip(jobs, nlp.pipe((p for _, p in jobs), batch_size=batch_size), strict=True):
        budget.check()  # a long text is parsed piece by piece: a spent time budget stops it between pieces
        if parts and key != current:
            yield current, _join(parts, texts[current])
            parts = []
        current = key
        parts.append(parsed)
    if parts:
        yield current, _join(parts, texts[current])


def _join(parts: list[Any], text: str) -> Any:
    """One Doc from the parsed pieces of ``text`` (no tensors: no analyzer reads them, and they are large)."""
    if len(parts) == 1:
        return parts[0]
    from spacy.tokens import Doc

    joined = Doc.from_docs(parts, ensure_whitespace=False, exclude=["tensor", "user_data"])  # type: ignore[call-arg]
    if joined.text != text:  # pragma: no cover - the cuts above keep whole whitespace runs, so this cannot differ
        raise RuntimeError("the parsed pieces do not join back to the document's text")
    return joined


def entities_in(span: Any) -> list[tuple[str, int, int]]:
    """Named entities inside a spaCy span as ``(label, start char, end char)``, read off its own tokens.

    ``Span.ents`` walks the whole document on every call, which made source classification the slowest step.
    """
    found: list[list[Any]] = []
    current: list[Any] | None = None
    for tok in span:
        if not tok.ent_type_:
            current = None
            continue
        if tok.ent_iob_ == "B" or current is None or current[0] != tok.ent_type_:
            current = [tok.ent_type_, tok.idx, tok.idx + len(tok)]
            found.append(current)
        else:
            current[2] = tok.idx + len(tok)
    return [(label, s, e) for label, s, e in found]
