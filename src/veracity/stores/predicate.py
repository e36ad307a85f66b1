"""Same claim or same topic? A fact-check's claim has a subject and a predicate; a sentence that names the subject but
none of the predicate's words is about the same thing, not the same claim.

"The White Helmets are a rescue organization founded … in 2014" shares the subject of "The search-and-rescue
organization in Syria, the White Helmets, is linked to terrorists" and nothing of "linked to terrorists": a reader would
not call it a repeat of that claim. :func:`predicate_found` tells the two apart with the spaCy parse of the claim (the
words outside the root's subject) and the lemmas of the sentence and its context. Search applies it only to matches at
or above the display threshold, and scales the score of a match without its predicate by :data:`MISSING_PREDICATE_FACTOR`
(measured on the CheckThat! train and dev tops: see the card of the fact-check re-ranker).

Speed: a claim's predicate is parsed once, when the record is indexed (:func:`claim_predicates`, batched through
``nlp.pipe``), and stored beside it (``predicates`` table of the SQLite store, tagged with :func:`predicate_version`);
a search then parses only its own sentence and context. A record without a stored predicate (a database indexed by an
older veracity, until its next ``update_index``) is parsed at search time, with the same result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import Any

__all__ = [
    "MISSING_PREDICATE_FACTOR",
    "claim_predicate",
    "claim_predicates",
    "decode_predicate",
    "encode_predicate",
    "predicate_found",
    "predicate_version",
]

#: a match whose sentence holds none of the claim's predicate keeps this share of its score (below any threshold the
#: training script may choose: it refuses one at or under this factor)
MISSING_PREDICATE_FACTOR = 0.35

#: bump when :func:`_predicate_of` changes what it extracts: stored predicates of another version are parsed again
_RULES_VERSION = "1"
#: pipeline components the check does not need (entities): skipping them halves a parse (7.0 -> 3.6 ms CPU)
_UNUSED = ["ner"]
_SUBJECTS = {"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"}
_KEEP_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"}


def _nlp() -> Any:
    from veracity.models.loading import spacy_pipeline

    return spacy_pipeline()


@cache
def predicate_version() -> str:
    """What stored predicates were made with: these rules and the spaCy pipeline (name and version)."""
    meta = getattr(_nlp(), "meta", {}) or {}
    return f"{_RULES_VERSION}:{meta.get('lang', '')}_{meta.get('name', '')}-{meta.get('version', '')}"


def _predicate_of(doc: Any) -> frozenset[str]:
    roots = [t for t in doc if t.dep_ == "ROOT"]
    if not roots:
        return frozenset()
    root = roots[0]
    subject: set[int] = set()
    for child in root.children:
        if child.dep_ in _SUBJECTS:
            subject.update(t.i for t in child.subtree)
    if not subject:
        return frozenset()
    # a copula's root ("is") carries nothing; the auxiliaries are stop words already
    return frozenset(
        t.lemma_.lower()
        for t in doc
        if t.i not in subject and t.pos_ in _KEEP_POS and not t.is_stop and t.lemma_.strip() and t.is_alpha
    )


@lru_cache(maxsize=50_000)
def claim_predicate(claim: str) -> frozenset[str]:
    """Lower-cased lemmas of the claim's content words outside the subject of its root (empty when unparseable)."""
    return _predicate_of(_nlp()(claim, disable=_UNUSED))


def claim_predicates(claims: Sequence[str], batch_size: int = 256) -> list[frozenset[str]]:
    """:func:`claim_predicate` of many claims in one ``nlp.pipe`` pass (what indexing uses: several times faster than
    one call per claim, and the same parse)."""
    docs = _nlp().pipe(claims, disable=_UNUSED, batch_size=batch_size)
    return [_predicate_of(doc) for doc in docs]


def encode_predicate(words: Iterable[str]) -> str:
    """The stored form of a predicate: its words sorted, space-separated ("" when the claim has no split)."""
    return " ".join(sorted(words))


def decode_predicate(text: str) -> frozenset[str]:
    """The inverse of :func:`encode_predicate`."""
    return frozenset(text.split())


@lru_cache(maxsize=50_000)
def _lemmas(text: str) -> frozenset[str]:
    doc = _nlp()(text, disable=_UNUSED)
    return frozenset(t.lemma_.lower() for t in doc if t.is_alpha) | frozenset(t.lower_ for t in doc if t.is_alpha)


def predicate_found(sentence: str, claim: str, context: str = "", predicate: frozenset[str] | None = None) -> bool:
    """Whether the sentence (or its context) holds at least one word of the claim's predicate (True when the claim
    has no parseable subject/predicate split). ``predicate``: the claim's stored predicate, when known (else the claim
    is parsed here)."""
    if predicate is None:
        predicate = claim_predicate(claim)
    if not predicate:
        return True
    return bool(predicate & (_lemmas(sentence) | (_lemmas(context) if context.strip() else frozenset())))
