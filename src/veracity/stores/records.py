"""The fact-check record (schema.org ClaimReview, flattened), rating normalisation and search matches.

Ratings are normalised onto six values so that reports can compare publishers:

=============  ==========================================================================================
normalised     textual ratings mapped to it (case, punctuation and surrounding quotes ignored)
=============  ==========================================================================================
false          false, pants on fire, fake, scam, hoax, incorrect, fabricated, four pinocchios, legend, …
mostly_false   mostly false, barely true, misleading, partly false, miscaptioned, three pinocchios, …
mixed          mixture, half true, half-true, missing context, outdated, two pinocchios, …
mostly_true    mostly true, one pinocchio, largely accurate, …
true           true, correct, accurate, correct attribution, geppetto checkmark, …
unrated        unproven, unverified, satire, research in progress, and anything not recognised
=============  ==========================================================================================

Extend the table with :func:`register_ratings` (a mapping) or the CSV given to ``veracity factchecks import
--ratings-map FILE`` (``textual_rating,normalised`` rows). Unknown texts fall back to keyword rules ("false" with
"mostly"/"partly" → mostly_false, …), then a numeric ``ratingValue`` on its ``worstRating..bestRating`` scale, then
``unrated``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

__all__ = [
    "AGREEMENTS",
    "NO_VERDICT",
    "RATINGS",
    "FactCheckRecord",
    "Match",
    "normalise_date",
    "normalise_rating",
    "register_ratings",
    "verdict_text",
]

#: the normalised rating scale, from worst to best ("unrated" is off the scale)
RATINGS = ("false", "mostly_false", "mixed", "mostly_true", "true", "unrated")

_RATING_MAP: dict[str, str] = {}


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def register_ratings(mapping: dict[str, str]) -> None:
    """Add or override textual-rating → normalised-rating pairs (used by importers from now on in this process)."""
    for text, norm in mapping.items():
        norm = norm.strip().lower().replace(" ", "_").replace("-", "_")
        if norm not in RATINGS:
            raise ValueError(f"{norm!r} is not a normalised rating; use one of {', '.join(RATINGS)}")
        _RATING_MAP[_key(text)] = norm


register_ratings(
    {
        **dict.fromkeys(
            [
                "false",
                "fake",
                "pants on fire",
                "pants on fire!",
                "scam",
                "hoax",
                "incorrect",
                "fabricated",
                "fabricated content",
                "four pinocchios",
                "4 pinocchios",
                "legend",
                "wrong",
                "not true",
                "untrue",
                "inaccurate",
                "altered",
                "altered photo",
                "altered video",
                "fake news",
                "false claim",
                "baseless",
                "misattributed",
                "conspiracy theory",
                "debunked",
                "no evidence",
                "falso",
                "faux",
                "totally false",
                "completely false",
                "labeled satire as fact",
                "manipulated",
                "false headline",
            ],
            "false",
        ),
        **dict.fromkeys(
            [
                "mostly false",
                "barely true",
                "misleading",
                "partly false",
                "partially false",
                "miscaptioned",
                "three pinocchios",
                "3 pinocchios",
                "largely false",
                "mostly inaccurate",
                "exaggerated",
                "exaggeration",
                "distorts the facts",
                "false context",
                "out of context",
                "needs context but false",
                "mostly fiction",
                "spins the facts",
                "cherry picks",
            ],
            "mostly_false",
        ),
        **dict.fromkeys(
            [
                "mixture",
                "mixed",
                "half true",
                "half-true",
                "missing context",
                "outdated",
                "two pinocchios",
                "2 pinocchios",
                "partly true",
                "partially true",
                "half right",
                "needs context",
                "mixed evidence",
                "lacks context",
                "in dispute",
                "disputed",
                "somewhat true",
            ],
            "mixed",
        ),
        **dict.fromkeys(
            [
                "mostly true",
                "one pinocchio",
                "1 pinocchio",
                "largely accurate",
                "mostly correct",
                "largely true",
                "mostly accurate",
                "broadly correct",
            ],
            "mostly_true",
        ),
        **dict.fromkeys(
            [
                "true",
                "correct",
                "accurate",
                "correct attribution",
                "geppetto checkmark",
                "verified",
                "real",
                "confirmed",
                "fact",
                "legit",
                "legitimate",
                "right",
                "verdadero",
                "vrai",
            ],
            "true",
        ),
        **dict.fromkeys(
            [
                "unproven",
                "unverified",
                "satire",
                "labeled satire",
                "research in progress",
                "unrated",
                "no rating",
                "not rated",
                "opinion",
                "unsupported",
                "unclear",
                "undetermined",
                "explainer",
                "unsubstantiated",
                "insufficient evidence",
                "not the whole story",
            ],
            "unrated",
        ),
    }
)

_KEYWORD_RULES: tuple[tuple[str, str], ...] = (
    (r"\b(mostly|partly|partially|largely|half)\s+false\b", "mostly_false"),
    (r"\b(mostly|largely)\s+(true|correct|accurate)\b", "mostly_true"),
    (r"\b(half|partly|partially)\s+(true|right|correct)\b", "mixed"),
    (r"\bmislead", "mostly_false"),
    (r"\b(false|fake|hoax|scam|fabricat|pinocchios|untrue|incorrect|wrong)", "false"),
    (r"\b(true|correct|accurate)\b", "true"),
)


def normalise_rating(
    textual: str | None,
    value: float | None = None,
    best: float | None = None,
    worst: float | None = None,
) -> str:
    """Map a publisher's textual rating (or a numeric rating on its scale) onto :data:`RATINGS`."""
    if textual:
        key = _key(textual)
        if key in _RATING_MAP:
            return _RATING_MAP[key]
        for pattern, norm in _KEYWORD_RULES:
            if re.search(pattern, key):
                return norm
    if value is not None:
        hi = 5.0 if best is None else float(best)
        lo = 1.0 if worst is None else float(worst)
        if hi > lo and lo <= float(value) <= hi:
            position = (float(value) - lo) / (hi - lo)  # 0 worst … 1 best
            return RATINGS[min(4, int(position * 5))]
    return "unrated"


