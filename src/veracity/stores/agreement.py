"""Agreement: does an article's sentence assert a fact-checked claim, assert its opposite, or neither?

``agreement(sentence, claim)`` returns ``"repeats"``, ``"contradicts"`` or ``"unclear"``. It is a small set of rules,
because the usual cases are few and a reader must be able to see why a match says "contradicts":

- **unclear** when the sentence does not assert anything: a question, or a hedge ("whether", "a rumor says",
  "allegedly"); or when it shares too little of the claim's predicate (same topic, another claim);
- otherwise the two polarities are compared; the sentence **contradicts** the claim when an odd number of these flip:
  *negation* ("not", "never", "no", "n't", "nobody"…; parity counted on each side), *denial* of the claim ("… is false",
  "debunked", "there is no evidence that", "denied that", "it is not true that"), *antonyms* (rose/fell, won/lost,
  safe/dangerous, legal/illegal, … when the sentence holds one pole and the claim the other), and *different numbers*
  for the same unit ("12 percent" vs "8 percent", "$5 billion" vs "$15 billion", a year vs another year);
- else it **repeats** the claim.

Measured on ``tests/data/agreement_pairs.tsv`` (70 pairs: negation, antonym, number, question, hedge and same-topic
cases, written for this purpose): see the README's fact-check section. The rules read one sentence; sarcasm, reported
speech the article disowns, and claims restated in other words with a different polarity are beyond them.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["PARAPHRASE_COSINE", "agreement", "explain"]

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[$%?]")

_NEGATIONS = frozenset(
    ["not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "without", "nowhere"]
) | frozenset({"n't"})

#: phrases that deny the claim they introduce or follow (removed before negations are counted)
_DENIALS = re.compile(
    r"\b(?:(?:is|was|are|were|be|been|being|proved|proven|shown to be)\s+(?:false|untrue|a myth|baseless|"
    r"unfounded|not true|not the case)|(?:it is|it's|it was)\s+(?:not true|false|untrue)|"
    r"(?:isn't|wasn't|aren't|weren't)\s+true|debunk\w*|refut\w*|disprov\w*|den(?:y|ies|ied|ying)|"
    r"no evidence|no proof|no sign|myth that|falsely claim\w*)\b",
    re.I,
)
#: the sentence does not assert the claim, it asks or hedges
_HEDGES = re.compile(
    r"\b(?:whether|rumou?rs?|rumou?red|allegedly|supposedly|purportedly|unconfirmed|unverified|unclear|"
    r"it is not known|no one knows|may or may not|questions? (?:about|whether))\b",
    re.I,
)
_QUESTION_START = re.compile(
    r"^\s*(?:is|are|was|were|do|does|did|can|could|will|would|should|has|have|had)\b[^.!]*\?\s*$", re.I
)

#: antonym poles: (words on one side, words on the other); inflected forms are generated
_ANTONYMS: tuple[tuple[str, str], ...] = (
    (
        "increase rise rose risen grow grew grown climb soar surge up jump gain boost raise",
        "decrease fall fell fallen decline drop shrink shrank down plunge cut reduce lower slash",
    ),
    ("more higher larger bigger greater", "fewer less lower smaller"),
    ("win won", "lose lost"),
    ("alive living survive survived", "dead died die killed"),
    ("legal lawful allowed permit permitted", "illegal unlawful banned ban forbidden outlawed prohibited"),
    ("approve approved accept accepted pass passed", "reject rejected refuse refused veto vetoed block blocked"),
    ("support supported favor favour back endorse endorsed", "oppose opposed against"),
    ("safe harmless", "dangerous unsafe harmful deadly"),
    ("effective", "ineffective useless"),
    ("genuine real authentic", "fake doctored fabricated forged"),
    ("hire hired", "fire fired lay laid"),
    ("open opened", "close closed shut"),
    ("guilty convicted", "innocent acquitted"),
    ("true correct accurate", "false incorrect inaccurate"),
    ("agree agreed", "disagree disagreed"),
    ("before", "after"),
    ("rich wealthy", "poor"),
    ("cheap cheaper", "expensive costlier"),
    ("positive", "negative"),
    ("majority", "minority"),
    ("everyone everybody all", "nobody none"),
)

_UNITS = {"percent": "%", "per": "%", "%": "%", "pct": "%"}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "k": 1e3, "m": 1e6, "bn": 1e9}
_NUMBER = re.compile(
    r"(?P<cur>[$£€])?\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<scale>thousand|million|billion|trillion|bn)?"
    r"\s*(?P<unit>%|percent|[a-z]+)?",
    re.I,
)
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "with",
        "from",
        "and",
        "or",
        "but",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "as",
        "than",
        "then",
        "so",
        "very",
        "about",
        "over",
        "under",
        "after",
        "before",
        "into",
        "out",
        "up",
        "down",
        "more",
        "most",
        "some",
        "any",
        "all",
        "each",
        "every",
        "just",
        "only",
        "also",
        "there",
        "their",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "we",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "who",
        "whom",
        "which",
        "what",
        "when",
        "where",
        "why",
        "how",
        "said",
        "says",
        "say",
        "according",
        "reported",
        "report",
        "people",
        "thousands",
        "millions",
        "hundreds",
        "dozens",
        "thousand",
        "million",
        "billion",
        "dollar",
        "dollars",
        "percent",
    ]
)


#: share of the claim's content words the sentence must hold to repeat or contradict it (else: same topic, unclear)
_MIN_COVERAGE = 0.6
#: the same, for a contradiction shown only by negation or denial
_MIN_COVERAGE_NEGATION = 0.7
#: MiniLM cosine above which a sentence restates the claim in other words (paraphrase), whatever words it shares
PARAPHRASE_COSINE = 0.7


def _forms(word: str) -> set[str]:
    out = {word, word + "s", word + "es", word + "ed", word + "d", word + "ing", word + "er", word + "est"}
    if word.endswith("e"):
        out |= {word[:-1] + "ing", word[:-1] + "er"}
    if word.endswith("y"):
        out |= {word[:-1] + "ies", word[:-1] + "ied"}
    if len(word) > 2 and word[-1] not in "aeiouywx" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        out |= {word + word[-1] + "ed", word + word[-1] + "ing"}  # stop -> stopped
    return out


@cache
def _antonym_poles() -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    poles = []
    for a, b in _ANTONYMS:
        pa = frozenset(f for w in a.split() for f in _forms(w))
        pb = frozenset(f for w in b.split() for f in _forms(w))
        poles.append((pa - pb, pb - pa))
    return tuple(poles)


def _words(text: str) -> list[str]:
    text = text.lower().replace("’", "'")
    text = re.sub(r"(\w)n't\b", r"\1 n't", text)
    return _WORD.findall(text)


def _negations(text: str) -> int:
    """Negation cues outside denial phrases."""
    return sum(1 for w in _words(_DENIALS.sub(" ", text)) if w in _NEGATIONS or w == "n't")


def _numbers(text: str) -> dict[str, set[float]]:
    """Numbers by unit: ``{"%": {8.0}, "$": {1.5e10}, "year": {1932.0}, "homes": {100.0}}``."""
    out: dict[str, set[float]] = {}
    for m in _NUMBER.finditer(text):
        raw = m.group("num").replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        scale = (m.group("scale") or "").lower()
        value *= _SCALES.get(scale, 1.0)
        unit_word = (m.group("unit") or "").lower()
        if m.group("cur"):
            unit = m.group("cur").replace("£", "$").replace("€", "$")
        elif unit_word in _UNITS:
            unit = _UNITS[unit_word]
        elif unit_word in ("dollars", "dollar", "usd"):
            unit = "$"
        elif "." not in raw and "," not in m.group("num") and 1800 <= value <= 2100 and not scale:
            unit = "year"
        elif unit_word and unit_word not in _STOP:
            unit = unit_word.rstrip("s")
        else:
            unit = "#"
        out.setdefault(unit, set()).add(value)
    return out


def _number_clash(sentence: str, claim: str) -> bool:
    """The same unit with no value in common ("12 percent" vs "8 percent")."""
    a, b = _numbers(sentence), _numbers(claim)
    return any(not a[unit] & b[unit] for unit in set(a) & set(b))


def _antonym_flips(sentence: set[str], claim: set[str]) -> int:
    flips = 0
    for pa, pb in _antonym_poles():
        s_a, s_b, c_a, c_b = bool(sentence & pa), bool(sentence & pb), bool(claim & pa), bool(claim & pb)
        if (s_a and c_b and not s_b and not c_a) or (s_b and c_a and not s_a and not c_b):
            flips += 1
    return flips


def _stem(word: str) -> str:
    """cure, cures, cured, curing -> cur (crude, but the same for every form)."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _content(words: list[str]) -> set[str]:
    skip = _STOP | _NEGATIONS | {"n't", "$", "%", "?"}
    return {_stem(w) for w in words if w not in skip and not w.isdigit() and len(w) > 1}


