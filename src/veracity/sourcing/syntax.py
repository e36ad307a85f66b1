"""Where things are in a spaCy dependency parse, for the attribution rules: a cue verb's subject and content, a
source's noun phrase, a subtree's character ranges.

Kept apart from ``veracity.analyzers.attributions`` so that module reads as the rules themselves; these helpers encode
the parser's habits (misread perfects, cues hung inside another cue's content, subjects left unattached) that the
rules rely on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from veracity.sourcing.lexicon import BELIEF_CUES, INFINITIVE_CUES, OBJECT_CUES, PREPOSITION_CUES, SPEECH_CUES

SUBJECT_DEPS = ("nsubj",)
RELATIVE_PRONOUNS = {"who", "which", "that", "whom"}
REPORTING_CUES = SPEECH_CUES | BELIEF_CUES
_NP_RIGHT = {"appos", "conj", "cc", "compound", "flat", "nummod", "poss", "case"}
_NOMINAL = {"NOUN", "PROPN", "PRON", "NUM", "ADP", "DET", "ADJ"}
_HEADS = {"NOUN", "PROPN", "PRON", "NUM"}
_ANSWERS = {"yes", "no", "so"}


def tok_end(tok: Any) -> int:
    """The character offset just after a token."""
    return tok.idx + len(tok.text)


def np_range(tok: Any) -> tuple[int, int]:
    """A source noun phrase: its left edge to its head, plus appositions, conjuncts and "of" phrases to the right."""
    start = tok.left_edge.idx
    end = tok_end(tok)
    for child in tok.rights:
        named_for = (
            child.dep_ == "prep"
            and child.lower_ == "for"
            and any(g.dep_ == "pobj" and g.pos_ == "PROPN" for g in child.children)
        )  # "the Syrian Observatory for Human Rights", "the Center for American Progress"
        if child.dep_ in _NP_RIGHT or (child.dep_ == "prep" and child.lower_ in {"of", "from", "at"}) or named_for:
            end = max(end, tok_end(child.right_edge))
        elif child.dep_ == "punct" and child.text == ",":
            continue
        else:
            break
    # "a member of the group AP reached for comment": a name glued on by the parser is the subject of a reduced
    # relative clause (the next word a past-tense verb, no comma before it), not part of the source
    j = tok.i
    while j + 1 < len(tok.doc) and tok.doc[j + 1].idx < end:
        j += 1
    last = tok.doc[j]
    if last.dep_ == "appos" and last.pos_ == "PROPN" and last.i + 1 < len(tok.doc):
        before = tok.doc[last.left_edge.i - 1]
        if tok.doc[last.i + 1].tag_ == "VBD" and before.text != "," and before.i >= tok.left_edge.i:
            end = tok_end(before)
    # "London and its allies of claiming that …": a gerund clause after a conjunct is an act, not part of the name
    for t in tok.doc[tok.i + 1 :]:
        if t.idx >= end:
            break
        if t.dep_ == "pcomp" and t.pos_ == "VERB" and t.head.dep_ == "prep" and t.head.i > tok.i:
            return start, tok_end(tok.doc[t.head.i - 1])
    return start, end


def subtree_range(tok: Any, exclude: Sequence[Any] = ()) -> list[tuple[int, int]]:
    """Character ranges of a token's subtree with the subtrees of ``exclude`` cut out."""
    start, end = tok.left_edge.idx, tok_end(tok.right_edge)
    cuts = sorted((e.left_edge.idx, tok_end(e.right_edge)) for e in exclude)
    parts: list[tuple[int, int]] = []
    cur = start
    for cs, ce in cuts:
        if cs > cur:
            parts.append((cur, min(cs, end)))
        cur = max(cur, ce)
    if cur < end:
        parts.append((cur, end))
    return parts


