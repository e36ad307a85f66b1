"""Findings: what a fact-checker should look at first, each one plain sentence pointing at spans a reader can see.

Rules over the other layers, no model: the language, published fact-checks that match, check-worthy claims with no
source, claims that rest on unnamed evidence ("investigations have shown"), anonymous and vague sources, outlets of
low reliability the article relies on, and how much persuasive wording the writer uses. A finding appears only when
it says something; an article with nothing to flag gets one finding that says so. The list is
``summary.findings`` in the report (this layer's ``data["summary"]``), most important first::

    {"kind": "unsourced_claim", "severity": "high", "message": "9 of 14 check-worthy claims …", "spans": ["claims/3", …]}
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from veracity.analyzers.base import BaseAnalyzer
from veracity.doc import Document, Layer, Span
from veracity.sourcing.ranges import RangeIndex

__all__ = ["FINDING_KINDS", "SEVERITIES", "FindingsAnalyzer"]

SEVERITIES = ("high", "medium", "low")
#: finding kinds in the order they are shown within a severity, with what each means
FINDING_KINDS = {
    "language": "the text is not English, and every model here is English-only",
    "factcheck_match": "a claim matches a published fact-check",
    "corpus_passages": "passages of your own corpus to read about a claim (not a verdict)",
    "headline": "the headline uses persuasive wording (and asserts a claim no one is cited for)",
    "unsourced_claim": "check-worthy claims that no one is cited for",
    "unnamed_evidence": "claims that rest on evidence the article does not name",
    "anonymous_source": "claims that rest on anonymous or vague sources",
    "low_reliability_outlet": "an outlet of low reliability the article relies on",
    "persuasion": "persuasive wording in the writer's own voice",
    "none": "nothing stands out",
}
#: names of languages for messages (ISO 639-1; others are shown by code)
LANGUAGES = {
    "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch",
    "ru": "Russian", "ar": "Arabic", "tr": "Turkish", "pl": "Polish", "uk": "Ukrainian", "zh": "Chinese",
    "ja": "Japanese", "fa": "Persian", "he": "Hebrew", "sv": "Swedish", "ro": "Romanian", "el": "Greek",
}  # fmt: skip
#: verdicts that make a fact-check match urgent
FALSE_VERDICTS = {"false", "mostly_false"}
#: an outlet rated below this (Lin et al. 2023 aggregate score, 0-1) is low reliability
LOW_RELIABILITY = 0.4
#: technique passages per 1,000 words of the writer's own voice at which persuasion is flagged (medium) / high
PERSUASION_MEDIUM = 4.0
PERSUASION_HIGH = 10.0
#: with the reference statistics: percentile of mainstream news from which persuasion is medium / high
REFERENCE_MEDIUM = 90.0
REFERENCE_HIGH = 95.0
#: claims needed before a pattern is called high severity (one or two unsourced lines are ordinary in news)
MIN_HIGH = 3
#: how many claims a message quotes
QUOTED = 2
#: evidence named only by its kind ("investigations have shown", "studies prove", "evidence suggests")
UNNAMED_EVIDENCE = re.compile(
    r"\b(subsequent |later |recent |new |independent |several |many |numerous )?"
    r"(investigations?|studies|study|research|reports|evidence|analyses|analysis|experts|documents|tests|footage)\s+"
    r"(have |has |had )?(shown|show|shows|proved|proven|prove|proves|revealed|reveals|found|finds|confirmed|confirms"
    r"|demonstrated|demonstrates|suggests?|suggested|indicates?|indicated)\b",
    re.IGNORECASE,
)


REFERENCE_FILE = "reference_stats.json"


def reference_percentile(signal: str, value: float) -> float | None:
    """Where ``value`` falls among mainstream news articles (0-100), from the shipped reference quantiles."""
    quantiles = _reference().get("quantiles", {}).get(signal)
    if not quantiles:
        return None
    points = sorted((float(v), float(q)) for q, v in quantiles.items())
    below = [q for v, q in points if v < value]
    return max(below) if below else 0.0


def _reference() -> dict[str, Any]:
    from veracity.models import loading

    return loading.shared("reference-stats", _load_reference)


def _load_reference() -> dict[str, Any]:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / REFERENCE_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


@dataclass
class Finding:
    """One thing to look at: its kind, how much it matters, one sentence, and the spans it is about."""

    kind: str
    severity: str
    message: str
    spans: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape in ``summary.findings`` (span ids once each, in the order given)."""
        message = re.sub(r"([.!?…]”)\.", r"\1", self.message)  # no full stop after a quotation that ends a sentence
        return {
            "kind": self.kind,
            "severity": self.severity,
            "message": message,
            "spans": list(dict.fromkeys(self.spans)),
        }


