"""Claim sourcing: does a claim rest on a named source, an anonymous or vague one, or on nothing but the writer?

``claim_sourcing`` reads the ``attributions`` and ``sources`` layers of a document; the claims analyzer calls it for
every check-worthy claim, and ``sourcing_summary`` turns the results into the report summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from veracity.doc import Document, Layer, Span

__all__ = ["SOURCING_LABELS", "claim_sourcing", "sourcing_summary"]

SOURCING_LABELS = {
    "sourced": "attributed to a named person, organisation, government or outlet",
    "anonymous": 'attributed only to an unnamed or vague source, or reported with no source named ("was said to")',
    "unsourced": "asserted by the writer with no attribution at all",
}
#: share of the claim's characters an attribution's content must cover to count as its source
MIN_COVER = 0.5


def _parts(span: Span) -> list[tuple[int, int]]:
    parts = span.attrs.get("parts")
    return [(p["start"], p["end"]) for p in parts] if parts else [(span.start, span.end)]


def _mention(sources: Layer | None, src: dict[str, Any] | None) -> Span | None:
    if sources is None or not src:
        return None
    for s in sources.spans:
        if (s.start, s.end) == (src["start"], src["end"]):
            return s
    return None


def claim_sourcing(doc: Document, start: int, end: int) -> dict[str, Any]:
    """How the claim ``[start, end)`` is sourced: the innermost reported-speech attribution covering most of it.

    Beliefs and intentions ("X wants to …") do not source a claim: the writer still asserts them.
    """
    if end <= start:
        raise ValueError(f"empty claim range [{start}, {end})")
    result: dict[str, Any] = {
        "sourcing": "unsourced",
        "source": None,
        "source_id": None,
        "kind": None,
        "attribution": None,
    }
    if not doc.has_layer("attributions"):
        return result
    sources = doc.layer("sources") if doc.has_layer("sources") else None
    best: tuple[float, int, Span] | None = None
    for att in doc.layer("attributions").spans:
        if att.label not in {"direct", "indirect"}:
            continue
        covered = sum(max(0, min(end, e) - max(start, s)) for s, e in _parts(att))
        share = covered / (end - start)
        if share < MIN_COVER:
            continue
        size = sum(e - s for s, e in _parts(att))
        # prefer the innermost (smallest) attribution that still covers the claim
        if best is None or size < best[1]:
            best = (share, size, att)
    if best is None:
        return result
    att = best[2]
    src = att.attrs.get("source")
    mention = _mention(sources, src)
    result["attribution"] = att.id
    if not src:
        result["sourcing"] = "anonymous"
        return result
    result["source"] = {"start": src["start"], "end": src["end"]}
    if mention is not None:
        result["source_id"] = mention.attrs.get("source_id")
        result["kind"] = mention.attrs.get("kind")
        result["sourcing"] = "anonymous" if mention.attrs.get("anonymous") else "sourced"
    else:
        result["sourcing"] = "sourced"
    return result


def sourcing_summary(claim_sourcings: Sequence[dict[str, Any]], sources_layer: Layer | None) -> dict[str, Any]:
    """Share of claims per sourcing class, and the article's sources with counts, kind and reliability."""
    n = len(claim_sourcings)
    counts = Counter(c.get("sourcing", "unsourced") for c in claim_sourcings)
    by_source = Counter(c["source_id"] for c in claim_sourcings if c.get("source_id"))
    table = []
    if sources_layer is not None:
        for row in sources_layer.data.get("summary", {}).get("sources", []):
            table.append({**row, "claims": by_source.get(row["source_id"], 0)})
    return {
        "claims": n,
        "counts": {label: counts.get(label, 0) for label in SOURCING_LABELS},
        "shares": {label: (counts.get(label, 0) / n if n else 0.0) for label in SOURCING_LABELS},
        "sources": table,
        "legend": SOURCING_LABELS,
    }
