"""What kind of claim a sentence makes, from its spaCy parse: fact-checkers sort claims by type before checking them.

A number is checked against statistics, a prediction cannot be checked yet, a quotation needs its source, a causal
claim needs evidence of the cause, a claim about the law needs the text of the law, and a personal experience can
rarely be checked at all. ``claim_types(sentence)`` returns the types a sentence carries (several may apply), in the
order of ``TYPES``; ``["other"]`` when none does. The rules and what each type means are in
``docs/claim-types-guide.md``; ``veracity eval claims --types`` measures them on a hand-labelled set.

Rules over the parse only (part of speech, dependencies, entities, lemmas): no model, no file, no state, so it costs
well under a millisecond a sentence on top of the parse the ``sentences`` layer already made.
"""

from __future__ import annotations

import re
from typing import Any

from veracity.analyzers._spacy import entities_in

__all__ = ["TYPES", "claim_types"]

#: every type, in the order ``claim_types`` returns them
TYPES = (
    "quantity",
    "comparison",
    "prediction",
    "causal",
    "quote",
    "law_or_rule",
    "personal_experience",
    "other",
)

# quantity -------------------------------------------------------------------------------------------------------
#: entity labels that are amounts (DATE, TIME and ORDINAL are not: "in 2014" dates a claim, it does not count anything)
_AMOUNT_ENTS = frozenset({"MONEY", "PERCENT", "QUANTITY", "CARDINAL"})
#: words that state an amount without a digit
_AMOUNT_WORDS = frozenset(
    {
        "percent",
        "per cent",
        "percentage",
        "%",
        "million",
        "millions",
        "billion",
        "billions",
        "trillion",
        "trillions",
        "thousands",
        "hundreds",
        "dozens",
        "half",
        "quarter",
        "third",
        "majority",
        "minority",
        "twice",
        "double",
        "triple",
        "rate",
        "average",
    }
)
_CURRENCY = re.compile(
    r"[$€£¥]\s?\d|\d\s?(?:%|percent\b|per cent\b)|\b\d{1,3}(?:,\d{3})+\b|"
    r"\b(?:one|two|three)[- ](?:half|halves|third|thirds|quarter|quarters)\b|"
    r"\b(?:millions?|billions?|trillions?) (?:of )?(?:dollars|euros|pounds|people|jobs|doses|barrels|tons|tonnes)\b|"
    r"\b(?:hundred|thousand|million|billion|trillion) (?:dollars|euros|pounds)\b",
    re.IGNORECASE,
)
#: a duration that is the measured content ("for thirty years", "for 16 minutes"), not a time frame ("last year")
_DURATION = re.compile(
    r"\bfor (?:\w+ )?(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|\w+ty-\w+) "
    r"(?:seconds|minutes|hours|days|weeks|months|years|decades)\b",
    re.IGNORECASE,
)
#: numbers that are not amounts in ordinary prose ("one of them", "the first time" is ORDINAL anyway)
_NOT_AMOUNT = frozenset({"one", "1"})

# comparison -----------------------------------------------------------------------------------------------------
_COMPARATIVE_TAGS = frozenset({"JJR", "RBR", "JJS", "RBS"})
#: comparatives that rarely compare anything ("more or less", "at least", "no longer", "the best way to")
_NOT_COMPARING = frozenset({"least", "longer", "further", "rather", "later", "earlier", "sooner", "else", "best"})
#: verbs of measured change: the thing is compared with itself at another time
_CHANGE_VERBS = frozenset(
    {
        "increase",
        "decrease",
        "rise",
        "fall",
        "drop",
        "double",
        "triple",
        "quadruple",
        "halve",
        "grow",
        "decline",
        "shrink",
        "surge",
        "soar",
        "plunge",
        "plummet",
        "climb",
        "jump",
        "outnumber",
        "exceed",
        "outpace",
        "surpass",
    }
)
_COMPARE_PHRASE = re.compile(
    r"\b(?:compared (?:with|to)|as (?:many|much|high|low|large|big|small|few|little|fast|bad|good) as|"
    r"(?:twice|three times|four times|half) as \w+|(?:well |far )?ahead of|"
    r"the (?:same|highest|lowest|largest|biggest|smallest|fastest|worst|best) |for the first time|"
    r"never (?:happened )?before|in (?:american |our |the country's |recorded )?history|(?:is|are|was) (?:up|down)\b)",
    re.IGNORECASE,
)
#: "than" that compares; "more than 40,000" bounds a number, "rather than" and "more likely than not" compare nothing
_THAN = re.compile(r"\bthan\b(?! not\b)(?!\s+(?:a |an |about |nearly |almost )?[$€£]?\d)", re.IGNORECASE)
_NOT_THAN = re.compile(r"\b(?:rather|other) than\b", re.IGNORECASE)
#: nouns of a lead or a change ("extended their lead", "the spikes in Europe")
_CHANGE_NOUNS = frozenset(
    {"lead", "advantage", "increase", "increases", "decrease", "decline", "spike", "spikes", "surge", "gap", "growth"}
)

