"""Claim sourcing: does a claim rest on a named source, an anonymous or vague one, or on nothing but the writer?

``claim_sourcing`` reads the ``attributions`` and ``sources`` layers of a document; the claims analyzer calls it for
every check-worthy claim, and ``sourcing_summary`` turns the results into the report summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from veracity.doc import Document, Layer, Span
from veracity.sourcing.cited import cue_cites
from veracity.sourcing.ranges import RangeIndex

__all__ = ["SOURCING_LABELS", "SourcingIndex", "claim_sourcing", "sourcing_summary", "voice_shares"]

SOURCING_LABELS = {
    "sourced": "attributed to a named person, organisation, government or outlet",
    "anonymous": 'attributed only to an unnamed or vague source, or reported with no source named ("was said to")',
    "unsourced": "asserted by the writer with no attribution at all",
}
#: share of the claim's characters an attribution (content, cue and source words) must cover to count as its source;
#: 0.6 was best on PolNeAR train (claim sourcing accuracy 0.804; 0.5: 0.787, 0.7: 0.799; letting a cue that is the
#: sentence's main verb cover it regardless lowered it to 0.769)
MIN_COVER = 0.5
#: what counts as covered: "all" (content, cue and source words) or "content" (the reported words alone)
COVER_PARTS = "content"
#: a main-verb cue frames a claim its content covers too little of when the source's conjoined verbs fill the rest
#: ("Damascus and Moscow accuse the group of …, and have provided evidence of …"); share of the claim the frame covers
FRAME_COVER: float | None = 0.85
#: a short claim that is one attribution whole: source, cue and content cover this share, the content at least the next
WHOLE_COVER: float | None = 0.95
WHOLE_MIN_CONTENT = 0.35
WHOLE_KINDS: frozenset[str] | None = None
#: a direct quotation whose speaker can be named sources the claim whatever its cue ("“…,” she continued")
DIRECT_CITES = False
#: a source phrase that names no one, inside another speaker's quotation, does not report the claim
SPEAKERLESS_NESTED = True
#: attribution labels that source a claim (a belief, "X wants to …", leaves the claim to the writer)
SOURCING_ATTRIBUTIONS = ("direct", "indirect")


def _parts(span: Span) -> list[tuple[int, int]]:
    parts = span.attrs.get("parts")
    return [(p["start"], p["end"]) for p in parts] if parts else [(span.start, span.end)]


class SourcingIndex:
    """One document's attributions, quoted segments, source mentions and relays, indexed once for every claim.

    Looking each claim up here costs what touches the claim, not the whole document: sourcing stays linear in the
    length of the text however many claims it holds.
    """

    def __init__(self, doc: Document) -> None:
        self.has_attributions = doc.has_layer("attributions")
        atts = doc.layer("attributions") if self.has_attributions else None
        self.sources = doc.layer("sources") if doc.has_layer("sources") else None
        spans = list(atts.spans) if atts is not None else []
        # hits come back in the layer's order (ties are broken as a scan of the whole layer would)
        self._attributions = RangeIndex(
            (min(s for s, _ in rs), max(e for _, e in rs), i) for i, att in enumerate(spans) if (rs := _ranges(att))
        )
        #: content parts only: where a relayed attribution's cue may sit inside an outer one
        self._parts = RangeIndex((s, e, i) for i, att in enumerate(spans) for s, e in _parts(att))
        self._spans = spans
        self._segments = atts.data.get("quoted", []) if atts is not None else []
        self._quoted = RangeIndex((seg["start"], seg["end"], i) for i, seg in enumerate(self._segments))
        self._quotes_cited = RangeIndex(
            (s, e, (s, e)) for a in spans if a.label == "direct" and a.attrs.get("cited") for s, e in _parts(a)
        )
        self.mentions = {(m.start, m.end): m for m in self.sources.spans} if self.sources is not None else {}
        # cited sources the table leaves out (an unnamed group behind an unsure cue), with their kind
        self.unlisted = {
            (u["start"], u["end"]): u
            for u in (self.sources.data.get("unlisted", []) if self.sources is not None else [])
        }
        self.relays: dict[str, list[dict[str, Any]]] = {}
        for relay in self.sources.data.get("relays", []) if self.sources is not None else []:
            for att_id in relay.get("attributions", []):
                self.relays.setdefault(att_id, []).append(relay)

    def attributions(self, start: int, end: int) -> list[Span]:
        """Attributions with any range (content, cue, source) touching ``[start, end)``, in layer order."""
        return [self._spans[i] for i in sorted(self._attributions.overlapping(start, end))]

    def holding(self, at: int) -> list[Span]:
        """Attributions whose content holds the character at ``at``, in layer order."""
        return [self._spans[i] for i in sorted(set(self._parts.overlapping(at, at + 1)))]

    def quoted(self, start: int, end: int) -> list[dict[str, Any]]:
        """Quoted/reported segments touching ``[start, end)``, in layer order."""
        return [self._segments[i] for i in sorted(self._quoted.overlapping(start, end))]

    def quotes_around(self, start: int, end: int) -> list[tuple[int, int]]:
        """Content parts of cited direct quotes overlapping ``[start, end)`` (those that may hold a source phrase)."""
        return self._quotes_cited.overlapping(start, end)

    def mention(self, src: dict[str, Any] | None) -> Span | None:
        """The sources-layer span exactly over a source phrase, if any."""
        return self.mentions.get((src["start"], src["end"])) if src else None


def _ranges(att: Span) -> list[tuple[int, int]]:
    """Every character range of an attribution: its content parts, its cue and its source words."""
    return _parts(att) + [
        (r["start"], r["end"]) for r in (att.attrs.get("cue"), att.attrs.get("source")) if isinstance(r, dict)
    ]


def _covered(att: Span, start: int, end: int, parts: str | None = None) -> int:
    """Characters of ``[start, end)`` inside the attribution: its content (and its cue and source words with
    ``parts="all"``)."""
    ranges = _ranges(att) if (parts or COVER_PARTS) == "all" else _parts(att)
    points = sorted((max(s, start), min(e, end)) for s, e in ranges if min(e, end) > max(s, start))
    total, reach = 0, start
    for s, e in points:
        s = max(s, reach)
        if e > s:
            total += e - s
            reach = e
    return total


def _frames(att: Span, start: int, end: int) -> bool:
    """Whether the attribution's main-verb frame (source, cue, content and the source's conjoined verbs) covers the
    claim (see ``FRAME_COVER``)."""
    frame = att.attrs.get("frame")
    if FRAME_COVER is None or not isinstance(frame, dict):
        return False
    inside = min(end, frame["end"]) - max(start, frame["start"])
    return inside >= FRAME_COVER * (end - start)


def _whole(att: Span, start: int, end: int, share: float) -> bool:
    """Whether the claim is the attribution and little else: source, cue and content together cover ``WHOLE_COVER``
    of it, and the content at least ``WHOLE_MIN_CONTENT`` ("Subsequent investigations have shown that the video was a
    fake."), not a frame whose words come in the next sentence ("He said:")."""
    if WHOLE_COVER is None or share < WHOLE_MIN_CONTENT:
        return False
    ranges = _parts(att) + [
        (r["start"], r["end"]) for r in (att.attrs.get("cue"), att.attrs.get("source")) if isinstance(r, dict)
    ]
    # the stretch from the first to the last of them (the auxiliaries and spaces between belong to it)
    inside = min(end, max(e for _, e in ranges)) - max(start, min(s for s, _ in ranges))
    return inside >= WHOLE_COVER * (end - start)


def _citing(att: Span, quotes: Sequence[tuple[int, int]] = ()) -> bool:
    """An attribution a claim can rest on: reported speech whose cue reports (not "launched", "continue to")."""
    if att.label not in SOURCING_ATTRIBUTIONS or att.attrs.get("unsaid"):
        return False  # a belief, or nothing said: "did not respond", "refused to comment", "claimed the lives of"
    if "cited" not in att.attrs:
        return True  # a layer from before the cited flag
    if DIRECT_CITES and att.label == "direct" and att.attrs.get("speaker"):
        return True
    if att.attrs["cited"]:
        return True
    if SPEAKERLESS_NESTED and att.attrs.get("source") and not att.attrs.get("speaker") and quotes:
        # a phrase that names no one inside someone's quotation ("“a fraud who believes the rules don't apply”")
        # is what the quoted speaker says, not a source of the claim
        src = att.attrs["source"]
        if any(s <= src["start"] and src["end"] <= e for s, e in quotes):
            return False
    return cue_cites(str(att.attrs.get("cue_lemma", "")))


def _inside(inner: Span, outer: Span) -> bool:
    """Whether the inner attribution's cue lies in the outer one's content (a relayed chain)."""
    cue = inner.attrs.get("cue")
    return inner is not outer and isinstance(cue, dict) and any(s <= cue["start"] < e for s, e in _parts(outer))


def _via(index: SourcingIndex, att: Span) -> list[dict[str, Any]]:
    """Who relays the attribution to us, outermost first: cited attributions whose content holds it ("Sputnik reports:
    two officials said …") and outlets it was given to ("told CNN", "speaking to Sputnik Arabic")."""
    chain: list[dict[str, Any]] = []
    cue = att.attrs.get("cue")
    for outer in index.holding(cue["start"]) if isinstance(cue, dict) else []:
        src = outer.attrs.get("source")
        if src and outer.attrs.get("cited", True) and _inside(att, outer):
            chain.append({"start": src["start"], "end": src["end"], "attribution": outer.id})
    for relay in index.relays.get(att.id or "", []):
        chain.append({**relay, "attribution": None})
    out = []
    for link in sorted(chain, key=lambda r: r["start"]):
        mention = index.mention(link)
        row: dict[str, Any] = {"start": link["start"], "end": link["end"]}
        if link.get("domain"):
            row["kind"] = "outlet"
            row["domain"] = link["domain"]
            row["role"] = link.get("role")
            if link.get("reliability"):
                row["rating"] = link["reliability"].get("rating")
        if mention is not None:
            row["source_id"] = mention.attrs.get("source_id")
            row["kind"] = mention.attrs.get("kind")
            reliability = mention.attrs.get("reliability")
            if reliability:
                row["rating"] = reliability.get("rating")
        if link["attribution"]:
            row["attribution"] = link["attribution"]
        out.append(row)
    return out


def voice_shares(doc: Document, start: int, end: int, index: SourcingIndex | None = None) -> dict[str, float]:
    """Share of ``[start, end)`` in each voice of the attributions layer's ``quoted`` segments ("quoted", "reported",
    "belief"); the rest ("own") is the writer speaking. Empty ranges and documents without the layer are all "own".
    Pass the document's ``SourcingIndex`` when asking for many ranges."""
    shares = {"own": 1.0, "quoted": 0.0, "reported": 0.0, "belief": 0.0}
    if end <= start or not doc.has_layer("attributions"):
        return shares
    index = index or SourcingIndex(doc)
    for seg in index.quoted(start, end):
        inside = max(0, min(end, seg["end"]) - max(start, seg["start"]))
        if inside:
            shares[seg["voice"]] = shares.get(seg["voice"], 0.0) + inside / (end - start)
            shares["own"] -= inside / (end - start)
    return {k: round(max(0.0, v), 4) for k, v in shares.items()}


def claim_sourcing(doc: Document, start: int, end: int, index: SourcingIndex | None = None) -> dict[str, Any]:
    """How the claim ``[start, end)`` is sourced: the innermost citing attribution covering most of it.

    Beliefs and intentions ("X wants to …") and non-reporting verbs ("the US launched strikes") do not source a
    claim: the writer still asserts them. ``via`` lists who relays the source to us (outermost first), e.g. the outlet
    that reports what "two anonymous US officials" said. ``voice`` is "own" (the writer's) unless a third or more of
    the claim is in others' words: then the largest of "quoted", "reported" or "belief" (see ``voice_shares``).
    Pass the document's ``SourcingIndex`` when sourcing many claims of one document (it is built once).
    """
    if end <= start:
        raise ValueError(f"empty claim range [{start}, {end})")
    result: dict[str, Any] = {
        "sourcing": "unsourced",
        "source": None,
        "source_id": None,
        "kind": None,
        "attribution": None,
        "via": [],
    }
    index = index or SourcingIndex(doc)
    shares = voice_shares(doc, start, end, index)
    others = {k: v for k, v in shares.items() if k != "own"}
    # a third or more of the claim in others' words (the rest is often the frame: "…,” the mayor said") is theirs
    result["voice"] = max(others, key=lambda k: others[k]) if sum(others.values()) >= 1 / 3 else "own"
    if not index.has_attributions:
        return result
    best: tuple[float, int, Span] | None = None
    for att in index.attributions(start, end):
        src = att.attrs.get("source")
        if not _citing(att, index.quotes_around(src["start"], src["end"]) if isinstance(src, dict) else []):
            continue
        share = _covered(att, start, end) / (end - start)
        if share < MIN_COVER and not _frames(att, start, end):
            if not _whole(att, start, end, share):
                continue
            if WHOLE_KINDS is not None:
                m = index.mention(att.attrs.get("source"))
                if m is None or m.attrs.get("kind") not in WHOLE_KINDS:
                    continue
        size = sum(e - s for s, e in _parts(att))
        # prefer the innermost (smallest) attribution that still covers the claim
        if best is None or size < best[1]:
            best = (share, size, att)
    if best is None:
        return result
    att = best[2]
    src = att.attrs.get("source")
    mention = index.mention(src) if att.attrs.get("cited", True) else None
    result["attribution"] = att.id
    result["via"] = _via(index, att)
    if not src:
        result["sourcing"] = "anonymous"
        return result
    result["source"] = {"start": src["start"], "end": src["end"]}
    if mention is not None:
        result["source_id"] = mention.attrs.get("source_id")
        result["kind"] = mention.attrs.get("kind")
        result["sourcing"] = "anonymous" if mention.attrs.get("anonymous") else "sourced"
    elif att.attrs.get("cited", True):
        # a source the table leaves out (an unnamed group behind an unsure cue) keeps its kind: "Subsequent
        # investigations have shown …" rests on a vague source, not a named one
        row = index.unlisted.get((src["start"], src["end"]))
        result["sourcing"] = "anonymous" if row is not None and row["anonymous"] else "sourced"
        if row is not None:
            result["kind"] = row["kind"]
    else:
        # reported speech whose source phrase names no one we can identify ("he said" with no antecedent, "It
        # said"): the words are kept as the source, the claim counts as anonymously sourced
        result["sourcing"] = "anonymous"
        result["kind"] = "vague"
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
