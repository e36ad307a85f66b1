"""Fact-check matching: for each check-worthy claim, the published fact-checks that address it.

The store is handed in (``Services.factchecks``, opened once per process by the face), never opened here. Each kept
match becomes a span over its claim's range with the fact-check in ``attrs``, and a ``checks`` relation links the
match span (``factchecks/j``) to the claim span it checks (``claims/i``). What went wrong (no database, a search that failed) is
a note in this report's layer only; the next report tries again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from veracity.analyzers.base import BaseAnalyzer
from veracity.config import Services
from veracity.doc import Document, Layer, Relation, Span
from veracity.errors import VeracityError

__all__ = ["FACTCHECK_TOP_K", "FactCheckAnalyzer"]

#: fact-checks looked up per check-worthy claim (those above the store's calibrated MATCH_THRESHOLD are kept)
FACTCHECK_TOP_K = 3

LEGEND = {
    "false": "a published fact-check rated this claim false",
    "mostly_false": "rated mostly false",
    "mixed": "rated partly true, partly false",
    "mostly_true": "rated mostly true",
    "true": "rated true",
    "unrated": "a matching fact-check exists, but the imported data carries no verdict",
}


class FactCheckAnalyzer(BaseAnalyzer):
    """Matches every check-worthy claim against the fact-check store it is given (one bulk search per batch)."""

    name = "factchecks"
    produces = "factchecks"
    requires = ("claims",)
    version = "1.0.0"
    description = "Published fact-checks that match each check-worthy claim (hybrid search + calibrated re-ranker)."
    model_name = "factcheck-reranker"

    def __init__(self, store: Any = None) -> None:
        super().__init__()
        self._store = store

    @classmethod
    def from_services(cls, services: Services) -> FactCheckAnalyzer:
        """Use the process's one fact-check store (``services.factchecks``)."""
        return cls(store=getattr(services, "factchecks", None))

    def _analyze_batch(self, docs: Sequence[Document]) -> list[Layer]:
        """One search for the claims of every document (the base class times and stamps it)."""
        wanted = [
            (d, claim)
            for d, doc in enumerate(docs)
            for claim in doc.layer("claims").spans
            if claim.label == "checkworthy"
        ]
        searched = {d: 0 for d in range(len(docs))}
        for d, _ in wanted:
            searched[d] += 1
        note = self._unavailable()
        found: list[list[Any]] = [[] for _ in wanted]
        if note is None and wanted:
            from veracity.stores.context import previous_sentences

            # each claim is searched with the sentence before it ("the video" needs its antecedent); one pass per document
            before: dict[int, list[str]] = {}
            for d, doc in enumerate(docs):
                targets = [(c.start, c.end) for dd, c in wanted if dd == d]
                if targets:
                    sentences = [(s.start, s.end) for s in doc.layer("sentences").spans]
                    before[d] = previous_sentences(doc.text, sentences, targets)
            contexts = [before[d].pop(0) for d, _ in wanted]
            try:
                found = self._store.search_many(
                    [docs[d].text[c.start : c.end] for d, c in wanted], FACTCHECK_TOP_K, contexts=contexts
                )
            except VeracityError as exc:  # e.g. a database without a search index: say so in this report only
                note = f"fact-check search unavailable: {exc}"
                found = [[] for _ in wanted]
        threshold = _threshold() if wanted and note is None else 1.0
        spans: list[list[Span]] = [[] for _ in docs]
        relations: list[list[Relation]] = [[] for _ in docs]
        for (d, claim), matches in zip(wanted, found, strict=True):
            for m in matches:
                if m.score < threshold:
                    continue
                span_id = f"factchecks/{len(spans[d])}"
                attrs = {**m.as_attrs(), "claim_id": claim.id}
                claim_id = claim.id or ""
                spans[d].append(Span(claim.start, claim.end, m.rating, round(m.score, 4), span_id, attrs))
                relations[d].append(Relation(span_id, claim_id, "checks", round(m.score, 4)))
        layers = []
        for d in range(len(docs)):
            matched = len({r.tail_id for r in relations[d]})
            data: dict[str, Any] = {
                "summary": {"claims_searched": searched[d], "claims_matched": matched, "matches": len(spans[d])},
                "legend": dict(LEGEND),
            }
            if note:
                data["notes"] = [note]
            layers.append(Layer("factchecks", spans[d], relations[d], data))
        return layers

    def _unavailable(self) -> str | None:
        """Why no search can run now (no store, no database yet), or None."""
        from veracity.stores import NO_DATABASE_MESSAGE

        if self._store is None:
            return NO_DATABASE_MESSAGE
        available = getattr(self._store, "available", None)
        if callable(available) and not available():
            return NO_DATABASE_MESSAGE
        return None


def _threshold() -> float:
    from veracity.stores import MATCH_THRESHOLD

    return float(MATCH_THRESHOLD)