# prediction -----------------------------------------------------------------------------------------------------
_FUTURE_MODALS = frozenset({"will", "'ll", "wo", "shall", "may", "might", "could"})
_PREDICTION_PHRASE = re.compile(
    r"\b(?:(?:is|are|was|were|be|'s|'re)\s+(?:expected|likely|set|due|poised|projected|forecast|predicted|"
    r"scheduled|slated|bound)\s+to|going to|gonna|about to|in the (?:coming|next) (?:days|weeks|months|years)|"
    r"next (?:week|month|year|decade)|by (?:the end of )?(?:\w+ )?20[2-9]\d|poised to)\b",
    re.IGNORECASE,
)
_PREDICT_VERBS = frozenset({"predict", "forecast", "project", "anticipate", "expect", "foresee", "warn"})

# causal ---------------------------------------------------------------------------------------------------------
_CAUSAL_PHRASE = re.compile(
    r"\b(?:because|due to|as a result|as a consequence|result(?:s|ed|ing)? in|led to|lead(?:s|ing)? to|"
    r"thanks to|owing to|caus(?:e|es|ed|ing)|responsible for|blame[ds]? (?:\w+ )?(?:for|on)|"
    r"the reason (?:why|for|that)|therefore|consequently|contribut(?:e|es|ed|ing) to|trigger(?:s|ed|ing)?|"
    r"linked to|attributed to|driven by|provok(?:e|es|ed|ing)|for (?:these|this|that) reasons?)\b",
    re.IGNORECASE,
)

# quote ----------------------------------------------------------------------------------------------------------
#: verbs of saying: a sentence whose clause depends on one relays someone's words
_SAY_VERBS = frozenset(
    {
        "say",
        "tell",
        "claim",
        "state",
        "announce",
        "declare",
        "allege",
        "insist",
        "argue",
        "deny",
        "confirm",
        "report",
        "write",
        "add",
        "explain",
        "note",
        "warn",
        "accuse",
        "tweet",
        "testify",
        "admit",
        "acknowledge",
        "assert",
        "reveal",
        "suggest",
        "describe",
        "quote",
        "predict",
    }
)
#: a quoted passage of four words or more (shorter ones are names, titles or scare quotes: the ‘White Helmets’)
_QUOTED = re.compile(
    r"[\"“][^\"“”]*?\S+(?:\s+\S+){3,}[^\"“”]*?[\"”]|"
    r"(?<![A-Za-z])[‘'][^‘’']*?\S+(?:\s+\S+){3,}[^‘’']*?[’'](?![A-Za-z])"
)
#: a sentence that opens or closes a quotation split over several sentences
_QUOTE_EDGE = re.compile(r"^\W{0,3}[\"“]|[\"”]\W{0,3}$|[,.?!][\"”]\s")

