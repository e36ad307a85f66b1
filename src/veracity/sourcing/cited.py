"""Which attributions cite a source, and which source phrases can name one.

The attributions layer keeps everything PolNeAR calls an attribution, including the long tail of learned cue
constructions whose "source" is only the subject of a non-reporting verb ("the US launched strikes", "Syrian forces
continue to clear the area", "authorities want to …"). A reader's sources table and a claim's source need more: a
mention is *cited* when its cue reports speech, writing, findings or belief often enough on PolNeAR train (counts in
``veracity/data/source_rules.json``, learned by ``training/learn_source_rules.py``) and its head word can speak: a
name, a person, group, office or document word, or a pronoun resolved to one. Abstract nouns ("chance", "my biggest
concern"), dates and numbers, and unresolved pronouns are not sources.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from veracity.sourcing.lexicon import (
    GOVERNMENT_HEADS,
    ORGANIZATION_HEADS,
    PERSON_ROLES,
    SPEECH_CUES,
    VAGUE_HEADS,
)

__all__ = ["CITING_CUES", "DOCUMENT_HEADS", "cue_cites", "cue_precision", "head_can_speak", "source_rules"]

#: cue words that cite a source whatever the counts say (speech, "according to", quotation layouts, findings)
CITING_CUES = frozenset(
    SPEECH_CUES
    | {"according to", "headline", "colon", "dash", "show", "find", "poll", "survey", "conclude", "estimate"}
    | {"claim", "allegation", "statement", "assertion", "accusation", "report", "remark", "comment", "warning"}
)
#: documents, studies and polls: credited as named sources ("according to the lawsuit", "a CNN poll")
DOCUMENT_HEADS = frozenset(
    [
        "lawsuit",
        "suit",
        "complaint",
        "filing",
        "indictment",
        "report",
        "study",
        "survey",
        "poll",
        "analysis",
        "memo",
        "letter",
        "document",
        "documents",
        "statement",
        "release",
        "investigation",
        "audit",
        "review",
        "assessment",
        "paper",
        "ruling",
        "order",
        "decision",
        "opinion",
        "verdict",
        "affidavit",
        "testimony",
        "transcript",
        "email",
        "record",
        "data",
        "census",
        "estimate",
        "projection",
        "forecast",
        "research",
        "article",
        "editorial",
        "column",
        "op-ed",
        "tweet",
        "post",
        "video",
        "book",
        "website",
        "site",
        "newspaper",
        "magazine",
        "outlet",
        "network",
        "channel",
    ]
)
_SPEAKING_HEADS = PERSON_ROLES | ORGANIZATION_HEADS | GOVERNMENT_HEADS | VAGUE_HEADS | DOCUMENT_HEADS
_NAME_TYPES = {"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"}
_NUMBER_TYPES = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "CARDINAL", "ORDINAL"}
#: smoothing: a cue's precision is (hits + PRIOR_WEIGHT * prior) / (seen + PRIOR_WEIGHT)
PRIOR_WEIGHT = 5.0
#: a cue cites when its smoothed precision reaches this (chosen on PolNeAR train; see the README's sourcing section)
MIN_CUE_PRECISION = 0.5
#: a common noun never in the lexicons heads a source when it headed this many gold sources on PolNeAR train
MIN_HEAD_COUNT = 2


@cache
def source_rules() -> dict[str, Any]:
    """The learned counts (``veracity/data/source_rules.json``)."""
    raw = resources.files("veracity.data").joinpath("source_rules.json").read_text(encoding="utf-8")
    return dict(json.loads(raw))


def cue_precision(lemma: str) -> float:
    """Smoothed share of train attributions with this cue whose source was a gold source."""
    seen, hits = source_rules()["cues"].get(lemma, (0, 0))
    prior = 0.8 if lemma in CITING_CUES else 0.2
    return (hits + PRIOR_WEIGHT * prior) / (seen + PRIOR_WEIGHT)


def cue_cites(lemma: str, threshold: float | None = None) -> bool:
    """Whether an attribution with this cue cites its source (a reporting cue, not "launch" or "want")."""
    return cue_precision(lemma) >= (MIN_CUE_PRECISION if threshold is None else threshold)


def head_can_speak(head: Any) -> bool:
    """Whether a source phrase's head token (spaCy) can name a source: a name, or a person, group, office or
    document word (lexicons, a head of gold sources on train, or a person-forming suffix: "protester", "historian",
    "analyst"). "55 percent of voters", "half of the panel": the word after "of" decides. Pronouns are decided by
    their antecedent."""
    if head.lemma_.lower() in _PARTITIVES or head.ent_type_ in {"PERCENT", "CARDINAL"}:
        of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        if obj is not None:
            return head_can_speak(obj)
    ent = head.ent_type_
    if ent in _NUMBER_TYPES:
        return False
    if head.pos_ == "PROPN" or ent in _NAME_TYPES:
        return True
    if head.pos_ != "NOUN":
        return False
    if head.text[:1].isupper() and not head.is_sent_start:
        return True  # a capitalised noun inside a sentence is a name the tagger missed ("O'Malley", "NeverTrump")
    lemma = head.lemma_.lower()
    if lemma in _SPEAKING_HEADS or head.lower_ in _SPEAKING_HEADS:
        return True
    if int(source_rules()["heads"].get(lemma, 0)) >= MIN_HEAD_COUNT:
        return True
    return lemma.endswith(_PERSON_SUFFIXES) and not lemma.endswith(_THING_SUFFIXES) and lemma not in _NOT_PEOPLE


#: words that take their kind from the phrase after "of" ("most of the senators", "three-quarters of voters")
_PARTITIVES = frozenset(
    [
        "percent",
        "half",
        "majority",
        "minority",
        "most",
        "all",
        "some",
        "many",
        "none",
        "both",
        "each",
        "third",
        "quarter",
        "three-quarters",
        "two-thirds",
        "share",
        "plurality",
        "group",
        "bulk",
        "rest",
        "few",
    ]
)
_PERSON_SUFFIXES = ("ist", "ian", "eer", "ant", "ent", "er", "or", "ee")
_THING_SUFFIXES = ("ment", "ster", "ity", "tion", "sion", "ance", "ence", "ness", "ism")
_NOT_PEOPLE = frozenset(
    [
        "accent",
        "accident",
        "account",
        "advent",
        "after",
        "amount",
        "anchor",
        "ancient",
        "anger",
        "answer",
        "ant",
        "ascent",
        "banner",
        "barrier",
        "behavior",
        "border",
        "bumper",
        "cancer",
        "career",
        "cent",
        "center",
        "centre",
        "chamber",
        "chapter",
        "character",
        "cluster",
        "coffee",
        "color",
        "colour",
        "comment",
        "computer",
        "consent",
        "content",
        "corner",
        "corridor",
        "cover",
        "current",
        "danger",
        "december",
        "decree",
        "degree",
        "dent",
        "descent",
        "dinner",
        "disaster",
        "doctorate",
        "door",
        "element",
        "error",
        "event",
        "ever",
        "extent",
        "factor",
        "favor",
        "feather",
        "fee",
        "fever",
        "filter",
        "finger",
        "flavor",
        "floor",
        "flower",
        "grant",
        "guarantee",
        "honor",
        "horror",
        "humor",
        "hunger",
        "incident",
        "intent",
        "jubilee",
        "knee",
        "labor",
        "later",
        "lawn",
        "layer",
        "leather",
        "ledger",
        "letter",
        "lever",
        "lumber",
        "major",
        "manner",
        "master",
        "matter",
        "meter",
        "minor",
        "mirror",
        "moment",
        "monitor",
        "mortar",
        "motor",
        "never",
        "november",
        "number",
        "october",
        "order",
        "other",
        "over",
        "pant",
        "paper",
        "partner",
        "patent",
        "payment",
        "percent",
        "plant",
        "point",
        "portent",
        "poster",
        "power",
        "quarter",
        "rant",
        "register",
        "remainder",
        "reminder",
        "rent",
        "rigor",
        "river",
        "rumor",
        "scent",
        "sector",
        "segment",
        "september",
        "shelter",
        "shower",
        "silver",
        "solvent",
        "spider",
        "summer",
        "talent",
        "tent",
        "terror",
        "thunder",
        "tier",
        "timber",
        "timer",
        "torrent",
        "tower",
        "tractor",
        "tree",
        "trigger",
        "tumor",
        "under",
        "vapor",
        "variant",
        "vector",
        "vendor",
        "vent",
        "want",
        "water",
        "weather",
        "winter",
        "wonder",
    ]
)