@cache
def _antonym_groups() -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Each antonym pair as (its word forms, their stems)."""
    return tuple((pa | pb, frozenset(_stem(w) for w in pa | pb)) for pa, pb in _antonym_poles())


def explain(sentence: str, claim: str, context: str = "", similarity: float | None = None) -> dict[str, object]:
    """The agreement label with the evidence behind it (for tests and for a reader asking "why").

    ``similarity``: the MiniLM cosine of sentence and claim when known; at or above :data:`PARAPHRASE_COSINE` the
    sentence counts as stating the claim in other words even when it shares few of its words."""
    s_words, c_words = _words(sentence), _words(claim)
    s_set, c_set = set(s_words), set(c_words)
    if "?" in sentence.strip()[-2:] or _QUESTION_START.match(sentence):
        return {"label": "unclear", "why": "question"}
    if _HEDGES.search(sentence):
        return {"label": "unclear", "why": "hedged"}
    # the claim's content words must mostly appear in the sentence (or its context); an antonym word of the claim
    # counts as present when the sentence holds either pole of it ("fell" covers "increased")
    reach_words = s_set | set(_words(context))
    covered_poles = {w for group, stems in _antonym_groups() if reach_words & group for w in stems}
    claim_content = _content(c_words)
    reach = _content(s_words) | _content(_words(context)) | covered_poles
    shared = claim_content & reach
    coverage = len(shared) / len(claim_content) if claim_content else 1.0
    if similarity is not None and similarity >= PARAPHRASE_COSINE:
        coverage = max(coverage, _MIN_COVERAGE_NEGATION)
    why_unclear = f"shares {len(shared)} of {len(claim_content)} claim words"
    denial = len(_DENIALS.findall(sentence)) - len(_DENIALS.findall(claim))
    negation = _negations(sentence) - _negations(claim)
    antonym = _antonym_flips(s_set, c_set)
    numbers = _number_clash(sentence, claim)
    flips = abs(denial) + abs(negation) + antonym
    if coverage < _MIN_COVERAGE:
        return {"label": "unclear", "why": why_unclear}
    if numbers:
        return {"label": "contradicts", "why": "different numbers"}
    if flips % 2 and (antonym or coverage >= _MIN_COVERAGE_NEGATION):
        # a negation says something only when the rest is the same proposition; an antonym is itself the predicate
        parts = [("denial", denial), ("negation", negation), ("antonym", antonym)]
        return {"label": "contradicts", "why": ", ".join(name for name, n in parts if n)}
    if flips % 2:
        return {"label": "unclear", "why": f"negated, but {why_unclear}"}
    return {"label": "repeats", "why": "same polarity"}


def agreement(sentence: str, claim: str, context: str = "", similarity: float | None = None) -> str:
    """``repeats``, ``contradicts`` or ``unclear``: whether ``sentence`` asserts ``claim``, its opposite, or neither
    (``context``: the text before the sentence, used only to find the claim's words; ``similarity``: their MiniLM
    cosine, when known)."""
    return str(explain(sentence, claim, context, similarity)["label"])