# law or rule ----------------------------------------------------------------------------------------------------
_LAW_LEMMAS = frozenset(
    {"ban", "prohibit", "outlaw", "legalize", "legalise", "criminalize", "enact", "repeal", "veto", "vote", "ratify"}
)
#: fiscal and trade instruments: a claim about them is a claim about a rule the state sets
_LAW_NOUNS = frozenset(
    {"tax", "taxes", "tariff", "tariffs", "duty", "duties", "patent", "patents", "subsidies", "subsidy", "wage", "act"}
)
_LAW_PHRASE = re.compile(
    r"\b(?:(?:is|are) (?:not )?(?:allowed|permitted|required|obliged|entitled) to|under (?:the |federal |state )?"
    r"(?:law|act|rules?)|[A-Z][a-z]+ (?:Act|Bill|Law|Amendment|Treaty|Convention|Accord)\b|"
    r"(?:Supreme|High|District|Federal) Court|signed into law)",
)
#: words that make "sign", "court" or "policy" mean something else ("signs of", "foreign policy experts")
_LAW_STRONG = frozenset(
    {
        "law",
        "laws",
        "legal",
        "illegal",
        "illegally",
        "legally",
        "unlawful",
        "lawful",
        "legislation",
        "statute",
        "regulation",
        "regulations",
        "constitution",
        "constitutional",
        "unconstitutional",
        "amendment",
        "treaty",
        "mandate",
        "mandatory",
        "banned",
        "prohibited",
        "outlawed",
        "ordinance",
        "decree",
        "vetoed",
        "enacted",
        "repealed",
        "sanctions",
    }
)

# personal experience --------------------------------------------------------------------------------------------
_FIRST_PERSON = frozenset({"i", "me", "my", "myself", "mine"})
#: verbs of thinking, wanting and promising: "I think X" states X (an opinion), "I will" promises, neither recounts
_NOT_EXPERIENCE = frozenset(
    {
        "think",
        "believe",
        "want",
        "hope",
        "wish",
        "guess",
        "suppose",
        "feel",
        "know",
        "say",
        "tell",
        "mean",
        "agree",
        "disagree",
        "support",
        "oppose",
        "propose",
        "promise",
        "intend",
        "plan",
        "like",
        "love",
        "thank",
        "ask",
        "urge",
        "suggest",
        "understand",
        "favor",
        "favour",
        "happen",
        "let",
        "mention",
        "look",
        "would",
        "must",
    }
)
_EXPERIENCE_NOUNS = frozenset(
    {
        "father",
        "mother",
        "dad",
        "mom",
        "mum",
        "parents",
        "wife",
        "husband",
        "son",
        "daughter",
        "children",
        "kids",
        "family",
        "brother",
        "sister",
        "grandfather",
        "grandmother",
        "friend",
        "friends",
        "home",
        "hometown",
        "life",
        "career",
    }
)


def claim_types(sentence: Any) -> list[str]:
    """The claim types of one sentence (a spaCy ``Span`` from a parse with tagger, parser and NER), in ``TYPES`` order.

    Several types may apply; ``["other"]`` when none does. Cheap and stateless, so callers may run it on every
    sentence or only on check-worthy ones.
    """
    tokens = [t for t in sentence if not t.is_space]
    if not tokens:
        return ["other"]
    text = sentence.text
    found = [
        name
        for name, rule in (
            ("quantity", _quantity),
            ("comparison", _comparison),
            ("prediction", _prediction),
            ("causal", _causal),
            ("quote", _quote),
            ("law_or_rule", _law_or_rule),
            ("personal_experience", _personal_experience),
        )
        if rule(sentence, tokens, text)
    ]
    return found or ["other"]