def _quote(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= n else text[: n - 1].rstrip() + '…'}”"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


class FindingsAnalyzer(BaseAnalyzer):
    """Turns the other layers into the short, ordered list of what to check first."""

    name = "findings"
    produces = "findings"
    requires = ("claims", "claim_sourcing", "sources", "factchecks", "techniques")
    #: read when the pipeline has it (a corpus is optional), so run after it
    after = ("evidence",)
    version = "1.0.0"
    description = (
        "What to check first: unsourced claims, anonymous sources, weak outlets, fact-check matches, language."
    )

    def _analyze(self, doc: Document) -> Layer:
        findings = [
            *self._language(doc),
            *self._factchecks(doc),
            *self._corpus_passages(doc),
            *self._headline(doc),
            *self._unsourced(doc),
            *self._unnamed_evidence(doc),
            *self._anonymous(doc),
            *self._outlets(doc),
            *self._persuasion(doc),
        ]
        if not findings:
            findings = [Finding("none", "low", "Nothing stands out: the check-worthy claims are sourced, no weak outlet "
                                "or published fact-check was found, and the wording is plain.")]  # fmt: skip
        order = list(FINDING_KINDS)
        findings.sort(key=lambda f: (SEVERITIES.index(f.severity), order.index(f.kind)))
        data = {
            "summary": [f.as_dict() for f in findings],
            "legend": dict(FINDING_KINDS),
            "language": _language_of(doc),
        }
        return Layer("findings", (), (), data)

    # -- the rules ----------------------------------------------------------------------------------------------
    @staticmethod
    def _checkworthy(doc: Document) -> list[Span]:
        claims = [s for s in doc.layer("claims").spans if s.label == "checkworthy"]
        return sorted(claims, key=lambda s: s.attrs.get("rank", 10**9))

    def _language(self, doc: Document) -> list[Finding]:
        code = _language_of(doc)
        if not code or code == "en":
            return []
        name = LANGUAGES.get(str(code), f"language {code!r}")
        first = [s.id for s in doc.layer("sentences").spans[:1] if s.id] if doc.has_layer("sentences") else []
        return [
            Finding(
                "language",
                "high",
                f"The text looks {name}, not English: claims, persuasion techniques, sourcing and fact-check matching "
                "use English-only models and rules, so read their results here with great care.",
                first,
            )
        ]

    def _factchecks(self, doc: Document) -> list[Finding]:
        layer = doc.layer("factchecks")
        by_claim: dict[str, list[Span]] = defaultdict(list)
        for span in layer.spans:
            by_claim[str(span.attrs.get("claim_id"))].append(span)
        if not by_claim:
            return []
        false = [cid for cid, matches in by_claim.items() if any(m.label in FALSE_VERDICTS for m in matches)]
        # false verdicts first, then the closest match (the score of the best fact-check for each claim)
        ordered = sorted(by_claim, key=lambda cid: (cid not in false, -max(m.score or 0.0 for m in by_claim[cid])))
        first = max(by_claim[ordered[0]], key=lambda m: m.score or 0.0)
        verdict = first.attrs.get("textual_rating") or (
            "no verdict in the imported data" if first.label == "unrated" else first.label.replace("_", " ")
        )
        publisher = first.attrs.get("publisher") or "a fact-checker"
        lead = (
            f"{_plural(len(false), 'claim')} match{'es' if len(false) == 1 else ''} published fact-checks rated false"
            if false
            else f"{_plural(len(by_claim), 'claim')} match{'es' if len(by_claim) == 1 else ''} published fact-checks"
        )
        how = {"repeats": "repeats", "contradicts": "contradicts"}.get(str(first.attrs.get("agreement")), "matches")
        message = (
            f"{lead}: {_quote(doc.text[first.start : first.end])} {how} "
            f"{_quote(str(first.attrs.get('claim', '')))} ({publisher}: {verdict})."
        )
        ids = list(ordered) + [m.id for cid in ordered for m in by_claim[cid] if m.id]
        # high either way: a published check of the same claim is where a fact-checker starts, verdict or not
        return [Finding("factcheck_match", "high", message, ids)]

    def _headline(self, doc: Document) -> list[Finding]:
        """The title, analysed with the body (``meta.headline``): an unsourced claim or loaded wording in it."""
        where = doc.meta.get("headline")
        if not isinstance(where, dict):
            return []
        start, end = int(where.get("start", 0)), int(where.get("end", 0))
        inside = [c for c in self._checkworthy(doc) if c.start < end and c.end > start]
        sourcing = self._sourcing(doc)
        unsourced = [c for c in inside if getattr(sourcing.get(c.id or ""), "label", "unsourced") == "unsourced"]
        wording = [t for t in doc.layer("techniques").spans if t.start < end and t.end > start]
        if not wording:  # news headlines are rarely attributed in themselves; loaded wording is what stands out
            return []
        title = _quote(doc.text[start:end], 120)
        if unsourced and wording:
            labels = _top_labels(wording)
            message = f"The headline {title} asserts a claim no one is cited for, in loaded wording ({labels})."
        else:
            message = f"The headline {title} uses persuasive wording ({_top_labels(wording)})."
        ids = [c.id for c in unsourced if c.id] + [t.id for t in wording if t.id]
        return [Finding("headline", "high" if unsourced else "medium", message, ids)]

    def _sourcing(self, doc: Document) -> dict[str, Span]:
        """claim span id → its claim_sourcing span."""
        return {str(s.attrs.get("claim_id")): s for s in doc.layer("claim_sourcing").spans}

    def _unsourced(self, doc: Document) -> list[Finding]:
        claims = self._checkworthy(doc)
        if not claims:
            return []
        sourcing = self._sourcing(doc)
        unsourced = [c for c in claims if getattr(sourcing.get(c.id or ""), "label", "unsourced") == "unsourced"]
        if not unsourced:
            return []
        share = len(unsourced) / len(claims)
        first_sentence = min(claims, key=lambda c: c.start)
        lede_unsourced = first_sentence in unsourced
        quoted = [first_sentence] if lede_unsourced else []
        quoted += [c for c in unsourced if c is not first_sentence][: QUOTED - len(quoted)]
        lede = " the opening claim" if lede_unsourced else ""
        quotes = " and ".join(_quote(doc.text[c.start : c.end]) for c in quoted)
        percentile = reference_percentile("unsourced_share", share)
        typical = _reference().get("quantiles", {}).get("unsourced_share", {}).get("50")
        compared = f" ({share:.0%}; the median mainstream article: {float(typical):.0%})" if typical is not None else ""
        message = (
            f"{len(unsourced)} of {len(claims)} check-worthy claims name no source{compared}, including{lede} {quotes}."
            if len(unsourced) > 1
            else f"1 of {len(claims)} check-worthy claims names no source: {quotes}."
        )
        many = len(unsourced) >= MIN_HIGH
        if percentile is None:  # no reference statistics shipped: plain shares
            above = share >= 0.5
            severity = "high" if many and above else "medium" if share >= 0.25 and len(unsourced) >= 2 else "low"
        else:  # compared with mainstream news, where half the claims are often unsourced
            above = percentile >= 50
            if many and (percentile >= REFERENCE_HIGH or (lede_unsourced and above)):
                severity = "high"
            else:
                severity = "medium" if many and percentile >= 75 else "low"
        return [Finding("unsourced_claim", severity, message, [c.id for c in quoted + unsourced if c.id])]

    def _corpus_passages(self, doc: Document) -> list[Finding]:
        """Claims with passages of the user's corpus: passages to read. Never "refuted by your corpus": the stance
        model is at chance on FEVER-Symmetric dev, so counting or headlining its refutations would put wrong rows
        first; the evidence layer says whether stance is trusted (``summary.stance_shown``)."""
        layer = doc.layers.get("evidence")
        if layer is None or not layer.spans:
            return []
        by_id = {c.id: c for c in doc.layer("claims").spans if c.id}
        ids = list(dict.fromkeys(str(s.attrs.get("claim_id")) for s in layer.spans))
        claims = sorted((by_id[i] for i in ids if i in by_id), key=lambda c: c.attrs.get("rank", 10**9))
        if not claims:
            return []
        name = layer.data.get("corpus") or ""
        corpus = f"Your corpus {name}" if name else "Your corpus"
        quotes = " and ".join(_quote(doc.text[c.start : c.end]) for c in claims[:QUOTED])
        message = (
            f"{corpus} has {_plural(len(layer.spans), 'passage')} to read about {_plural(len(claims), 'claim')}: "
            f"{quotes}."
        )
        if not layer.data.get("summary", {}).get("stance_shown", False):
            message += " Read them: the stance model cannot yet tell a passage that supports a claim from one that contradicts it."
        return [Finding("corpus_passages", "low", message, [c.id for c in claims if c.id])]

    def _unnamed_evidence(self, doc: Document) -> list[Finding]:
        sourcing = self._sourcing(doc)
        found = [
            c for c in self._checkworthy(doc)
            if UNNAMED_EVIDENCE.search(doc.text[c.start : c.end])
            and getattr(sourcing.get(c.id or ""), "label", "unsourced") != "sourced"
        ]  # fmt: skip
        if not found:
            return []
        quotes = " and ".join(_quote(doc.text[c.start : c.end]) for c in found[:QUOTED])
        what = "rests" if len(found) == 1 else "rest"
        message = f"{_plural(len(found), 'claim')} {what} on evidence the article does not name: {quotes}. Which?"
        return [Finding("unnamed_evidence", "high", message, [c.id for c in found if c.id])]

    def _anonymous(self, doc: Document) -> list[Finding]:
        sources = doc.layer("sources")
        rows = {r["source_id"]: r for r in sources.data.get("summary", {}).get("sources", []) if "source_id" in r}
        sourcing = self._sourcing(doc)
        resting = [
            (c, sourcing[c.id or ""]) for c in self._checkworthy(doc)
            if getattr(sourcing.get(c.id or ""), "label", None) == "anonymous"
        ]  # fmt: skip
        if not resting:
            return []
        names: list[str] = []
        for _, cs in resting:
            row = rows.get(str(cs.attrs.get("source_id")))
            if row and row.get("name") and row["name"] not in names:
                names.append(str(row["name"]))
        mention_ids = [
            s.id for s in sources.spans
            if s.id and s.attrs.get("source_id") in {cs.attrs.get("source_id") for _, cs in resting}
        ]  # fmt: skip
        who = f" ({', '.join(names[:3])}{', …' if len(names) > 3 else ''})" if names else ""
        example = next(
            (c for c, _ in resting if not UNNAMED_EVIDENCE.search(doc.text[c.start : c.end])), resting[0][0]
        )  # the unnamed-evidence finding quotes those already
        share = len(resting) / max(1, len(self._checkworthy(doc)))
        percentile = reference_percentile("anonymous_share", share)
        typical = _reference().get("quantiles", {}).get("anonymous_share", {}).get("50")
        compared = (
            f", {share:.0%} of them (the median mainstream article: {float(typical):.0%})"
            if typical is not None
            else ""
        )
        message = (
            f"{_plural(len(resting), 'check-worthy claim')} rest{'s' if len(resting) == 1 else ''} on anonymous or "
            f"vague sources{who}{compared}: {_quote(doc.text[example.start : example.end])}."
        )
        if percentile is None:
            severity = "high" if len(resting) >= MIN_HIGH else "medium" if len(resting) == 2 else "low"
        elif len(resting) >= MIN_HIGH and percentile >= REFERENCE_MEDIUM:
            severity = "high"
        else:
            severity = "medium" if len(resting) >= 2 and percentile >= 75 else "low"
        return [Finding("anonymous_source", severity, message, [c.id for c, _ in resting if c.id] + mention_ids)]

    def _outlets(self, doc: Document) -> list[Finding]:
        """Low-reliability outlets the article cites, or that relay its claims ("speaking to Sputnik Arabic")."""
        sources = doc.layer("sources")
        claims_via = self._claims_through(doc)
        weak: dict[str, dict[str, Any]] = {}  # display name -> {label, ids, claims}
        for row in sources.data.get("summary", {}).get("sources", []):
            rel = row.get("reliability")
            if (
                row.get("kind") != "outlet"
                or not isinstance(rel, dict)
                or not _is_low(rel.get("rating"), rel.get("score"))
            ):
                continue
            sid = row["source_id"]
            entry = weak.setdefault(str(row.get("name")), {"label": _outlet_label(row.get("name"), row.get("domain"),
                                                                                   rel.get("score")), "ids": [], "claims": []})  # fmt: skip
            entry["ids"] += [m.id for m in sources.spans if m.attrs.get("source_id") == sid and m.id]
            entry["claims"] += claims_via.get(sid, [])
        checkworthy = {c.id for c in self._checkworthy(doc)}
        for span in doc.layer("claim_sourcing").spans:
            for hop in span.attrs.get("via") or []:
                if not isinstance(hop, dict) or hop.get("kind") != "outlet" or not _is_low(hop.get("rating"), None):
                    continue
                name = str(hop.get("text") or hop.get("domain") or "an outlet")
                entry = weak.setdefault(name, {"label": _outlet_label(name, hop.get("domain"), None), "ids": [],
                                               "claims": []})  # fmt: skip
                claim = span.attrs.get("claim_id")
                if claim in checkworthy:
                    entry["claims"].append(claim)
        if not weak:
            return []
        names = [e["label"] for e in weak.values()]
        via = list(dict.fromkeys(c for e in weak.values() for c in e["claims"]))
        ids = [i for e in weak.values() for i in e["ids"]]
        outlets = " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " and " + names[-1]
        what = "a low-reliability outlet" if len(weak) == 1 else "low-reliability outlets"
        carried = (
            f"; {_plural(len(via), 'check-worthy claim')} reach{'es' if len(via) == 1 else ''} the reader through "
            f"{'it' if len(weak) == 1 else 'them'}"
            if via
            else ""
        )
        message = f"The article relies on {what}: {outlets}{carried}."
        return [Finding("low_reliability_outlet", "high" if via else "medium", message, ids + via)]

    @staticmethod
    def _claims_through(doc: Document) -> dict[str, list[str]]:
        """source_id → check-worthy claim ids inside the content that source is credited with."""
        if not doc.has_layer("attributions"):
            return {}
        mention_source = {s.id: s.attrs.get("source_id") for s in doc.layer("sources").spans}
        owner: dict[str, str] = {}
        for rel in doc.layer("sources").relations:
            if rel.label == "source_of" and rel.head_id in mention_source:
                owner[rel.tail_id] = str(mention_source[rel.head_id])
        out: dict[str, list[str]] = defaultdict(list)
        claims = [s for s in doc.layer("claims").spans if s.label == "checkworthy"]
        by_place = RangeIndex((c.start, c.end, k) for k, c in enumerate(claims))  # linear however long the text
        for att in doc.layer("attributions").spans:
            sid = owner.get(att.id or "")
            if sid is None:
                continue
            parts = att.attrs.get("parts") or [{"start": att.start, "end": att.end}]
            near = sorted({k for p in parts for k in by_place.overlapping(p["start"], p["end"])})
            for claim in (claims[k] for k in near):
                covered = sum(max(0, min(claim.end, p["end"]) - max(claim.start, p["start"])) for p in parts)
                if covered >= 0.5 * (claim.end - claim.start) and claim.id and claim.id not in out[sid]:
                    out[sid].append(claim.id)
        return out

    def _persuasion(self, doc: Document) -> list[Finding]:
        layer = doc.layer("techniques")
        # the writer's wording: their own sentences and what they paraphrase; direct quotations are someone else's
        spans = [s for s in layer.spans if s.attrs.get("voice", "writer") != "quoted"]
        quoted = len(layer.spans) - len(spans)
        summary = layer.data.get("summary", {})
        density = summary.get("writer_per_1000_words")
        if not isinstance(density, (int, float)):
            density = len(spans) / max(1, len(doc.text.split())) * 1000
        if density < PERSUASION_MEDIUM:
            return []
        labels = _top_labels(spans)
        extra = f" ({quoted} more inside quotations)" if quoted else ""
        percentile = reference_percentile("writer_technique_density", density)
        compared = (
            f", more than {percentile:.0f}% of mainstream news articles"
            if percentile is not None and percentile >= 50
            else ""
        )
        message = (
            f"The writer's own wording uses persuasion techniques {density:.1f} times per 1,000 words"
            f"{compared}{extra}, mostly {labels}."
        )
        if percentile is not None:
            if percentile < REFERENCE_MEDIUM:
                return []
            severity = "high" if percentile >= REFERENCE_HIGH else "medium"
        else:
            severity = "high" if density >= PERSUASION_HIGH else "medium"
        return [Finding("persuasion", severity, message, [s.id for s in spans if s.id])]


def _top_labels(spans: Sequence[Span]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for s in spans:
        counts[s.label] += 1
    top = sorted(counts, key=lambda k: -counts[k])[:2]
    return " and ".join(label.replace("_", " ").replace(",", " / ") for label in top)


def _language_of(doc: Document) -> str | None:
    """The document's language: as given in its meta, else detected (English prose is recognised without a model)."""
    given = doc.meta.get("language")
    if given:
        return str(given)
    from veracity.ingest.language import detect_language

    return detect_language(doc.text)[0]


def _is_low(rating: Any, score: Any) -> bool:
    return rating == "low" or (isinstance(score, (int, float)) and score < LOW_RELIABILITY)


def _outlet_label(name: Any, domain: Any, score: Any) -> str:
    rating = f"reliability {score:.2f}" if isinstance(score, (int, float)) else "rated low"
    return f"{name} ({str(domain) + ', ' if domain else ''}{rating})"
