"""Sources: every source mention, grouped into sources, with its kind and, for news outlets, a reliability rating.

Mentions come from the ``attributions`` layer (who each attribution is attributed to) and from outlet names, domains and
URLs anywhere in the text. Kinds: person, organization, government, outlet, anonymous (a withheld identity: "two
anonymous US officials", "military sources", "a source familiar with …") and vague (an unspecified group: "experts say",
"some people", "officials said"). Outlets are rated from the bundled Lin et al. (2023) table or the user's ratings CSV.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from veracity.analyzers._spacy import entities_in, parse
from veracity.analyzers.attributions import source_ranges
from veracity.analyzers.base import BaseAnalyzer
from veracity.doc import Document, Layer, Relation, Span
from veracity.models.loading import spacy_pipeline
from veracity.sourcing.cited import DOCUMENT_HEADS, cue_precision
from veracity.sourcing.lexicon import (
    ANONYMITY_MARKERS,
    GOVERNMENT_HEADS,
    GOVERNMENT_NAMES,
    ORGANIZATION_HEADS,
    PERSON_ROLES,
    VAGUE_HEADS,
)
from veracity.sourcing.outlets import find_outlets
from veracity.sourcing.ranges import RangeIndex
from veracity.sourcing.ratings import RatingsTable, normalize_domain, ratings_table

if TYPE_CHECKING:
    from veracity.config import Services

__all__ = ["KINDS", "SourceAnalyzer", "classify_mention"]

KINDS = {
    "person": "a named person",
    "organization": "a named organisation, company or group",
    "government": 'a government, state body or capital speaking for one ("Damascus", "the Pentagon")',
    "outlet": "a news outlet or website, rated for reliability where the table knows it",
    "anonymous": 'an unnamed source whose identity is withheld ("two anonymous officials", "military sources")',
    "vague": 'an unspecified group or unresolved reference ("experts say", "some people", "officials said")',
    "document": 'a document, filing, poll or statement credited as the source ("the lawsuit says", "an affidavit")',
}
_OUTLET_WORDS = {"newspaper", "magazine", "outlet", "network", "channel", "website", "site"}
_GOV_ORG = re.compile(
    r"\b(Ministry|Department|Government|Kremlin|Pentagon|White House|Congress|Senate|Parliament|Army|Navy|Police|"
    r"Embassy|Administration|Council|Commission|Agency|Authority|Bureau|Office of)\b"
)
_INDEFINITE = {
    "a",
    "an",
    "one",
    "two",
    "three",
    "several",
    "some",
    "many",
    "few",
    "various",
    "multiple",
    "other",
    "another",
}
_PRONOUNS = {"he", "she", "him", "her", "they", "them", "it", "we", "i", "you", "who", "which", "that", "us", "me"}
_POSSESSIVE = re.compile(r"(?<=\w)(?:[’']s|(?<=s)[’'])$")
_DETS = re.compile(r"^(the|a|an|this|that|these|those)\s+", re.IGNORECASE)


def _head(parsed: Any, start: int, end: int) -> Any | None:
    span = parsed.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def classify_mention(parsed: Any, start: int, end: int, outlets: Sequence[Any] = ()) -> dict[str, Any]:
    """Kind of one source phrase ``[start, end)`` from its head word, modifiers and entities; outlets win."""
    for o in outlets:
        overlap = max(0, min(end, o.end) - max(start, o.start))
        if overlap and overlap >= 0.5 * (end - start):
            return {"kind": "outlet", "anonymous": False, "domain": o.domain}
    head = _head(parsed, start, end)
    if head is None:
        return {"kind": "vague", "anonymous": True}
    for o in outlets:
        # "a CNN poll", "Reuters' analysis": the outlet owns the document or poll that is the source
        owner = _head(parsed, o.start, o.end) if start <= o.start and o.end <= end else None
        owned = owner is not None and owner.head.i == head.i and owner.dep_ in {"compound", "poss", "nmod"}
        if owned and head.lemma_.lower() in _CREDIT_NOUNS:
            return {"kind": "outlet", "anonymous": False, "domain": o.domain}
    span = parsed.char_span(start, end, alignment_mode="expand")
    tokens = list(span)
    lemmas = {t.lemma_.lower() for t in tokens} | {t.lower_ for t in tokens}
    lemma = head.lemma_.lower()
    ents = entities_in(span)
    head_ent = head.ent_type_
    if lemmas & ANONYMITY_MARKERS or lemma == "source":
        return {"kind": "anonymous", "anonymous": True}
    if head_ent == "PERSON" or (head.pos_ == "PROPN" and any(label == "PERSON" for label, _, _ in ents)):
        return {"kind": "person", "anonymous": False}
    if (
        head.text in GOVERNMENT_NAMES
        or head_ent == "GPE"
        or lemma in {"government", "ministry", "kremlin", "pentagon", "administration", "regime"}
    ):
        return {"kind": "government", "anonymous": False}
    if head_ent in {"ORG", "NORP"} or head.pos_ == "PROPN":
        return {"kind": "government" if _GOV_ORG.search(span.text) else "organization", "anonymous": False}
    if lemma in GOVERNMENT_HEADS and lemma not in {"authority", "official"}:
        return {"kind": "government", "anonymous": False}
    if lemma in _PRONOUNS or head.pos_ == "PRON":
        return {"kind": "vague", "anonymous": True}
    if any(label == "PERSON" for label, _, _ in ents):
        return {"kind": "person", "anonymous": False}
    dets = {c.lower_ for c in head.children if c.dep_ in {"det", "nummod", "quantmod"}}
    plural = head.tag_ in {"NNS", "NNPS"}
    if lemma in DOCUMENT_HEADS and lemma not in {"report", "research", "data"} | _OUTLET_WORDS:
        # "the lawsuit says", "an affidavit states", "his letter": a document is a named source; unnamed plural
        # ones ("studies show", "documents suggest") stay vague
        owned = any(c.dep_ in {"poss", "compound"} for c in head.children)
        if not plural or owned or dets & {"the", "this", "that", "these", "those"}:
            return {"kind": "document", "anonymous": False}
    if lemma in PERSON_ROLES:
        if dets & _INDEFINITE or any(c.dep_ == "nummod" for c in head.children) or not plural:
            return {"kind": "anonymous", "anonymous": True}
        if lemma == "authority" and any(t.ent_type_ in {"GPE", "NORP"} for t in tokens):
            return {"kind": "government", "anonymous": False}
        return {"kind": "vague", "anonymous": True}
    if lemma in VAGUE_HEADS:
        if lemma == "authority" and any(t.ent_type_ in {"GPE", "NORP"} for t in tokens):
            return {"kind": "government", "anonymous": False}
        return {"kind": "vague", "anonymous": True}
    if lemma in ORGANIZATION_HEADS:
        # "The Harbour Watch group", "the Nusra Front terror group": a proper-noun name before the head names it
        named = any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in head.children)
        return {"kind": "organization", "anonymous": not named}
    return {"kind": "vague", "anonymous": True}


#: nouns an outlet is credited through when it modifies them ("a CNN poll", "Reuters' analysis", "a Fox interview")
_CREDIT_NOUNS = DOCUMENT_HEADS | {"interview", "reporting", "reporter", "correspondent", "host", "anchor", "source"}
_RELAY_PREPS = {"to", "with", "on", "in", "by"}


class _AttributionPlaces:
    """Attributions found by the place of their source phrase and of their cue (so each outlet looks only at its
    neighbours: scanning every attribution for every outlet made long texts quadratic)."""

    def __init__(self, atts: Sequence[Span]) -> None:
        self.atts = list(atts)
        self.sources = RangeIndex(
            (a.attrs["source"]["start"], a.attrs["source"]["end"], k) for k, a in enumerate(self.atts)
        )
        cues = [(k, a.attrs.get("cue")) for k, a in enumerate(self.atts)]
        self.cues = RangeIndex((c["start"], c["start"] + 1, k) for k, c in cues if c)

    def with_source_over(self, start: int, end: int) -> list[Span]:
        """Attributions whose source phrase overlaps ``[start, end)`` (a superset of those containing it), in order."""
        return [self.atts[k] for k in sorted(self.sources.overlapping(start - 1, end + 1))]

    def with_cue_in(self, start: int, end: int) -> list[Span]:
        """Attributions whose cue starts in ``[start, end)``, in order."""
        return [self.atts[k] for k in sorted(self.cues.starting_in(start, end))]


def credited_outlet(
    parsed: Any, outlet: Any, atts: Sequence[Span], places: _AttributionPlaces | None = None
) -> tuple[str, list[str]] | None:
    """How an outlet named outside any source phrase is credited, with the attributions it relays; None if it is not.

    ``("relay", [ids])``: the outlet carries a cited attribution of its sentence to us ("military sources speaking to
    Sputnik Arabic warned …", "two officials told The New York Times that …", "said in an interview with CNN").
    ``("affiliation", [ids])``: it sits inside a cited source phrase ("Fox News host Sean Hannity said").
    ``("credited", [])``: it modifies a document or poll word ("a CNN poll found", "according to a Reuters tally").
    """
    span = parsed.char_span(outlet.start, outlet.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    root = span.root
    if _asks(root):
        return None  # "AP reached for comment", "CNN's request for comment": the outlet asked, it relays no one
    places = places or _AttributionPlaces(atts)
    for a in places.with_source_over(outlet.start, outlet.end):
        src = a.attrs["source"]
        if src["start"] <= outlet.start and outlet.end <= src["end"]:
            return "affiliation", [a.id or ""]
    relayed = []
    sent = root.sent
    for a in places.with_cue_in(sent.start_char, sent.end_char):
        cue = a.attrs.get("cue")
        if not cue or not sent.start_char <= cue["start"] < sent.end_char:
            continue
        parts = [(p["start"], p["end"]) for p in a.attrs.get("parts") or [{"start": a.start, "end": a.end}]]
        if any(s <= outlet.start < e for s, e in parts):
            continue
        if _hangs_off(root, cue, a.attrs["source"], a.attrs.get("cue_lemma") == "tell"):
            relayed.append(a.id or "")
    if relayed:
        return "relay", relayed
    if root.dep_ in {"compound", "poss", "nmod"} and root.head.lemma_.lower() in _CREDIT_NOUNS:
        return "credited", []
    if root.dep_ == "pobj" and root.head.lower_ == "to" and root.head.head.lower_ == "according":
        return "credited", []
    return None


_ASKING = frozenset(["reach", "contact", "request", "ask", "call", "seek", "email", "message"])


def _asks(tok: Any) -> bool:
    """Whether an outlet is the one asking for comment ("ABC News has reached out to …", "a member AP reached for
    comment", "did not return CNN's request for comment", "CNN has contacted the campaign")."""
    head = tok.head
    if tok.dep_ in {"nsubj", "poss", "compound"} and head.lemma_.lower() in _ASKING:
        return True
    sent = tok.sent
    return "for comment" in sent.text and tok.dep_ in {"nsubj", "poss"} and head.lemma_.lower() in _ASKING | {"return"}


def _hangs_off(tok: Any, cue: dict[str, int], src: dict[str, int], told: bool) -> bool:
    """Whether ``tok`` reaches the cue word or the source phrase within four steps up the parse, through "to",
    "with", "on", "in" or "by" ("speaking to Sputnik", "in an interview with CNN") or as the one told ("told CNN")."""
    path = [tok]
    while path[-1].head is not path[-1] and len(path) <= 4:
        head = path[-1].head
        if head.idx == cue["start"] or src["start"] <= head.idx < src["end"]:
            first = path[-1]
            if first.dep_ == "dative" or (told and first.dep_ == "dobj"):
                return True
            return any(t.dep_ == "prep" and t.lower_ in _RELAY_PREPS for t in path)
        path.append(head)
    return False


def _key(text: str) -> str:
    t = _DETS.sub("", " ".join(text.split())).lower()
    return re.sub(r"[’']s$", "", t).strip(" ,.")


_LEADING_JUNK = re.compile(r"^[^\w“\"']+")
_ARTICLE_PREFIX = re.compile(r"\b(?:al|el|ad|as|ash|an|ar|at|az)-")


def _person_name(parsed: Any, text: str, start: int, end: int) -> str:
    """The PERSON entity inside a mention ("Mayor Elena Varga" -> "elena varga"), else the mention's key."""
    span = parsed.char_span(start, end, alignment_mode="expand")
    people = _people(parsed, span) if span is not None else []
    # the name the phrase is about is the one holding its head ("Chen, a wonk who worked for … Marco Rubio" is Chen)
    root = span.root.idx if span is not None and len(span) else start
    own = [p for p in people if p[0] <= root < p[1]] or people[:1]
    key = _key(text[own[0][0] : own[0][1]]) if own else _key(text[start:end])
    return _ARTICLE_PREFIX.sub("", key)  # "Shadi al-Jundi" and "Jundi" are one person


def _group(mentions: list[dict[str, Any]], text: str, parsed: Any) -> dict[str, str]:
    """Give every mention (in text order) a ``source_id``; return each source's display name.

    Outlets group by domain; a mention that refers to another mention joins that mention's source (so "which" after
    "The Harbour Watch group" is the group, whatever the group itself resolved to); people group by their name, and a
    shorter name inside a longer one ("Varga", "Elena Varga", "Mayor Elena Varga") is the same person. Everything else
    groups by kind and wording without determiners.
    """
    by_range = {(m["start"], m["end"]): m for m in mentions}
    # the tagger is not consistent across sentences ("Elena Varga" a PERSON, then an ORG): a named organisation whose
    # words are part of a person's name found in the same text is that person
    person_names = [_person_name(parsed, text, m["start"], m["end"]).split() for m in mentions if m["kind"] == "person"]
    for m in mentions:
        words = _key(text[m["start"] : m["end"]]).split()
        named_org = m["kind"] == "organization" and not m["anonymous"] and words
        if named_org and any(_contains_words(name, words) for name in person_names):
            m["kind"] = "person"
    keys: dict[str, str] = {}

    def key_of(m: dict[str, Any], depth: int = 0) -> str:
        if m["id"] in keys:
            return keys[m["id"]]
        ref = m.get("refers_to")
        target = by_range.get((ref["start"], ref["end"])) if ref else None
        if m["kind"] == "outlet" and m.get("domain"):
            key = "outlet:" + m["domain"]
        elif target is not None and target is not m and depth < 5:
            key = key_of(target, depth + 1)
        else:
            r = ref or m
            word = (
                _person_name(parsed, text, r["start"], r["end"])
                if m["kind"] == "person"
                else _key(text[r["start"] : r["end"]])
            )
            key = m["kind"] + ":" + word
        keys[m["id"]] = key
        return key

    for m in mentions:
        key_of(m)
    # longest names first, so that a short name joins the canonical form of the (single) fuller name containing it
    people = sorted({k for k in keys.values() if k.startswith("person:")}, key=len, reverse=True)
    canonical: dict[str, str] = {}
    for k in people:
        words = k.removeprefix("person:").split()
        fuller = {canonical[p] for p in canonical if _contains_words(p.removeprefix("person:").split(), words)}
        canonical[k] = fuller.pop() if words and len(fuller) == 1 else k
    groups: dict[str, str] = {}
    names: dict[str, str] = {}
    for m in mentions:
        key = canonical.get(keys[m["id"]], keys[m["id"]])
        ref = m.get("refers_to") or m
        name = _POSSESSIVE.sub("", " ".join(text[ref["start"] : ref["end"]].split()))
        if m["kind"] == "person" and (", " in name or _QUOTE_MARKS & set(name) or len(name.split()) > 6):
            # "Chen, a research fellow at …", "Clinton’s deputy communications director, Christina Reynolds",
            # '"Transparent" lead actor Jeffrey Tambor': the person's name, not the whole phrase
            name = _display_person(parsed, text, ref["start"], ref["end"]) or name.split(", ", 1)[0]
        name = _LEADING_JUNK.sub("", name) or name  # "— Peggy Holtman" (a dash or stray mark before the name)
        if key not in groups:
            groups[key] = f"S{len(groups) + 1}"
            names[groups[key]] = name
        elif (
            m["kind"] == "person"
            and len(name) > len(names[groups[key]])
            and not m.get("refers_to")
            and name[:1].isupper()  # not "week.” Clinton", a phrase the parser ran into the name
        ):
            names[groups[key]] = name
        m["source_id"] = groups[key]
    return names


_QUOTE_MARKS = set('"“”')


def _people(parsed: Any, span: Any) -> list[tuple[int, int]]:
    """PERSON names inside a source phrase, less an owner's ("Clinton's deputy communications director, Christina
    Reynolds" is Reynolds; "Clinton's spokesman" is not Clinton)."""
    out = []
    for label, s, e in entities_in(span):
        if label != "PERSON":
            continue
        name = parsed.char_span(s, e, alignment_mode="expand")
        if name is not None and len(name) and name.root.dep_ == "poss":
            continue
        out.append((s, e))
    return out


def _display_person(parsed: Any, text: str, start: int, end: int) -> str | None:
    """The PERSON name inside a long source phrase: the one holding its head, else the first one."""
    span = parsed.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    people = _people(parsed, span)
    if not people:
        return None
    own = [p for p in people if p[0] <= span.root.idx < p[1]] or people[:1]
    return _POSSESSIVE.sub("", " ".join(text[own[0][0] : own[0][1]].split()))


#: the learned cue precision a source needs to be listed, by kind: a named person or an outlet cited by any citing cue
#: (``veracity.sourcing.cited.MIN_CUE_PRECISION``); an unnamed group, organisation, government or document, whose
#: phrase is as often the subject of a non-reporting verb ("Democrats and the media are to blame"), a surer cue
#: (chosen by 2-fold cross-validation on PolNeAR train; see the README's sourcing section)
KIND_BARS: dict[str, float] = {"vague": 0.75, "government": 0.75}


def _sure(m: dict[str, Any]) -> bool:
    """Whether a cited mention's best cue is sure enough for its kind (credited outlets need no cue)."""
    bar = KIND_BARS.get(m["kind"])
    return bar is None or "bar" not in m or m.get("document_head", False) or m["bar"] >= bar


def _contains_words(longer: list[str], shorter: list[str]) -> bool:
    """Whether ``shorter`` occurs as consecutive words of ``longer`` ("elena varga" in "mayor elena varga")."""
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


class SourceAnalyzer(BaseAnalyzer):
    """Groups source mentions into sources and rates the outlets among them."""

    name = "sources"
    produces = "sources"
    requires = ("attributions", "entities")
    version = "0.2.0"
    description = "Who the article relies on: source mentions grouped by source, kind (anonymous, vague, outlet…) and outlet reliability."
    model_name = "rules+lin2023-ratings"

    def __init__(self, ratings: RatingsTable | None = None) -> None:
        super().__init__()
        self._ratings = ratings

    @classmethod
    def from_services(cls, services: Services) -> SourceAnalyzer:
        """Use the ratings CSV named by the process's settings (``Settings.ratings``)."""
        settings = getattr(services, "settings", None)
        return cls(ratings_table(getattr(settings, "ratings", "") or ""))

    def _load(self) -> None:
        spacy_pipeline()
        if self._ratings is None:
            self._ratings = ratings_table()
        self._ratings.lookup("example.com")

    def _rate(self, domain: str) -> dict[str, Any] | None:
        assert self._ratings is not None
        found = self._ratings.lookup(domain)
        if found is None:
            return None
        out = {
            "score": round(float(found["score"]), 4) if found["score"] is not None else None,
            "rating": found["rating"],
            "source": found["source"],
            "rated_domain": found["domain"],
        }
        if found.get("labels"):
            out["labels"] = list(found["labels"])  # the user's own tags ("state-affiliated")
        return out

    def _analyze(self, doc: Document) -> Layer:
        parsed = parse(doc)
        text = doc.text
        # every attribution whose source phrase can name a source; those whose cue reports (``cited``) decide which
        # sources are listed, the others only add mentions of a listed source ("Trump wants …" after "Trump said …")
        atts = [a for a in doc.layer("attributions").spans if a.attrs.get("source") and a.attrs.get("speaker", True)]
        cited = [a for a in atts if a.attrs.get("cited", True)]
        cited_ranges = {(a.attrs["source"]["start"], a.attrs["source"]["end"]) for a in cited}
        # how surely each source phrase is cited: the best learned precision of the cues that cite it
        cue_bar: dict[tuple[int, int], float] = {}
        for a in cited:
            r = (a.attrs["source"]["start"], a.attrs["source"]["end"])
            cue_bar[r] = max(cue_bar.get(r, 0.0), cue_precision(str(a.attrs.get("cue_lemma", ""))))
        outlets = find_outlets(text, own_domain=self._own_domain(doc))
        outlet_places = RangeIndex((o.start, o.end, k) for k, o in enumerate(outlets))

        def outlets_over(start: int, end: int) -> list[Any]:
            """The outlets overlapping ``[start, end)`` in text order (the only ones that can own a phrase there)."""
            return [outlets[k] for k in sorted(outlet_places.overlapping(start, end))]

        mentions: list[dict[str, Any]] = []
        resolved_of: dict[tuple[int, int], Any] = {}  # the first attribution's, as a scan in layer order would find
        for a in atts:
            resolved_of.setdefault(
                (a.attrs["source"]["start"], a.attrs["source"]["end"]), a.attrs.get("resolved_source")
            )
        for k, (s, e) in enumerate(source_ranges(atts)):
            resolved = resolved_of.get((s, e))
            info = classify_mention(parsed, s, e, outlets_over(s, e))
            mention = {"id": f"sources/{k}", "start": s, "end": e, **info, "via": "attribution"}
            mention["cited"] = (s, e) in cited_ranges
            mention["bar"] = cue_bar.get((s, e), 0.0)
            head = _head(parsed, s, e)
            # "studies show", "polls suggest": unnamed documents are the vague sources a reader most needs to see
            mention["document_head"] = head is not None and head.lemma_.lower() in DOCUMENT_HEADS
            # only a pronoun, an unnamed role ("she", "the official", "the group") or a short back-reference ("the
            # Observatory") takes its referent's identity
            short = e - s <= 40 and text[s:e].lower().startswith("the ") and len(text[s:e].split()) == 2
            if resolved and (info["anonymous"] or short) and info["kind"] != "outlet":
                r = (resolved["start"], resolved["end"])
                rinfo = classify_mention(parsed, *r, outlets_over(*r))
                mention.update(rinfo)
                mention["refers_to"] = {"start": r[0], "end": r[1]}
            mentions.append(mention)
        n = len(mentions)
        mentioned = []
        relays = []
        mention_places = RangeIndex((m["start"], m["end"], i) for i, m in enumerate(mentions))
        cited_places = _AttributionPlaces(cited)
        for o in outlets:
            around = (mentions[i] for i in mention_places.overlapping(o.start - 1, o.end + 1))
            if any(m["start"] <= o.start and o.end <= m["end"] and m.get("domain") == o.domain for m in around):
                continue  # the outlet is (or owns) the source mention itself: "CNN said", "a CNN poll found"
            role = credited_outlet(parsed, o, cited, cited_places)
            if role is None or role[0] != "credited":
                # named but not itself a source: an outlet that carries a cited source to us ("speaking to Sputnik
                # Arabic", "told CNN", "Fox News host X") is kept as a relay of those attributions, not as a row
                entry = {"start": o.start, "end": o.end, "domain": o.domain, "found_by": o.via}
                entry["reliability"] = self._rate(o.domain)
                if role is None:
                    mentioned.append(entry)
                else:
                    relays.append({**entry, "role": role[0], "attributions": role[1]})
                continue
            mentions.append(
                {
                    "id": f"sources/{n}",
                    "start": o.start,
                    "end": o.end,
                    "kind": "outlet",
                    "anonymous": False,
                    "domain": o.domain,
                    "via": o.via,
                    "role": role[0],
                    "relays": role[1],
                    "cited": True,
                }
            )
            mention_places.add(o.start, o.end, len(mentions) - 1)  # later outlets inside it are this mention too
            n += 1
        # a pronoun or role's antecedent ("Donald Trump" for a later "he said") is where the source is named: it is
        # a mention of the same source, so the row shows it even when the name itself sourced nothing
        taken = {(m["start"], m["end"]) for m in mentions}
        ranges = RangeIndex((s, e, (s, e)) for s, e in taken)
        for m in list(mentions):
            ref = m.get("refers_to")
            near = ranges.overlapping(ref["start"] - 1, ref["end"] + 1) if ref else []
            overlaps = ref and any(s < ref["end"] and ref["start"] < e for s, e in near)
            if ref and not overlaps and m["kind"] != "outlet":
                if (ref["start"], ref["end"]) not in taken:
                    taken.add((ref["start"], ref["end"]))
                    ranges.add(ref["start"], ref["end"], (ref["start"], ref["end"]))
                mentions.append({**m, "id": f"sources/{n}", **ref, "via": "antecedent", "cited": False})
                mentions[-1].pop("refers_to")
                mentions[-1]["antecedent_of"] = m["id"]
                n += 1
        ordered = sorted(mentions, key=lambda m: m["start"])
        names = _group(ordered, text, parsed)
        listed = {m["source_id"] for m in ordered if m["cited"] and _sure(m)}
        # cited, but an unnamed group or government behind a cue not sure enough for a row: claims still need its kind
        unlisted = [
            {"start": m["start"], "end": m["end"], "kind": m["kind"], "anonymous": bool(m["anonymous"])}
            for m in ordered
            if m["cited"] and m["source_id"] not in listed
        ]
        ordered = [m for m in ordered if m["source_id"] in listed]
        renumber: dict[str, str] = {}
        for m in ordered:
            renumber.setdefault(m["source_id"], f"S{len(renumber) + 1}")
        names = {renumber[sid]: name for sid, name in names.items() if sid in renumber}
        names = {sid: names[sid] for sid in sorted(names, key=lambda x: int(x[1:]))}
        for m in ordered:
            m["source_id"] = renumber[m["source_id"]]
        by_range = {(m["start"], m["end"]): m for m in ordered}
        counts: Counter[str] = Counter()
        relations = []
        for a in cited:
            row = by_range.get((a.attrs["source"]["start"], a.attrs["source"]["end"]))
            if row is None:
                continue  # a source whose kind needs a surer cue than this one (see KIND_BARS)
            counts[row["source_id"]] += 1
            relations.append(Relation(row["id"], a.id or "", "source_of"))
        spans = []
        for m in ordered:
            attrs: dict[str, Any] = {
                "source_id": m["source_id"],
                "kind": m["kind"],
                "anonymous": bool(m["anonymous"]),
                "name": names[m["source_id"]],
                "found_by": m["via"],
                "cited": bool(m["cited"]),
            }
            if m.get("refers_to"):
                attrs["refers_to"] = m["refers_to"]
            if m.get("role"):
                attrs["role"] = m["role"]
            if m.get("relays"):
                attrs["relays"] = m["relays"]
            if m["kind"] == "outlet":
                attrs["domain"] = m.get("domain")
                attrs["reliability"] = self._rate(m["domain"]) if m.get("domain") else None
            score = attrs["reliability"]["score"] if attrs.get("reliability") else None
            spans.append(Span(m["start"], m["end"], m["kind"], score=score, id=m["id"], attrs=attrs))
        table = []
        for sid, name in names.items():
            first = next(sp for sp in spans if sp.attrs["source_id"] == sid)
            table.append(
                {
                    "source_id": sid,
                    "name": name,
                    "kind": first.attrs["kind"],
                    "anonymous": first.attrs["anonymous"],
                    "mentions": sum(1 for sp in spans if sp.attrs["source_id"] == sid),
                    "attributions": counts.get(sid, 0),
                    "domain": first.attrs.get("domain"),
                    "reliability": first.attrs.get("reliability"),
                }
            )
        article = self._article(doc)
        summary = {
            "sources": table,
            "kinds": dict(Counter(row["kind"] for row in table)),
            "anonymous_attributions": sum(row["attributions"] for row in table if row["anonymous"]),
            "named_attributions": sum(row["attributions"] for row in table if not row["anonymous"]),
            "article_outlet": article,
        }
        data = {
            "summary": summary,
            "legend": KINDS,
            "article_outlet": article,
            "relays": relays,
            "outlets_mentioned": mentioned,
            "unlisted": unlisted,
        }
        return Layer("sources", spans, relations, data=data)

    @staticmethod
    def _own_domain(doc: Document) -> str | None:
        raw = str(doc.meta.get("domain") or doc.meta.get("url") or "")
        return normalize_domain(raw) or None if raw else None

    def _article(self, doc: Document) -> dict[str, Any] | None:
        """The article's own outlet, from its URL or domain metadata."""
        raw = str(doc.meta.get("domain") or doc.meta.get("url") or "")
        domain = normalize_domain(raw) if raw else ""
        if not domain:
            return None
        return {"domain": domain, "reliability": self._rate(domain)}

    def analyze_batch(self, docs: Sequence[Document]) -> list[Layer]:
        """One document at a time (the parse is cached by the earlier layers)."""
        return [self.analyze(doc) for doc in docs]