def _quantity(sentence: Any, tokens: list[Any], text: str) -> bool:
    """An amount, count, rate or share: a MONEY/PERCENT/QUANTITY/CARDINAL number or an amount word next to one."""
    if _CURRENCY.search(text) or _DURATION.search(text):
        return True
    for label, start, end in entities_in(sentence):  # not ``sentence.ents``: that walks the whole document
        if label in {"MONEY", "PERCENT", "QUANTITY"}:
            return True
        ent_text = text[start - sentence.start_char : end - sentence.start_char].lower()
        if label == "CARDINAL" and ent_text not in _NOT_AMOUNT and "number" not in ent_text:
            # "one of the", "the two leaders": small bare numbers counting people in the scene are still counts
            return True
    for t in tokens:
        low = t.lower_
        if (
            t.like_num
            and t.ent_type_ not in {"DATE", "TIME", "ORDINAL"}
            and low not in _NOT_AMOUNT
            and t.head.lower_ != "number"
            and not re.fullmatch(r"(?:1[6-9]|20)\d\d", t.text)  # a bare year
        ):
            return True
        if low in _AMOUNT_WORDS and (
            t.ent_type_ in _AMOUNT_ENTS or low in {"percent", "%", "twice", "million", "billion", "trillion"}
        ):
            return True
        if low in {"millions", "billions", "thousands", "hundreds", "dozens"} and any(
            c.lower_ == "of" for c in t.children
        ):
            return True
    return False


def _comparison(sentence: Any, tokens: list[Any], text: str) -> bool:
    """Two things, or one thing at two times, set against each other: comparatives, superlatives, change verbs."""
    if _COMPARE_PHRASE.search(text):
        return True
    has_than = bool(_THAN.search(_NOT_THAN.sub(" ", text)))
    lowered = text.lower()
    for t in tokens:
        low = t.lower_
        if t.tag_ in {"JJR", "RBR"} and low not in _NOT_COMPARING:
            # a comparative compares when it has its "than", or stands as the predicate ("prices are higher")
            if (has_than and low not in {"more", "less", "fewer"}) or t.dep_ in {"acomp", "attr", "ROOT"}:
                return True
            if low in {"more", "less", "fewer"} and has_than and t.head.pos_ in {"ADJ", "NOUN", "ADV"}:
                return True
        if t.tag_ in {"JJS", "RBS"} and low not in _NOT_COMPARING:
            if low == "most" and ("the most part" in lowered or (t.dep_ in {"amod", "det"} and t.head.pos_ == "NOUN")):
                continue  # "for the most part", "most smokers" (a share, not a ranking)
            if any(c.lower_ in {"the", "my", "his", "her", "our", "their", "its", "your"} for c in t.head.children) or (
                low == "most" and t.head.pos_ == "ADJ"
            ):
                return True
        lemma = t.lemma_.lower()
        if t.pos_ == "VERB" and lemma in _CHANGE_VERBS:
            return True
        if t.pos_ == "VERB" and lemma in {"reduce", "cut", "raise"} and any(c.lower_ == "by" for c in t.children):
            return True  # "reduced the rolls by 2 million"
        if t.pos_ == "NOUN" and low in _CHANGE_NOUNS and t.dep_ in {"dobj", "nsubj", "attr", "pobj"}:
            return True
    return False


def _prediction(sentence: Any, tokens: list[Any], text: str) -> bool:
    """About what will or may happen: a future/possibility modal on a verb, "expected/likely/set to", "next year"."""
    if _PREDICTION_PHRASE.search(text) and "going to have to" not in text.lower():
        return True
    for t in tokens:
        low = t.lower_
        if t.tag_ == "MD" and low in _FUTURE_MODALS:
            head = t.head
            # "could" of the past ("he could not sleep") and questions ("Will you...?") are not predictions
            if low == "could" and any(c.lower_ in {"not", "n't", "never"} for c in head.children):
                continue
            if text.rstrip().endswith("?"):
                continue
            if low in {"may", "might", "could"} and (
                any(c.lower_ in {"have", "'ve"} for c in head.children) or head.lemma_.lower() in {"say", "add"}
            ):
                continue  # "may have mistyped" (the past), "I might say" (a hedge)
            if head.lemma_.lower() == "have" and any(c.lower_ == "to" for c in head.children):
                continue  # "are going to have to" is an obligation
            if head.pos_ in {"VERB", "AUX"}:
                return True
        if (
            t.pos_ == "VERB"
            and t.lemma_.lower() in _PREDICT_VERBS - {"warn"}
            and any(c.dep_ in {"ccomp", "xcomp", "dobj"} for c in t.children)
        ):
            return True
    return False


