"""The one report view model: what every face (terminal, HTML, Markdown, the web page) shows, built once from a Report.

Renderers only format a ``ReportView``; they never read layers themselves. So a claim shows the same sourcing and
fact-checks, a source the same reliability, and a technique the same passage in every face, and a new section is
written once here. Display limits are the named constants below, and every list that is cut says how many it holds.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from veracity.report.model import Report, ReportLayer, ReportSpan

__all__ = [
    "ENTITY_ROWS",
    "HIGHLIGHT_LAYERS",
    "LAYER_ROWS",
    "ClaimView",
    "EvidenceView",
    "FactCheckView",
    "FindingView",
    "Piece",
    "ReportView",
    "SourceView",
    "TableView",
    "TechniqueRow",
    "TechniqueSpanView",
    "build_view",
    "safe_url",
]

#: layers drawn inline in the article, in this order of precedence (the others are listed in tables)
HIGHLIGHT_LAYERS = ("techniques", "attributions", "claims", "sources")
#: layers shown in their own sections (everything else gets a generic table)
SECTION_LAYERS = {"claims", "techniques", "sources", "factchecks", "claim_sourcing", "findings", "evidence"}
#: layers not worth a table of their own (every sentence)
QUIET_LAYERS = {"sentences"}
#: rows of a generic layer table (entities are grouped by text first)
LAYER_ROWS = 50
ENTITY_ROWS = 30
#: claims shown when none reaches the check-worthiness threshold (the closest ones, marked so)
CLOSEST_CLAIMS = 5
#: colours available to technique labels (faces map the index to their palette)
N_COLOURS = 16
#: what a match without a verdict says instead of a rating badge
NO_VERDICT = "no verdict in the imported data"


@dataclass(frozen=True)
class FindingView:
    """One thing to check first: kind, severity (high / medium / low), one sentence, the spans it points at."""

    kind: str
    severity: str
    message: str
    spans: tuple[str, ...]


@dataclass(frozen=True)
class FactCheckView:
    """A published fact-check that matches a claim."""

    id: str
    rating: str
    verdict: str
    publisher: str
    claim: str
    url: str | None
    score: float | None
    review_date: str = ""
    #: does the article's sentence repeat the checked claim, contradict it, or neither ("unclear")
    agreement: str = "unclear"

    @property
    def relation(self) -> str:
        """How the article's sentence stands to the checked claim, in words ("" when unclear)."""
        return {"repeats": "repeats the checked claim", "contradicts": "contradicts the checked claim"}.get(
            self.agreement, ""
        )

    @property
    def display(self) -> str:
        """The verdict as a reader should see it: the rating and the publisher's words, or that the data has none."""
        if self.rating == "unrated":
            return self.verdict or NO_VERDICT
        words = self.verdict if self.verdict and self.verdict.lower() != self.rating.replace("_", " ") else ""
        return self.rating.replace("_", " ") + (f" ({words})" if words else "")


@dataclass(frozen=True)
class EvidenceView:
    """A passage of the user's own corpus for a claim, with the stance model's label (a hint, not a verdict)."""

    stance: str
    score: float | None
    passage: str
    title: str
    url: str | None
    date: str


@dataclass(frozen=True)
class ClaimView:
    """A claim in rank order, with who it rests on and the fact-checks that match it."""

    id: str
    rank: int | None
    score: float | None
    label: str
    checkworthy: bool
    text: str
    start: int
    end: int
    sourcing: str | None = None
    source: str | None = None
    source_kind: str | None = None
    factchecks: tuple[FactCheckView, ...] = ()
    cues: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    evidence: tuple[EvidenceView, ...] = ()


@dataclass(frozen=True)
class SourceView:
    """One source of the article (mentions grouped), its kind and the outlet's reliability."""

    name: str
    kind: str
    mentions: int | str
    attributions: int | None
    claims: int
    domain: str
    reliability: str
    rating_source: str


@dataclass(frozen=True)
class TechniqueRow:
    """A technique label, how often it was found, what it means, and its colour index."""

    label: str
    count: int
    definition: str
    colour: int


@dataclass(frozen=True)
class TechniqueSpanView:
    """One passage found to use a technique."""

    id: str
    label: str
    score: float | None
    text: str
    start: int
    end: int
    colour: int
    definition: str


