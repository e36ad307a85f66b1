"""The spaCy parse is made once per document, kept with it, run only as far as asked, and charged to who runs it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from veracity.analyzers import _spacy, base
from veracity.analyzers._spacy import SENTENCES, parse, parse_many
from veracity.doc import Document
from veracity.models.loading import spacy_pipeline
from veracity.pipeline import Pipeline

pytestmark = pytest.mark.slow

TEXT = (
    "The minister said on Monday in Paris that the talks with Acme Corp. had stalled. According to two officials, "
    "the deal could collapse by March.\n\nReuters reported that negotiators met again late at night in Brussels."
)


def _signature(parsed: Any) -> list[tuple[Any, ...]]:
    return [
        (t.idx, t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, t.ent_iob_, t.ent_type_, t.is_sent_start, str(t.morph))
        for t in parsed
    ]


def test_a_staged_parse_equals_a_full_parse_short_and_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_spacy, "PIECE_CHARS", 120)  # the second text is parsed in pieces and joined
    long_text = "\n\n".join([TEXT] * 4)
    assert len(_spacy.split_for_parse(long_text, 120)) > 1
    full = parse_many([Document(TEXT), Document(long_text)])
    staged_docs = [Document(TEXT), Document(long_text)]
    first = parse_many(staged_docs, SENTENCES)
    assert not list(first[0].ents) and first[0][0].lemma_ == ""  # stopped after the parser: no NER, no lemmas
    staged = parse_many(staged_docs)
    for a, b in zip(full, staged, strict=True):
        assert b.text == a.text
        assert _signature(b) == _signature(a)
    assert {e.label_ for e in staged[0].ents} >= {"GPE", "DATE"}


def test_the_parse_lives_with_the_document_and_is_never_evicted() -> None:
    first = Document(TEXT)
    parsed = parse(first)
    parse_many([Document(f"{TEXT} {i}") for i in range(80)], SENTENCES)  # more than any small cache would hold
    assert parse(first) is parsed
    same_text = Document(TEXT)
    assert parse(same_text) is not parsed  # another document: its own parse, nothing shared behind its back


def test_only_sentences_stops_after_the_parser_and_sentences_pays_for_the_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [0.0]
    real = _spacy._parse_texts

    def parse_texts(*args: Any, **kwargs: Any) -> Any:
        clock[0] += 1.0  # a parse "takes" one second on this clock
        yield from real(*args, **kwargs)

    monkeypatch.setattr(base, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    monkeypatch.setattr(_spacy, "_parse_texts", parse_texts)
    docs = [Document(TEXT), Document(TEXT + " More.")]
    Pipeline(only=["sentences"]).run_batch(docs)
    held = docs[0].shared["spacy"]
    assert held.ran == spacy_pipeline().pipe_names.index("parser") + 1 and not list(held.doc.ents)
    assert [len(d.layer("sentences").spans) for d in docs] == [3, 4]
    # the batch's parse is charged to the layer that ran it, shared out over the batch (it used to show ~0)
    assert [d.layer("sentences").provenance.seconds for d in docs] == [0.5, 0.5]  # type: ignore[union-attr]
    parsed_before = Document(TEXT)
    parse(parsed_before)
    Pipeline(only=["sentences"]).run_batch([parsed_before])
    assert parsed_before.layer("sentences").provenance.seconds == 0.0  # type: ignore[union-attr]