def verb_subject(verb: Any, depth: int = 0) -> Any | None:
    """The subject of a cue verb, inherited from the governing verb for participles and conjuncts ("…, accusing")."""
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS:
            return child
    if perfect_misread_as_passive(verb):
        return next(c for c in verb.children if c.dep_ == "nsubjpass")
    if depth == 0 and verb.dep_ == "advcl" and is_participle(verb):
        return None  # "Asked about it, Trump said …": the asker is not expressed
    if repeated_cue(verb):
        # "He said X went … and said Y": the second "said" hangs off X's verb; its subject is the first one's
        return verb_subject(verb.head.head, depth + 1)
    if depth < 2 and verb.dep_ in {"advcl", "conj", "xcomp", "ccomp"} and verb.head is not verb:
        reporter = reporting_verb(verb)
        if reporter is not None:
            return verb_subject(reporter, depth + 1)
        if verb.dep_ == "ccomp" and not said_to(verb.head):
            return None
        if verb.dep_ == "xcomp":
            obj = next((c for c in verb.head.children if c.dep_ == "dobj"), None)
            if obj is not None:
                return obj
            if extraposed(verb.head):
                return None  # "It's hard to imagine …": nobody in particular imagines
        if verb.dep_ == "conj" and verb.tag_ in {"VBD", "VBZ", "VBP"}:
            # "Mr. Trump was forced into damage control and said …": a passive first conjunct shares its subject
            shared = next((c for c in verb.head.children if c.dep_ == "nsubjpass"), None)
            if shared is not None:
                return shared
        return verb_subject(verb.head, depth + 1)
    # "The officials and a member … AP reached for comment said …": a misparsed subject with a relative clause
    left = [c for c in verb.lefts if c.dep_ == "ccomp"]
    content = content_child(verb)
    if depth == 0 and left and content is not None and content.i > verb.i:
        return next((c for c in left[0].children if c.dep_ in SUBJECT_DEPS), None)
    if depth == 0 and verb.dep_ == "ROOT":
        return stray_subject(verb)
    return None


def stray_subject(verb: Any, stop: int = -1) -> Any | None:
    """A finite main verb the parser left without a subject ("“…,” Brent Bozell, founder of …, tells"): the noun
    phrase ending just before it, climbed to its head while the heads stay nominal and left of the verb."""
    if verb.tag_ not in {"VBD", "VBZ", "VBP"} or any(c.dep_ in {"nsubjpass", "auxpass", "expl"} for c in verb.children):
        return None
    i = verb.i - 1
    while i >= verb.sent.start and verb.doc[i].pos_ in {"PUNCT", "ADV", "AUX", "PART"}:
        i -= 1
    if i < verb.sent.start:
        return None
    tok = verb.doc[i]
    if tok.idx < stop:
        return None
    best = tok if tok.pos_ in _HEADS else None
    while tok.head.i < verb.i and tok.head is not tok and tok.head.pos_ in _NOMINAL and tok.head.i >= verb.sent.start:
        if tok.head.idx < stop:
            break
        if tok.head.pos_ == "ADP" and tok.head.lower_ != "of":
            break  # "In an interview with …, the candidate stated": not up into the opening phrase
        tok = tok.head
        best = tok if tok.pos_ in _HEADS else best
    if best is None or best.lower_ in RELATIVE_PRONOUNS:
        return None
    return best


def extraposed(verb: Any) -> bool:
    """ "It's easy to see …", "It is hard to imagine …": a copula whose subject is a placeholder "it"."""
    return verb.lemma_ == "be" and any(c.dep_ == "nsubj" and c.lower_ == "it" for c in verb.children)


def is_participle(verb: Any) -> bool:
    """A past participle, including "Asked about it, …" opening a sentence, which the parser may tag as a past tense."""
    if verb.tag_ == "VBN":
        return True
    first = verb.sent.start
    while first < verb.i and not verb.doc[first].is_alpha:
        first += 1
    return verb.i == first and verb.tag_ == "VBD" and verb.dep_ == "advcl"


def perfect_misread_as_passive(verb: Any) -> bool:
    """ "He's said he …": the parser reads the contracted "has" of a perfect as a passive "is"."""
    kids = list(verb.children)
    return (
        verb.tag_ in {"VBN", "VBD"}
        and any(c.dep_ == "auxpass" and c.lower_ in {"'s", "’s"} for c in kids)
        and any(c.dep_ == "nsubjpass" and c.lower_ != "it" for c in kids)
        and not any(c.dep_ == "agent" for c in kids)
    )