@dataclass(frozen=True)
class Piece:
    """A run of the article text with the highlighted findings that cover it (none: plain text)."""

    start: int
    end: int
    text: str
    layers: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    tip: str = ""
    colour: int | None = None


@dataclass(frozen=True)
class TableView:
    """Any other layer as rows of label, text, score and details."""

    name: str
    count: int
    rows: tuple[tuple[str, str, float | None, str], ...]
    shown: int


@dataclass
class ReportView:
    """Everything a face shows, in the order it shows it."""

    report: Report
    title: str
    meta: dict[str, str]
    url: str | None
    layers: list[str]
    findings: list[FindingView]
    #: the article with only what the findings point at highlighted (every highlight when there are no findings)
    pieces: list[Piece]
    #: the article with every highlighted layer
    pieces_all: list[Piece]
    #: span ids the findings point at (empty: no findings, so nothing is singled out)
    focus: frozenset[str]
    claims: list[ClaimView]
    claims_scored: int
    claims_checkworthy: int
    techniques: list[TechniqueRow]
    technique_spans: list[TechniqueSpanView]
    sources: list[SourceView]
    sourcing_summary: list[tuple[str, str]]
    sources_legend: dict[str, str]
    rating_sources: list[str]
    tables: list[TableView]
    notes: list[str]
    errors: list[dict[str, Any]]
    counts: dict[str, int]
    version: str
    schema_version: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_claims(self) -> bool:
        """Whether the claims layer was produced."""
        return "claims" in self.layers

    @property
    def has_techniques(self) -> bool:
        """Whether the techniques layer was produced."""
        return "techniques" in self.layers

    @property
    def has_sources(self) -> bool:
        """Whether the sources layer was produced."""
        return "sources" in self.layers

    @property
    def technique_legend(self) -> dict[str, str]:
        """Technique label → one-line definition."""
        return {row.label: row.definition for row in self.techniques}


def build_view(report: Report) -> ReportView:
    """The view of a report (pure: no I/O, cheap enough to build per request)."""
    doc = report.document
    techniques = report.layers.get("techniques")
    tech_legend = _legend(techniques)
    tech_labels = sorted(set(tech_legend) | ({s.label for s in techniques.spans} if techniques else set()))
    colour = {label: i % N_COLOURS for i, label in enumerate(tech_labels)}
    tech_counts = Counter(s.label for s in techniques.spans) if techniques else Counter()
    sources = _sources(report)
    meta = {
        k: str(v) for k, v in doc.meta.model_dump(exclude_none=True).items() if k != "title" and v not in ("", None)
    }
    claims_layer = report.layers.get("claims")
    ranked = _claims(report)
    findings = _findings(report)
    focus = {i for f in findings for i in f.spans}
    pieces_all = _pieces(report, colour, tech_legend)
    checkworthy = [c for c in ranked if c.checkworthy]
    return ReportView(
        report=report,
        title=display_title(report),
        meta=meta,
        url=safe_url(doc.meta.url),
        layers=list(report.layers),
        findings=findings,
        pieces=_pieces(report, colour, tech_legend, focus) if focus else pieces_all,
        pieces_all=pieces_all,
        focus=frozenset(focus),
        claims=checkworthy if checkworthy else ranked[:CLOSEST_CLAIMS],
        claims_scored=len(claims_layer.spans) if claims_layer else 0,
        claims_checkworthy=len(checkworthy),
        techniques=[
            TechniqueRow(lb, tech_counts.get(lb, 0), tech_legend.get(lb, ""), colour[lb]) for lb in tech_labels
        ],
        technique_spans=[
            TechniqueSpanView(
                s.id, s.label, s.score, s.text, s.start, s.end, colour.get(s.label, 0), tech_legend.get(s.label, "")
            )
            for s in sorted(techniques.spans, key=lambda s: (s.start, s.end))
        ]
        if techniques
        else [],
        sources=sources,
        sourcing_summary=_sourcing_summary(report),
        sources_legend=_legend(report.layers.get("sources")),
        rating_sources=sorted({s.rating_source for s in sources if s.rating_source}),
        tables=_tables(report),
        notes=[str(n) for layer in report.layers.values() for n in _as_list(layer.data.get("notes"))],
        errors=[e.model_dump() for e in report.errors],
        # a layer's span count, except findings, which live in the summary (the layer itself has no spans)
        counts={
            str(k): len(findings) if k == "findings" else int(v) for k, v in report.summary.get("counts", {}).items()
        },
        version=report.generator.version,
        schema_version=report.schema_version,
    )


