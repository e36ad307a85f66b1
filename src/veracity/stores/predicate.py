"""Same claim or same topic? A fact-check's claim has a subject and a predicate; a sentence that names the subject but
none of the predicate's words is about the same thing, not the same claim.

"The White Helmets are a rescue organization founded … in 2014" shares the subject of "The search-and-rescue
organization in Syria, the White Helmets, is linked to terrorists" and nothing of "linked to terrorists": a reader would
not call it a repeat of that claim. :func:`predicate_found` tells the two apart with the spaCy parse of the claim (the
words outside the root's subject) and the lemmas of the sentence and its context. Search applies it only to matches at
or above the display threshold, and scales the score of a match without its predicate by :data:`MISSING_PREDICATE_FACTOR`
(measured on the CheckThat! train and dev tops: see the card of the fact-check re-ranker).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["MISSING_PREDICATE_FACTOR", "claim_predicate", "predicate_found"]

#: a match whose sentence holds none of the claim's predicate keeps this share of its score (below any threshold the
#: training script may choose: it refuses one at or under this factor)
MISSING_PREDICATE_FACTOR = 0.35

#: pipeline components the check does not need (entities): skipping them halves a parse (7.0 -> 3.6 ms CPU)
_UNUSED = ["ner"]
_SUBJECTS = {"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"}
_KEEP_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"}


def _nlp() -> object:
    from veracity.models.loading import spacy_pipeline

    return spacy_pipeline()


@lru_cache(maxsize=50_000)
def claim_predicate(claim: str) -> frozenset[str]:
    """Lower-cased lemmas of the claim's content words outside the subject of its root (empty when unparseable)."""
    doc = _nlp()(claim, disable=_UNUSED)  # type: ignore[operator]
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
    words = {
        t.lemma_.lower()
        for t in doc
        if t.i not in subject and t.pos_ in _KEEP_POS and not t.is_stop and t.lemma_.strip() and t.is_alpha
    }
    # a copula's root ("is") carries nothing; the auxiliaries are stop words already
    return frozenset(words)


@lru_cache(maxsize=50_000)
def _lemmas(text: str) -> frozenset[str]:
    doc = _nlp()(text, disable=_UNUSED)  # type: ignore[operator]
    return frozenset(t.lemma_.lower() for t in doc if t.is_alpha) | frozenset(t.lower_ for t in doc if t.is_alpha)


def predicate_found(sentence: str, claim: str, context: str = "") -> bool:
    """Whether the sentence (or its context) holds at least one word of the claim's predicate (True when the claim
    has no parseable subject/predicate split)."""
    predicate = claim_predicate(claim)
    if not predicate:
        return True
    return bool(predicate & (_lemmas(sentence) | (_lemmas(context) if context.strip() else frozenset())))