_DATE_FORMATS = ("%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d %b %Y", "%b %d, %Y", "%b %d %Y", "%Y/%m/%d", "%d/%m/%Y")


def normalise_date(raw: Any) -> str:
    """An ISO date (``2018-04-19``) when the input parses as one, else the input stripped (never an error)."""
    if raw is None:
        return ""
    text = str(raw).strip()
    if not text:
        return ""
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return text[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text


@dataclass(frozen=True)
class FactCheckRecord:
    """One published fact-check of one claim (schema.org ClaimReview, flattened)."""

    #: the source's own id, else the review URL; unique within a store
    id: str
    #: the claim as reviewed (ClaimReview.claimReviewed)
    claim: str
    claimant: str = ""
    claim_date: str = ""
    review_url: str = ""
    publisher_name: str = ""
    publisher_site: str = ""
    review_date: str = ""
    #: the publisher's own verdict ("Pants on Fire!", "Mixture")
    textual_rating: str = ""
    #: one of :data:`RATINGS`
    rating: str = "unrated"
    title: str = ""
    summary: str = ""
    language: str = ""

    def __post_init__(self) -> None:
        if not self.id or not self.id.strip():
            raise ValueError("record has no id and no review URL")
        if not self.claim or not self.claim.strip():
            raise ValueError("record has no claim text")
        if self.rating not in RATINGS:
            raise ValueError(f"rating {self.rating!r} is not one of {', '.join(RATINGS)}")

    def as_dict(self) -> dict[str, str]:
        """All fields as a plain dict."""
        return asdict(self)

    @property
    def content_hash(self) -> str:
        """Hash of every field: an upsert with the same hash changes nothing."""
        return hashlib.sha1(json.dumps(asdict(self), sort_keys=True).encode("utf-8")).hexdigest()

    @property
    def search_text(self) -> str:
        """The text that is indexed for search: the claim (titles mostly restate it, see the card)."""
        return self.claim

    def to_claimreview(self) -> dict[str, Any]:
        """The record as a schema.org ClaimReview JSON-LD object (the export format)."""
        out: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "identifier": self.id,
            "claimReviewed": self.claim,
        }
        if self.review_url:
            out["url"] = self.review_url
        if self.title:
            out["name"] = self.title
        if self.summary:
            out["description"] = self.summary
        if self.review_date:
            out["datePublished"] = self.review_date
        if self.language:
            out["inLanguage"] = self.language
        if self.publisher_name or self.publisher_site:
            org: dict[str, Any] = {"@type": "Organization"}
            if self.publisher_name:
                org["name"] = self.publisher_name
            if self.publisher_site:
                org["url"] = self.publisher_site if "://" in self.publisher_site else f"https://{self.publisher_site}"
            out["author"] = org
        item: dict[str, Any] = {"@type": "Claim"}
        if self.claimant:
            item["author"] = {"@type": "Thing", "name": self.claimant}
        if self.claim_date:
            item["datePublished"] = self.claim_date
        out["itemReviewed"] = item
        out["reviewRating"] = {
            "@type": "Rating",
            "alternateName": self.textual_rating or self.rating,
            "veracityRating": self.rating,
        }
        return out

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The record's fields in schema order."""
        return tuple(f.name for f in fields(cls))