# -- helpers the faces share ----------------------------------------------------------------------------------------


def display_title(report: Report) -> str:
    """The title to show: the document's own, else its first line when that is short (a headline), else a stub."""
    if report.document.meta.title:
        return report.document.meta.title
    first = report.document.text.strip().split("\n", 1)[0].strip()
    return first if 0 < len(first) <= 120 else "Untitled article"


def short(text: str, n: int = 160) -> str:
    """One line of at most ``n`` characters (whitespace collapsed, an ellipsis where cut)."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def safe_url(value: Any) -> str | None:
    """Only http(s) links are ever made clickable (a report could carry a javascript: or data: URL)."""
    if not isinstance(value, str):
        return None
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:
        return None
    return value.strip() if scheme in ("http", "https") else None


def segments(text: str, spans: list[tuple[ReportSpan, str]]) -> list[tuple[int, int, list[tuple[ReportSpan, str]]]]:
    """Cut the text at every span boundary: (start, end, spans covering it); overlapping spans become nested runs.

    A sweep over sorted boundaries keeps this linear in text size plus spans, so long documents render quickly.
    """
    points = sorted({0, len(text), *(s.start for s, _ in spans), *(s.end for s, _ in spans)})
    by_start = sorted(range(len(spans)), key=lambda i: spans[i][0].start)
    active: dict[int, tuple[ReportSpan, str]] = {}
    out: list[tuple[int, int, list[tuple[ReportSpan, str]]]] = []
    k = 0
    for start, end in itertools.pairwise(points):
        while k < len(by_start) and spans[by_start[k]][0].start <= start:
            active[by_start[k]] = spans[by_start[k]]
            k += 1
        for i in [i for i, (s, _) in active.items() if s.end <= start]:
            del active[i]
        out.append((start, end, [active[i] for i in sorted(active)]))
    return out


# -- building blocks ---------------------------------------------------------------------------------------------------


def _legend(layer: ReportLayer | None) -> dict[str, str]:
    legend = layer.data.get("legend") if layer else None
    return {str(k): str(v) for k, v in legend.items()} if isinstance(legend, dict) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _by_claim(report: Report, layer_name: str) -> dict[str, list[ReportSpan]]:
    """Spans of a per-claim layer (factchecks, claim_sourcing) grouped by the claim span id they point at."""
    layer = report.layers.get(layer_name)
    grouped: dict[str, list[ReportSpan]] = {}
    if layer is None:
        return grouped
    by_id = {s.id: s for s in layer.spans}
    for rel in layer.relations:
        if rel.head_id in by_id and rel.tail_id.startswith("claims/"):
            grouped.setdefault(rel.tail_id, []).append(by_id[rel.head_id])
    return grouped


def _factcheck(attrs: dict[str, Any], score: float | None) -> FactCheckView:
    rating = str(attrs.get("rating") or "unrated")
    verdict = str(attrs.get("textual_rating") or "")
    if rating == "unrated" and not verdict:
        verdict = NO_VERDICT
    return FactCheckView(
        id=str(attrs.get("id", "")),
        rating=rating,
        verdict=verdict,
        publisher=str(attrs.get("publisher") or ""),
        claim=str(attrs.get("claim") or attrs.get("title") or ""),
        url=safe_url(attrs.get("url")),
        score=score if score is not None else _num(attrs.get("score")),
        review_date=str(attrs.get("review_date") or ""),
        agreement=str(attrs.get("agreement") or "unclear"),
    )


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _claims(report: Report) -> list[ClaimView]:
    """Every claim by rank (check-worthy first), joined with its sourcing and fact-check spans."""
    layer = report.layers.get("claims")
    if layer is None:
        return []
    checks = _by_claim(report, "factchecks")
    evidence = _by_claim(report, "evidence")
    sourcing = _by_claim(report, "claim_sourcing")
    text = report.document.text
    out = []
    for span in sorted(layer.spans, key=lambda s: (s.attrs.get("rank", 10**9), -(s.score or 0.0))):
        found = sourcing.get(span.id, [])
        src = found[0] if found else None
        if src is not None:
            label: str | None = src.label
            source_range, kind = src.attrs.get("source"), src.attrs.get("source_kind")
        else:  # a 1.x report: sourcing was written into the claim's attrs
            label, source_range, kind = (
                span.attrs.get("sourcing"),
                span.attrs.get("source"),
                span.attrs.get("source_kind"),
            )
        matches = [_factcheck(s.attrs, s.score) for s in checks.get(span.id, [])]
        if not matches and isinstance(span.attrs.get("factchecks"), list):
            matches = [_factcheck(fc, None) for fc in span.attrs["factchecks"] if isinstance(fc, dict)]
        out.append(
            ClaimView(
                id=span.id,
                rank=span.attrs.get("rank"),
                score=span.score,
                label=span.label,
                checkworthy=span.label == "checkworthy",
                text=span.text,
                start=span.start,
                end=span.end,
                sourcing=str(label) if label else None,
                source=_range_text(source_range, text),
                source_kind=str(kind) if kind else None,
                factchecks=tuple(matches),
                cues=tuple(k for k in ("reported", "fragment", "prediction") if span.attrs.get(k)),
                types=tuple(str(t) for t in span.attrs.get("type", []) if t != "other"),
                evidence=tuple(
                    EvidenceView(
                        "passage to read" if e.label == "passage" else e.label,
                        e.score,
                        str(e.attrs.get("passage") or ""),
                        str(e.attrs.get("title") or ""),
                        safe_url(e.attrs.get("url")),
                        str(e.attrs.get("date") or ""),
                    )
                    for e in evidence.get(span.id, [])
                ),
            )
        )
    return out


def _range_text(value: Any, text: str) -> str | None:
    if isinstance(value, dict):
        if isinstance(value.get("text"), str):
            return str(value["text"])
        start, end = value.get("start"), value.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            return text[start:end]
    return None


def reliability_text(value: Any) -> str:
    """An outlet's reliability as shown: "0.31 low", a bare score, a label, or "-" when unrated."""
    if isinstance(value, dict):
        score = value.get("score")
        name = value.get("rating") or value.get("label") or value.get("name") or ""
        return f"{score:.2f} {name}".strip() if isinstance(score, (int, float)) else str(name or "-")
    if isinstance(value, bool):
        return "-"
    if isinstance(value, (int, float)):
        return f"{value:.2f}"
    if isinstance(value, str) and value:
        return value
    return "-"