def _causal(sentence: Any, tokens: list[Any], text: str) -> bool:
    """One thing made another happen: "because", "due to", "led to", "caused", "as a result", "blamed for"."""
    if _CAUSAL_PHRASE.search(text):
        return True
    return any(t.pos_ == "VERB" and t.lemma_.lower() in {"fuel", "drive", "spark"} and t.dep_ != "amod" for t in tokens)


def _quote(sentence: Any, tokens: list[Any], text: str) -> bool:
    """Someone else's words, relayed: quotation marks, "according to", or a clause governed by a verb of saying."""
    lowered = text.lower()
    if _QUOTED.search(text) or _QUOTE_EDGE.search(text) or "according to" in lowered:
        return True
    if re.search(r"\b(?:is|are|was|were) (?:said|reported|alleged|claimed) to\b", lowered):
        return True
    for t in tokens:
        if t.pos_ == "VERB" and t.lemma_.lower() in _SAY_VERBS:
            subject = [c for c in t.children if c.dep_ in {"nsubj", "nsubjpass"}]
            content = [c for c in t.children if c.dep_ in {"ccomp", "parataxis"}]
            accused = t.lemma_.lower() == "accuse" and any(c.dep_ == "prep" and c.lower_ == "of" for c in t.children)
            if content or accused or (t.dep_ in {"parataxis", "ccomp"} and subject):
                # the speaker's own "I say" is an assertion, not a relayed claim
                if subject and all(s.lower_ in {"i", "we"} for s in subject):
                    continue
                return True
    return False


def _law_or_rule(sentence: Any, tokens: list[Any], text: str) -> bool:
    """What the law, a rule or an official policy says, allows or forbids, or a legislative/court act."""
    if _LAW_PHRASE.search(text):
        return True
    words = {t.lower_ for t in tokens}
    if words & _LAW_STRONG:
        return True
    for t in tokens:
        if t.pos_ == "VERB" and t.lemma_.lower() in _LAW_LEMMAS and (t.lemma_.lower() != "vote" or t.tag_ != "VB"):
            return True  # "he voted against it 23 times"; "the right to vote" is not a vote
        if (
            t.lower_ in {"tax", "taxes"} and t.nbor(1).lower_ in {"return", "returns"}
            if t.i + 1 < len(t.doc)
            else False
        ):
            continue
        if t.lower_ in _LAW_NOUNS and t.pos_ in {"NOUN", "PROPN"} and (t.lower_ != "act" or t.text == "Act"):
            return True
        if t.lemma_.lower() == "pass" and any(c.lower_ in {"package", "bill", "law", "budget"} for c in t.children):
            return True
        if t.lower_ == "approved" and any(c.lower_ == "for" for c in t.children):
            return True  # "approved for children over twelve": a regulator's rule
        if (
            (t.lower_ == "bill" or t.text == "Act")
            and t.pos_ in {"NOUN", "PROPN"}
            and t.dep_ != "compound"
            and any(c.lower_ in {"the", "this", "that", "a"} for c in t.children)
        ):
            return True
    return False


def _personal_experience(sentence: Any, tokens: list[Any], text: str) -> bool:
    """The speaker recounts their own life: "I" as subject of a past or perfect event, or "my father/family …"."""
    for t in tokens:
        low = t.lower_
        if low == "i" and t.dep_ in {"nsubj", "nsubjpass"}:
            verb = t.head
            lemma = verb.lemma_.lower()
            if lemma in _NOT_EXPERIENCE:
                continue
            aux = {c.lower_ for c in verb.children if c.dep_ in {"aux", "auxpass"}}
            if aux & {"will", "'ll", "would", "could", "should", "might", "may", "must", "shall", "ca", "can"}:
                continue
            past = verb.tag_ in {"VBD", "VBN"} or aux & {"have", "'ve", "had", "'d", "was"}
            if past or lemma in {"grow", "live", "work", "serve", "meet", "visit", "see"}:
                return True
        if low in {"my", "our"} and t.head.lower_ in _EXPERIENCE_NOUNS and low == "my":
            return True
    return False
