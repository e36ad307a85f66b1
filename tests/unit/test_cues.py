"""Learned cue constructions: slots from the parse, the table's thresholds and back-offs, and their use by the rules."""

from __future__ import annotations

from typing import Any

import pytest

from veracity.analyzers._spacy import parse
from veracity.analyzers.attributions import extract_attributions
from veracity.doc import Document
from veracity.sourcing.cues import candidate_slots, cue_key, cue_table, filter_table, lookup
from veracity.sourcing.quotes import find_quotes


def _tok(doc: Document, word: str) -> Any:
    return next(t for t in parse(doc) if t.text == word)


def test_slots_of_a_verb_a_noun_and_a_preposition() -> None:
    doc = Document("Polls show that Clinton leads. His criticism of the plan grew. In a new poll, Trump trails.")
    assert cue_key(_tok(doc, "show")) == "V:show"
    assert [s for s, _ in candidate_slots(_tok(doc, "show"))] == ["ccomp"]
    assert ("prep:of", "plan") in [(s, d[0].text) for s, d in candidate_slots(_tok(doc, "criticism"))]
    assert cue_key(_tok(doc, "In")) == "P:in:poll"
    assert [s for s, _ in candidate_slots(_tok(doc, "In"))] == ["clause"]


def test_filter_table_thresholds_known_non_cues_and_backoff() -> None:
    counts = {
        "V:show": {"ccomp": [6, 10, 6], "dobj": [0, 9, 0]},
        "V:rare": {"ccomp": [1, 1, 0]},
        **{f"V:w{i}": {"ccomp": [1, 2, 2]} for i in range(12)},
    }
    table = filter_table(counts, min_precision=0.5, min_hits=2)
    assert table["V:show"]["ccomp"] == [0.6, 1.0]
    assert lookup(table, "V:show", "dobj") is None  # seen often, never a cue: known, not backed off
    assert table["V:*"]["ccomp"][0] == pytest.approx(13 / 25, abs=1e-3)  # pooled over the rare pairs
    assert lookup(table, "V:unseen", "ccomp") == table["V:*"]["ccomp"]
    assert lookup(table, "N:unseen", "ccomp") is None


def test_learned_table_adds_an_attribution_the_hand_rules_miss() -> None:
    doc = Document("New polls show that Clinton leads in Ohio.")
    assert extract_attributions(doc, table={}) == []
    atts = extract_attributions(doc, table={"V:show": {"ccomp": [0.6, 1.0]}})
    assert [doc.text[a.start : a.end] for a in atts] == ["that Clinton leads in Ohio"]
    assert atts[0].source is not None and doc.text[atts[0].source[0] : atts[0].source[1]] == "New polls"
    no_source = extract_attributions(doc, table={"V:show": {"ccomp": [0.6, 0.2]}})
    assert no_source[0].source is None


def test_bundled_table_loads_and_knows_common_cues() -> None:
    table = cue_table()
    assert lookup(table, "V:show", "ccomp") is not None
    assert all(len(entry) == 2 for slots in table.values() for entry in slots.values())


def test_doubled_apostrophes_are_double_quotes() -> None:
    text = "''I would use the word 'old-school,''' said Mr. Slayton. ''Done.''"
    assert [text[q.start : q.end] for q in find_quotes(text)] == ["''I would use the word 'old-school,''", "''Done.''"]


def test_repeated_cue_misparsed_as_a_conjunct_keeps_the_first_speaker() -> None:
    doc = Document("He said the base immediately went into collect mode and said the rescue was slow.")
    got = {
        doc.text[a.start : a.end]: doc.text[a.source[0] : a.source[1]] for a in extract_attributions(doc) if a.source
    }
    assert got == {"the base immediately went into collect mode": "He", "the rescue was slow": "He"}