def _sources(report: Report) -> list[SourceView]:
    """One row per source: from the sources analyzer's summary when present, else grouped layer spans."""
    claims_by_source: Counter[str] = Counter()
    cs = report.layers.get("claim_sourcing")
    if cs is not None:
        claims_by_source.update(str(s.attrs["source_id"]) for s in cs.spans if s.attrs.get("source_id"))
    summary = report.summary.get("sources")
    rows: list[SourceView] = []
    if isinstance(summary, dict) and isinstance(summary.get("sources"), list):
        for row in summary["sources"]:
            if not isinstance(row, dict):
                continue
            rel = row.get("reliability")
            sid = str(row.get("source_id") or "")
            rows.append(
                SourceView(
                    name=str(row.get("name") or row.get("text") or row.get("source") or "?"),
                    kind=str(row.get("kind") or ""),
                    mentions=row.get("mentions", row.get("count")) or 0,
                    attributions=row.get("attributions") if isinstance(row.get("attributions"), int) else None,
                    claims=claims_by_source.get(sid, int(row.get("claims") or 0)),
                    domain=str(row.get("domain") or ""),
                    reliability=reliability_text(rel),
                    rating_source=str(rel.get("source") or "") if isinstance(rel, dict) else "",
                )
            )
        return rows
    layer = report.layers.get("sources")
    if layer is None:
        return []
    groups: dict[str, dict[str, Any]] = {}
    for span in layer.spans:
        key = str(span.attrs.get("source_id") or span.text)
        rel = span.attrs.get("reliability")
        row = groups.setdefault(
            key,
            {"name": str(span.attrs.get("name") or span.text), "kind": str(span.attrs.get("kind") or span.label),
             "mentions": 0, "attributions": None, "claims": claims_by_source.get(key, 0),
             "domain": str(span.attrs.get("domain") or ""), "reliability": reliability_text(rel),
             "rating_source": str(rel.get("source") or "") if isinstance(rel, dict) else ""},
        )  # fmt: skip
        row["mentions"] += 1
    return [SourceView(**r) for r in sorted(groups.values(), key=lambda r: -r["mentions"])]