def reporting_verb(verb: Any) -> Any | None:
    """The cue verb whose reported clause another cue hangs off ("X said Y …, adding", "X said Y … and added", "X
    believes Y … and Z …, pointing to"): the parser attaches the second cue inside the first one's content, but on
    PolNeAR train it is nearly always the same speaker's."""
    head = verb.head
    if verb.dep_ not in {"advcl", "conj"}:
        return None
    if head.dep_ == "conj" and head.head.dep_ == "ccomp":
        head = head.head
    if head.dep_ != "ccomp":
        return None
    outer = head.head
    if outer.lemma_.lower() in REPORTING_CUES and outer.i < head.i < verb.i:
        return outer
    return None


def repeated_cue(verb: Any) -> bool:
    """A cue verb misparsed as a conjunct inside the content of the same cue ("said X … and said Y")."""
    head = verb.head
    return (
        verb.dep_ == "conj"
        and head.dep_ == "ccomp"
        and head.head.lemma_ == verb.lemma_
        and head.head.i < verb.i
        and verb.pos_ in {"VERB", "AUX"}
    )


def trailing_report(verb: Any) -> bool:
    """ "This includes a special force, Defense Secretary Ash Carter told a Senate panel": a reporting clause after a
    comma that the parser joined to the content as a conjunct (no "and" or "but" between them)."""
    if verb.dep_ != "conj" or verb.head.i > verb.i or verb.lemma_.lower() not in SPEECH_CUES:
        return False
    subj = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS and c.i < verb.i), None)
    if subj is None or subj.left_edge.i == 0 or verb.doc[subj.left_edge.i - 1].text != ",":
        return False
    return not any(c.dep_ == "cc" and verb.head.i < c.i < verb.i for c in verb.head.children)


def said_to(verb: Any) -> bool:
    """ "said to be …", "reported to have …": the reporting verb is followed by a ``to``-infinitive."""
    nxt = verb.nbor(1) if verb.i + 1 < len(verb.doc) else None
    return nxt is not None and nxt.lower_ == "to" and any(c.dep_ == "xcomp" for c in verb.children)


def content_child(verb: Any) -> Any | None:
    """The clausal complement carrying the content: the ccomp to the right when there is one, else the left one."""
    comps = [c for c in verb.children if c.dep_ in {"ccomp"}]
    if not comps:
        return None
    right = [c for c in comps if c.i > verb.i]
    return right[0] if right else comps[-1]


def object_content(tok: Any, lemma: str) -> list[Any] | None:
    """Content that is an infinitive, a direct object or a prepositional object of the cue ("called for X")."""
    kids = list(tok.children)
    if lemma in INFINITIVE_CUES:
        xcomp = next((c for c in kids if c.dep_ == "xcomp" and c.i > tok.i), None)
        if xcomp is not None:
            obj = next((c for c in kids if c.dep_ == "dobj" and c.i < xcomp.i), None)
            return [obj, xcomp] if obj is not None else [xcomp]
    if lemma in PREPOSITION_CUES:
        for c in kids:
            if c.dep_ in {"prep", "prt"} and c.lower_ in PREPOSITION_CUES[lemma]:
                pobj = next((g for g in c.children if g.dep_ in {"pobj", "pcomp"}), None)
                if pobj is not None:
                    return [pobj]
    answer = next((c for c in kids if c.i == tok.i + 1 and c.lower_ in _ANSWERS), None)
    if answer is not None and lemma in SPEECH_CUES:
        return [answer]  # "72 percent said yes", "55 percent said so"
    if lemma in OBJECT_CUES:
        obj = next((c for c in kids if c.dep_ == "dobj" and c.i > tok.i), None)
        if obj is not None:
            extra = [c for c in kids if c.dep_ in {"oprd", "xcomp"} and c.i > obj.i]
            return [obj, *extra]
    return None