#: what a match says when its record carries no verdict (CheckThat! vclaims, a CSV without a rating column)
NO_VERDICT = "no verdict in the imported data"

#: whether the searched sentence asserts the checked claim, asserts its opposite, or neither
AGREEMENTS = ("repeats", "contradicts", "unclear")


def verdict_text(textual_rating: str, rating: str, publisher: str = "", review_date: str = "") -> str:
    """One line a reader sees: ``"False (Snopes, 2018-04-19)"``, or :data:`NO_VERDICT` when the record has none."""
    if not textual_rating.strip() and rating == "unrated":
        return NO_VERDICT
    label = textual_rating.strip() or rating.replace("_", " ")
    where = ", ".join(p for p in (publisher.strip(), review_date.strip()) if p)
    return f"{label} ({where})" if where else label


@dataclass(frozen=True)
class Match:
    """A fact-check found for a piece of text, with a calibrated score in [0, 1].

    ``score`` depends only on the (text, record) pair and the shipped re-ranker, never on what else the store holds.
    ``agreement`` says whether the text repeats the checked claim, contradicts it, or neither (see
    :mod:`veracity.stores.agreement`); ``with_context`` whether the score came from the text read with its context.
    """

    id: str
    #: probability-like score from the re-ranker (calibrated on the CheckThat! train qrels)
    score: float
    claim: str
    rating: str
    textual_rating: str
    publisher: str
    url: str
    title: str = ""
    review_date: str = ""
    agreement: str = "unclear"
    with_context: bool = False
    features: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    @property
    def has_verdict(self) -> bool:
        """Whether the record carries a verdict at all."""
        return bool(self.textual_rating.strip()) or self.rating != "unrated"

    @property
    def verdict(self) -> str:
        """The verdict with its publisher and date, or :data:`NO_VERDICT`."""
        return verdict_text(self.textual_rating, self.rating, self.publisher, self.review_date)

    def as_attrs(self) -> dict[str, Any]:
        """JSON-ready dict for a claim span's ``attrs.factchecks``."""
        return {
            "id": self.id,
            "score": round(float(self.score), 4),
            "claim": self.claim,
            "rating": self.rating,
            "textual_rating": self.textual_rating,
            "publisher": self.publisher,
            "url": self.url,
            "title": self.title,
            "review_date": self.review_date,
            "verdict": self.verdict,
            "has_verdict": self.has_verdict,
            "agreement": self.agreement,
            "with_context": self.with_context,
        }

    def as_result(self) -> dict[str, Any]:
        """The result object of ``veracity factchecks search --format jsonl``."""
        return {
            "id": self.id,
            "score": round(float(self.score), 6),
            "claim": self.claim,
            "rating": self.rating,
            "publisher": self.publisher,
            "url": self.url,
            "verdict": self.verdict,
            "agreement": self.agreement,
        }
