"""Claim sourcing: does each check-worthy claim rest on a named source, an anonymous or vague one, or on nothing?

One span per check-worthy claim (same range), labelled ``sourced`` / ``anonymous`` / ``unsourced``, with the source in
``attrs``. Relations keep the links a reader follows: ``sourcing_of`` from this span to its claim span, and
``attributed_by`` from this span to the attribution that covers the claim. The rules live in
``veracity.sourcing.claims``; this analyzer only applies them to the claims layer.
"""

from __future__ import annotations

from typing import Any

from veracity.analyzers.base import BaseAnalyzer
from veracity.doc import Document, Layer, Relation, Span
from veracity.sourcing.claims import SOURCING_LABELS, SourcingIndex, claim_sourcing, sourcing_summary

__all__ = ["ClaimSourcingAnalyzer"]

_ATTR_KEYS = {"source": "source", "source_id": "source_id", "kind": "source_kind", "via": "via"}


class ClaimSourcingAnalyzer(BaseAnalyzer):
    """Labels every check-worthy claim sourced / anonymous / unsourced from the attribution that covers it."""

    name = "claim_sourcing"
    produces = "claim_sourcing"
    requires = ("claims", "attributions", "sources")
    version = "1.0.0"
    description = (
        "Who each check-worthy claim rests on: a named source, an anonymous or vague one, or the writer alone."
    )

    def _analyze(self, doc: Document) -> Layer:
        spans: list[Span] = []
        relations: list[Relation] = []
        results: list[dict[str, Any]] = []
        index = SourcingIndex(doc)
        for claim in doc.layer("claims").spans:
            if claim.label != "checkworthy":
                continue
            result = claim_sourcing(doc, claim.start, claim.end, index)
            results.append(result)
            span_id = f"claim_sourcing/{len(spans)}"
            attrs: dict[str, Any] = {"claim_id": claim.id}
            for key, name in _ATTR_KEYS.items():
                if result.get(key):
                    attrs[name] = result[key]
            if result.get("attribution"):
                attrs["attribution_id"] = result["attribution"]
                relations.append(Relation(span_id, result["attribution"], "attributed_by"))
            spans.append(Span(claim.start, claim.end, result["sourcing"], None, span_id, attrs))
            relations.append(Relation(span_id, claim.id or "", "sourcing_of"))
        sources = doc.layer("sources") if doc.has_layer("sources") else None
        summary = sourcing_summary(results, sources)
        summary.pop("legend", None)
        return Layer("claim_sourcing", spans, relations, {"summary": summary, "legend": dict(SOURCING_LABELS)})
