"""Learned cue constructions: which word + dependency slot introduces attributed content, mined from PolNeAR train.

A candidate is a word (verb, noun or adjective, by lemma) with one of its dependents in a *slot*: a clausal complement
("shows that …" → ``ccomp``), a to-infinitive (``xcomp``), a direct object (``dobj``), the object of a preposition
("referred to …" → ``prep:to``, "criticism of …" → ``prep:of``), a that-clause of a noun (``that``) or a colon
(``colon``); or a preposition with its object ("in a new poll, …" → ``P:in:poll``) whose clause is the content. ``training/learn_cues.py`` counts, over PolNeAR train, how often each lemma + slot is an annotated cue
whose content is that dependent, and keeps those precise and frequent enough (thresholds chosen by cross-validation on
train). The table ships as ``veracity/data/cue_lexicon.json.gz``: lemmas, slots and counts only, no article text.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["CUE_TABLE_FILE", "CueTable", "candidate_slots", "cue_key", "cue_table", "filter_table", "lookup"]

CUE_TABLE_FILE = "cue_lexicon.json.gz"
_POS = {"VERB": "V", "AUX": "V", "NOUN": "N", "ADJ": "A"}
_CLAUSE = {"ccomp", "acl", "relcl"}

#: cue key ("V:show") → slot ("ccomp") → [cue precision, share of its cues with an expressed source]
CueTable = dict[str, dict[str, list[float]]]


def _pobj(tok: Any) -> Any | None:
    return next((c for c in tok.children if c.dep_ == "pobj"), None)


def cue_key(tok: Any) -> str | None:
    """``V:lemma`` / ``N:lemma`` / ``A:lemma`` for a word that could be a cue, ``P:in:poll`` for a preposition with
    its object ("in a new poll, …"), else None."""
    if tok.pos_ == "ADP" and tok.dep_ == "prep":
        obj = _pobj(tok)
        return f"P:{tok.lower_}:{obj.lemma_.lower()}" if obj is not None and obj.is_alpha else None
    pos = _POS.get(tok.pos_)
    if pos is None or tok.dep_ in {"aux", "auxpass"} or not tok.is_alpha:
        return None
    return f"{pos}:{tok.lemma_.lower()}"


def candidate_slots(tok: Any) -> list[tuple[str, list[Any]]]:
    """The dependents of ``tok`` that could carry attributed content, each with its slot name (in a fixed order)."""
    pos = _POS.get(tok.pos_)
    out: list[tuple[str, list[Any]]] = []
    if tok.pos_ == "ADP":
        head = tok.head
        while head.dep_ not in {"ROOT", "ccomp", "conj", "advcl"} and head.head is not head:
            head = head.head
        return [("clause", [head])] if head is not tok and _pobj(tok) is not None else []
    kids = list(tok.children)
    if pos == "V":
        comps = [c for c in kids if c.dep_ == "ccomp"]
        if comps:
            right = [c for c in comps if c.i > tok.i]
            out.append(("ccomp", [right[0] if right else comps[-1]]))
        xcomp = next((c for c in kids if c.dep_ == "xcomp" and c.i > tok.i), None)
        dobj = next((c for c in kids if c.dep_ == "dobj" and c.i > tok.i), None)
        if xcomp is not None:
            out.append(("xcomp", [dobj, xcomp] if dobj is not None and dobj.i < xcomp.i else [xcomp]))
        if dobj is not None:
            out.append(("dobj", [dobj, *[c for c in kids if c.dep_ in {"oprd", "xcomp"} and c.i > dobj.i]]))
    else:
        clause = next(
            (
                c
                for c in kids
                if c.dep_ in _CLAUSE
                and c.i > tok.i
                and any(g.lower_ == "that" and g.dep_ == "mark" for g in c.children)
            ),
            None,
        )
        if clause is not None:
            out.append(("that", [clause]))
    for c in kids:
        if c.dep_ in {"prep", "prt"} and c.i > tok.i:
            obj = next((g for g in c.children if g.dep_ in {"pobj", "pcomp"}), None)
            if obj is not None:
                out.append((f"prep:{c.lower_}", [obj]))
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    if nxt is not None and nxt.text == ":" and nxt.i + 1 < len(tok.doc):
        out.append(("colon", [nxt]))
    return out


def filter_table(
    counts: Mapping[str, Mapping[str, list[int]]], min_precision: float, min_hits: int, rare: int = 2
) -> CueTable:
    """Keep the lemma + slot pairs whose cue precision (hits / occurrences) and hit count reach the thresholds.

    ``counts`` maps key → slot → [hits, occurrences, hits whose annotated source is expressed]. Pairs seen more than
    ``rare`` times that miss the thresholds stay with precision 0 (known non-cues); the ``V:*``, ``N:*``, ``A:*``, ``P:*``
    entries are back-offs by slot, pooled over the rare pairs, for words train never showed in that slot.
    """
    table: CueTable = {}
    pooled: dict[tuple[str, str], list[int]] = {}
    for key, slots in counts.items():
        for slot, (hits, total, sourced) in slots.items():
            if hits >= min_hits and total and hits / total >= min_precision:
                table.setdefault(key, {})[slot] = [round(hits / total, 3), round(sourced / hits, 3)]
            elif total > rare:
                table.setdefault(key, {})[slot] = [0.0, 0.0]
            if total <= rare:
                acc = pooled.setdefault((key[:2] + "*", slot), [0, 0, 0])
                for i, v in enumerate((hits, total, sourced)):
                    acc[i] += v
    for (key, slot), (hits, total, sourced) in pooled.items():
        if hits >= 10 and hits / total >= min_precision:
            table.setdefault(key, {})[slot] = [round(hits / total, 3), round(sourced / hits, 3)]
    return table


def lookup(table: CueTable, key: str, slot: str) -> list[float] | None:
    """The table entry for a word's slot, else the back-off for its part of speech; None when not a cue."""
    entry = table.get(key, {}).get(slot) or table.get(key[:2] + "*", {}).get(slot)
    return entry if entry and entry[0] > 0 else None


@cache
def cue_table() -> CueTable:
    """The bundled learned table: ``{"V:show": {"ccomp": [0.57, 0.99], …}, …}``.

    Each entry is the construction's cue precision on PolNeAR train and the share of its cues with a source.
    """
    raw = gzip.decompress(resources.files("veracity.data").joinpath(CUE_TABLE_FILE).read_bytes()).decode("utf-8")
    return dict(json.loads(raw)["table"])