def _sourcing_summary(report: Report) -> list[tuple[str, str]]:
    """How the check-worthy claims are sourced, as label/value pairs ("unsourced": "11 of 16")."""
    layer = report.layers.get("claim_sourcing")
    summary = layer.data.get("summary") if layer else None
    if not isinstance(summary, dict):
        return []
    counts = summary.get("counts")
    total = summary.get("claims")
    if not isinstance(counts, dict) or not isinstance(total, int):
        return []
    return [(str(label), f"{n} of {total} check-worthy claims") for label, n in counts.items()]


def _tip(span: ReportSpan, layer: str, legend: dict[str, str]) -> str:
    """A highlight's hover text, as a sentence a reader can take in at once."""
    score = f" ({span.score:.2f})" if span.score is not None else ""
    if layer == "techniques":
        meaning = legend.get(span.label, "")
        return f"Persuasion technique: {span.label}{score}" + (f". {meaning}" if meaning else "")
    if layer == "claims":
        return f"Check-worthy claim, ranked #{span.attrs.get('rank', '?')}{score}"
    if layer == "sources":
        kind = span.attrs.get("kind") or span.label
        rel = reliability_text(span.attrs.get("reliability"))
        return f"Source ({kind})" + (f", outlet reliability {rel}" if rel != "-" else "")
    if layer == "attributions":
        return f"Attributed content ({span.label})"
    return f"{layer}: {span.label}{score}"


def _findings(report: Report) -> list[FindingView]:
    """``summary.findings`` as views (severity order as written by the findings analyzer)."""
    raw = report.summary.get("findings")
    if not isinstance(raw, list):
        return []
    out = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("message"), str):
            spans = tuple(str(i) for i in item.get("spans", []) if isinstance(i, str))
            out.append(FindingView(str(item.get("kind", "")), str(item.get("severity", "low")), item["message"], spans))
    return out


def _pieces(
    report: Report, colour: dict[str, int], legend: dict[str, str], focus: set[str] | None = None
) -> list[Piece]:
    """The article cut into runs with the highlights covering each; with ``focus``, only spans of those ids."""
    highlights: list[tuple[ReportSpan, str]] = []
    for name in HIGHLIGHT_LAYERS:
        layer = report.layers.get(name)
        if layer is None:
            continue
        for span in layer.spans:
            if name == "claims" and span.label != "checkworthy":
                continue
            if focus is not None and span.id not in focus:
                continue
            highlights.append((span, name))
    text = report.document.text
    pieces = []
    for start, end, covering in segments(text, highlights):
        if not covering:
            pieces.append(Piece(start, end, text[start:end]))
            continue
        tech = next((s for s, n in covering if n == "techniques"), None)
        pieces.append(
            Piece(
                start,
                end,
                text[start:end],
                layers=tuple(dict.fromkeys(n for _, n in covering)),
                ids=tuple(s.id for s, _ in covering),
                tip=" | ".join(_tip(s, n, legend) for s, n in covering),
                colour=colour.get(tech.label, 0) if tech is not None else None,
            )
        )
    return pieces


def _details(attrs: dict[str, Any]) -> str:
    bits = []
    for key, value in attrs.items():
        if isinstance(value, dict) and "text" in value:
            bits.append(f"{key}: {value['text']}")
        elif not isinstance(value, (dict, list)):
            bits.append(f"{key}: {value}")
    return short(", ".join(bits), 200)


def _tables(report: Report) -> list[TableView]:
    tables = []
    for name, layer in report.layers.items():
        if name in QUIET_LAYERS or name in SECTION_LAYERS:
            continue
        rows: Iterable[tuple[str, str, float | None, str]]
        if name == "entities":
            grouped = Counter((s.label, s.text) for s in layer.spans).most_common()
            rows = [(label, text, None, f"{n}×" if n > 1 else "") for (label, text), n in grouped]
            total = len(grouped)
            limit = ENTITY_ROWS
        else:
            rows = [(s.label, short(s.text, 200), s.score, _details(s.attrs)) for s in layer.spans]
            total = len(layer.spans)
            limit = LAYER_ROWS
        kept = tuple(itertools.islice(rows, limit))
        tables.append(TableView(name, total, kept, len(kept)))
    return tables
