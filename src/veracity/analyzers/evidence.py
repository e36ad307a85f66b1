"""Evidence from the user's own corpus: for each check-worthy claim, the passages of the corpus worth reading.

The corpus is handed in (``Services.corpus``, opened once per process by the face), never searched for here. Each
passage shown becomes a span over its claim's range with the passage text and its provenance (document id, title, URL,
date, character offsets, content hash) in ``attrs``; an ``evidence_for`` relation links it to the claim. Without a
corpus the layer is empty with one note.

Stance is shown only as far as it has been measured to hold, decided per pair in one place
(:meth:`veracity.models.stance.StanceQuality.shown_label`, from the model's ``metrics.json``): a span is labelled
``supports`` / ``refutes`` when the whole model clears its bars, or when that pair's probability clears the label's
precision-first threshold and the label's precision there is confirmed on FEVER-Symmetric dev. Every other passage is
labelled ``passage`` and scored with its similarity to the claim; the model's label stays in ``attrs["stance_hint"]``.
The summary counts claims supported / refuted only for labels a reader can see (``claims_supported`` /
``claims_refuted``: a claim with at least one passage shown with that label).

Precision first: a passage is shown only when it is close to the claim (cosine ≥ ``MIN_COSINE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from veracity.analyzers.base import BaseAnalyzer
from veracity.doc import Document, Layer, Relation, Span
from veracity.errors import VeracityError
from veracity.models.stance import ARTIFACT as STANCE_ARTIFACT

__all__ = [
    "EVIDENCE_TOP_K",
    "MIN_COSINE",
    "PASSAGE",
    "EvidenceAnalyzer",
    "evidence_for_claim",
    "stance_text",
]

#: passages retrieved per check-worthy claim
EVIDENCE_TOP_K = 5
#: passages less similar than this to their claim are not shown (retrieval noise). Chosen on Climate-FEVER pairs: at
#: 0.55, 62 % of the annotated supporting/refuting evidence passes and 34 % of the not-enough-info pairs; at 0.45 off-topic
#: passages (a Syria article against a climate corpus, cosine 0.47-0.50) were shown as "supports".
MIN_COSINE = 0.55
NO_CORPUS_MESSAGE = (
    "no evidence corpus configured; build one with: veracity corpus add SOURCE --corpus NAME, then pass --corpus NAME"
)
#: the summary key that counts claims with at least one passage shown with this label
COUNT_KEY = {"supports": "claims_supported", "refutes": "claims_refuted"}
#: the span label of a passage whose stance is not shown
PASSAGE = "passage"
LEGEND = {
    PASSAGE: "a passage of your corpus close to the claim: read it (the stance model's label is only a hint)",
    "supports": "a passage of your corpus that appears to support the claim",
    "refutes": "a passage of your corpus that appears to contradict the claim",
    "not_enough_info": "a related passage that neither supports nor contradicts the claim",
}


def stance_text(hit: Any) -> str:
    """What the stance model reads for a passage: the sentence with its neighbours, or the sentence alone if long."""
    return hit.context if len(hit.context) <= 600 else hit.text


def _quality() -> Any:
    from veracity.models.stance import stance_quality

    return stance_quality()


def evidence_for_claim(
    corpus: Any, claim: str, top_k: int = EVIDENCE_TOP_K, stance_model: Any = None
) -> dict[str, Any]:
    """One claim's passages from ``corpus``, best first, each with provenance and stance: the JSON of
    ``veracity evidence --json`` and of ``POST /v1/evidence`` (one function, so the two faces cannot drift)."""
    from veracity.errors import UsageError

    if not claim.strip():
        raise UsageError("the claim is empty; give the claim text")
    if top_k < 1:
        raise UsageError(f"top must be at least 1, not {top_k}")
    hits = corpus.search(claim, top_k=top_k)
    if stance_model is None:
        from veracity.models.stance import get_stance_model

        stance_model = get_stance_model()
    results = stance_model.predict([(claim, stance_text(h)) for h in hits]) if hits else []
    quality = _quality()
    for hit, result in zip(hits, results, strict=True):
        hit.stance = {**result.as_dict(), "shown": quality.shown_label(result)}  # shown: the label a reader sees
    return {
        "claim": claim,
        "corpus": getattr(corpus, "name", ""),
        "passages": [h.as_dict() for h in hits],
        "stance_caveat": quality.caveat(),
    }


class EvidenceAnalyzer(BaseAnalyzer):
    """Searches the configured corpus for each check-worthy claim and labels each passage's stance."""

    name = "evidence"
    produces = "evidence"
    requires = ("claims",)
    version = "0.3.0"
    description = (
        "Passages from your own corpus that support or refute each check-worthy claim (hybrid search + stance)."
    )
    model_name = STANCE_ARTIFACT

    def __init__(self, corpus: Any = None, stance_model: Any = None, stance_quality: Any = None) -> None:
        """``stance_quality`` (default: the shipped model's measured numbers) decides whether labels are shown."""
        super().__init__()
        self._corpus = corpus
        self._stance = stance_model
        self._quality = stance_quality

    @classmethod
    def from_services(cls, services: Any) -> EvidenceAnalyzer:
        """Use the process's corpus (``services.corpus``; None: the layer says none is configured)."""
        return cls(corpus=getattr(services, "corpus", None))

    def _stance_model(self) -> Any:
        if self._stance is None:
            from veracity.models.stance import get_stance_model

            self._stance = get_stance_model()
        return self._stance

    def _analyze_batch(self, docs: Sequence[Document]) -> list[Layer]:
        """One search for the claims of every document (the base class times and stamps it)."""
        wanted = [
            (d, claim)
            for d, doc in enumerate(docs)
            for claim in doc.layer("claims").spans
            if claim.label == "checkworthy"
        ]
        note = None if self._corpus is not None else NO_CORPUS_MESSAGE
        found: list[list[Any]] = [[] for _ in wanted]
        stances: list[list[Any]] = [[] for _ in wanted]
        if note is None and wanted:
            texts = [docs[d].text[c.start : c.end] for d, c in wanted]
            try:
                found = self._corpus.search_many(texts, EVIDENCE_TOP_K)
                found = [[h for h in hits if h.cosine >= MIN_COSINE] for hits in found]
                pairs = [(t, stance_text(h)) for t, hits in zip(texts, found, strict=True) for h in hits]
                flat = iter(self._stance_model().predict(pairs))
                stances = [[next(flat) for _ in hits] for hits in found]
            except VeracityError as exc:
                note = f"evidence search unavailable: {exc}"
                found = [[] for _ in wanted]
                stances = [[] for _ in wanted]
        quality = self._quality if self._quality is not None else _quality()
        visible = quality.shown_labels
        counted = [label for label in ("supports", "refutes") if label in visible]
        spans: list[list[Span]] = [[] for _ in docs]
        relations: list[list[Relation]] = [[] for _ in docs]
        summary: list[dict[str, Any]] = [
            {"claims_searched": 0, "claims_with_evidence": 0, "passages": 0, "stance_shown": bool(visible)}
            for _ in docs
        ]
        for s in summary:
            for label in counted:
                s[COUNT_KEY[label]] = 0
        for (d, claim), hits, labels in zip(wanted, found, stances, strict=True):
            summary[d]["claims_searched"] += 1
            if hits:
                summary[d]["claims_with_evidence"] += 1
            shown = [quality.shown_label(st) for st in labels]
            for label in counted:
                if label in shown:
                    summary[d][COUNT_KEY[label]] += 1
            for hit, st, seen in zip(hits, labels, shown, strict=True):
                span_id = f"evidence/{len(spans[d])}"
                attrs = {
                    "claim_id": claim.id,
                    "passage": hit.text,
                    "context": hit.context,
                    "doc_id": hit.doc_id,
                    "title": hit.title,
                    "url": hit.url,
                    "date": hit.date,
                    "passage_start": hit.start,
                    "passage_end": hit.end,
                    "content_hash": hit.content_hash,
                    "retrieval_score": hit.score,
                    "cosine": hit.cosine,
                    "stance_hint": st.label,
                    "stance_scores": st.scores,
                }
                label, score = (seen, float(st.scores[seen])) if seen else (PASSAGE, float(hit.cosine))
                spans[d].append(Span(claim.start, claim.end, label, round(score, 4), span_id, attrs))
                relations[d].append(Relation(span_id, claim.id or "", "evidence_for", round(score, 4)))
                summary[d]["passages"] += 1
        layers = []
        for d in range(len(docs)):
            legend = {k: v for k, v in LEGEND.items() if k == PASSAGE or k in visible}
            data: dict[str, Any] = {"summary": summary[d], "legend": legend, "stance_caveat": quality.caveat()}
            if self._corpus is not None:
                data["corpus"] = getattr(self._corpus, "name", "")
            if note:
                data["notes"] = [note]
            layers.append(Layer("evidence", spans[d], relations[d], data))
        return layers
