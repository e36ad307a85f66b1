"""The spaCy parse of a document, made once and shared by every analyzer through the document itself.

The parse is kept in ``Document.shared``, so it lives exactly as long as the document: no process-wide cache that
evicts after a number of documents or holds parses of documents long gone.

Components run in the pipeline's order and only as far as a caller needs (``upto``): the ``sentences`` layer needs the
parser but not the attribute rules, lemmas or entities, so ``--only sentences`` stops after the parser; a later caller
that needs entities continues from there. Each component therefore sees exactly the input it sees in a full run, and
the annotations are the same whichever order layers ask for them.

Long texts are parsed in pieces cut at paragraph breaks (blank lines, where a sentence always ends anyway) and joined
back into one ``Doc`` whose text is the original, so parse time grows linearly with length and the parser's working
memory stays that of one piece, however long the document. Texts up to ``2 * PIECE_CHARS`` are parsed whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from veracity import budget
from veracity.doc import Document
from veracity.models.loading import spacy_pipeline

__all__ = ["FULL", "PIECE_CHARS", "SENTENCES", "entities_in", "parse", "parse_many", "split_for_parse"]

#: ``upto`` for the sentence boundaries: tok2vec, tagger, the paragraph rules and the dependency parser
SENTENCES = "parser"
#: ``upto`` for every component the pipeline has (attribute rules, lemmas, named entities)
FULL = None
_KEY = "spacy"

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


@dataclass
class _Parse:
    """A document's parse: the pieces as parsed, the joined ``Doc``, and how many pipeline components have run."""

    text: str
    pieces: list[Any]
    doc: Any
    ran: int


def _components(upto: str | None) -> int:
    """How many of the pipeline's components run to provide ``upto`` (a component name; ``None``: all of them)."""
    names = spacy_pipeline().pipe_names
    if upto is None:
        return len(names)
    if upto not in names:
        raise ValueError(f"no spaCy component {upto!r}; the pipeline has {', '.join(names)}")
    return names.index(upto) + 1


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


def parse(doc: Document, upto: str | None = FULL) -> Any:
    """The spaCy ``Doc`` of a document's text with every component up to ``upto`` run (parsed once per document)."""
    return parse_many([doc], upto)[0]


def parse_many(docs: Sequence[Document], upto: str | None = FULL) -> list[Any]:
    """spaCy parses of several documents with every component up to ``upto`` run.

    Documents not yet parsed go through ``nlp.pipe`` together; documents parsed less far get the remaining components
    (in pipeline order, piece by piece, batched the same way). Different documents may be parsed on different threads
    at once; one document is analysed by one thread at a time (as every face does).
    """
    need = _components(upto)
    found = [_held(d) for d in docs]
    missing = [i for i, p in enumerate(found) if p is None]
    if missing:
        for i, parsed in _parse_texts([(i, docs[i].text) for i in missing], need):
            found[i] = parsed
            docs[i].shared[_KEY] = parsed
    short = [p for p in found if p is not None and p.ran < need]
    if short:
        _continue(short, need)
    return [p.doc for p in found if p is not None]


def store(doc: Document, parsed: Any) -> None:
    """Give a document a parse made elsewhere with the whole pipeline (evaluation code that parses in bulk)."""
    doc.shared[_KEY] = _Parse(doc.text, [parsed], parsed, len(spacy_pipeline().pipe_names))


_store = store  # the name evaluation code has used


def _held(doc: Document) -> _Parse | None:
    """The parse kept with this document, if it was made from this text."""
    held = doc.shared.get(_KEY)
    return held if isinstance(held, _Parse) and held.text == doc.text else None


def _batch_size(pieces: Sequence[str]) -> int:
    """Documents per ``nlp.pipe`` batch: spaCy's working memory grows with the characters in one batch."""
    mean = sum(len(p) for p in pieces) / max(1, len(pieces))
    return max(1, min(16, int(_BATCH_CHARS / max(mean, 1.0))))


def _parse_texts(items: list[tuple[int, str]], need: int) -> Iterator[tuple[int, _Parse]]:
    """(key, parse) for each (key, text), in order; long texts go through the pipe in pieces and are joined."""
    nlp = spacy_pipeline()
    skip = nlp.pipe_names[need:]
    jobs = [(key, piece) for key, text in items for piece in split_for_parse(text)]
    texts = dict(items)
    batch_size = _batch_size([p for _, p in jobs])
    current: Any = None
    parts: list[Any] = []
    for (key, _), parsed in zip(jobs, nlp.pipe((p for _, p in jobs), batch_size=batch_size, disable=skip), strict=True):
        budget.check()  # a long text is parsed piece by piece: a spent time budget stops it between pieces
        if parts and key != current:
            yield current, _made(parts, texts[current], need, len(nlp.pipe_names))
            parts = []
        current = key
        parts.append(parsed)
    if parts:
        yield current, _made(parts, texts[current], need, len(nlp.pipe_names))


def _made(parts: list[Any], text: str, ran: int, components: int) -> _Parse:
    """The parse of one text from its parsed pieces (kept apart only while components remain to run on them)."""
    joined = _join(parts, text)
    return _Parse(text, parts if ran < components else [joined], joined, ran)


def _continue(held: list[_Parse], need: int) -> None:
    """Run the components after the ones already run, in pipeline order, on each piece; re-join split documents."""
    nlp = spacy_pipeline()
    for start in sorted({p.ran for p in held}):
        group = [p for p in held if p.ran == start]
        pieces = [piece for p in group for piece in p.pieces]
        batch_size = _batch_size([piece.text for piece in pieces])
        for _name, component in nlp.pipeline[start:need]:
            if hasattr(component, "pipe"):
                for _ in component.pipe(pieces, batch_size=batch_size):  # annotates each piece in place
                    pass
            else:
                for piece in pieces:
                    component(piece)
        for p in group:
            p.ran = need
            if len(p.pieces) > 1:
                p.doc = _join(p.pieces, p.text)
                if need == len(nlp.pipe_names):  # nothing left to run on the pieces: keep one copy
                    p.pieces = [p.doc]


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
