"""The techniques analyzer and ``classify_techniques`` with the shipped int8 model."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

import veracity
from veracity.analyzers.techniques import DEFINITIONS, LABELS, TechniqueAnalyzer, classify_techniques, get_model
from veracity.doc import Document
from veracity.errors import UsageError

TEXT = (
    "ISIS terrorists disguised as a fake volunteer rescue group are preparing a new false flag chemical attack.\n\n"
    "The so-called 'stabilization programs' are a blatant embodiment of the regime's criminal, murderous policy.\n"
)


@pytest.fixture(scope="session")
def model():
    return get_model()


@pytest.fixture(scope="session")
def tagged_layer(model):
    return _analyzed(TEXT)


def _analyzed(text: str):
    """A document with the layers the techniques analyzer reads (sentences, entities, attributions) and its own."""
    from veracity.analyzers.attributions import AttributionAnalyzer
    from veracity.analyzers.entities import EntityAnalyzer
    from veracity.analyzers.sentences import SentenceAnalyzer

    doc = Document(text)
    for analyzer in (SentenceAnalyzer(), EntityAnalyzer(), AttributionAnalyzer()):
        doc.add_layer(analyzer.analyze(doc))
    return doc, doc.add_layer(TechniqueAnalyzer().analyze(doc))


def test_classify_ranks_all_fourteen_labels_per_span(model) -> None:
    spans = [(0, 15), (TEXT.index("blatant"), TEXT.index("blatant") + 7)]
    ranked = classify_techniques(TEXT, spans, threshold=0)
    assert len(ranked) == 2
    for row in ranked:
        assert sorted(label for label, _ in row) == sorted(LABELS)
        scores = [p for _, p in row]
        assert scores == sorted(scores, reverse=True)
        assert sum(scores) == pytest.approx(1.0, abs=1e-4)
        assert all(0.0 <= p <= 1.0 for p in scores)


def test_classify_span_at_the_very_end_and_start_of_the_text(model) -> None:
    end = len(TEXT.rstrip())
    ranked = classify_techniques(TEXT, [(0, 4), (end - 6, end)], threshold=0)
    assert len(ranked) == 2 and all(len(r) == 14 for r in ranked)


def test_classify_says_none_for_a_plain_fact_and_ranks_a_loaded_passage(model) -> None:
    text = "Water boils at 100 degrees Celsius at sea level.\n\n" + TEXT
    loaded = text.index("a blatant embodiment of the regime's criminal, murderous policy")
    fact, passage = veracity.classify_techniques(text, [(0, 48), (loaded, loaded + 62)])
    assert fact == []  # "no technique recognised" instead of naming one anyway
    assert sorted(label for label, _ in passage) == sorted(LABELS)
    assert classify_techniques(text, [(0, 48)], threshold=0)[0]  # threshold 0 ranks every passage


def test_classify_empty_span_list_returns_empty_list() -> None:
    assert veracity.classify_techniques(TEXT, []) == []


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ([(5, 5)], "is empty"),
        ([(10, 4)], "ends before it starts"),
        ([(-1, 4)], "outside the text"),
        ([(0, len(TEXT) + 1)], "outside the text"),
        ([(0, 4), (3, 3)], "span 1"),
        ([(0,)], "pair"),
        ([(TEXT.index("\n\n"), TEXT.index("\n\n") + 2)], "whitespace"),
    ],
)
def test_classify_bad_spans_raise_a_clear_usage_error(spans, message) -> None:
    with pytest.raises(UsageError, match=message):
        veracity.classify_techniques(TEXT, spans)


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_classify_empty_text_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="empty"):
        veracity.classify_techniques(text, [(0, 1)])


def test_layer_spans_are_valid_and_labelled_with_ptc_classes(tagged_layer) -> None:
    _doc, layer = tagged_layer
    assert layer.name == "techniques"
    assert layer.spans, "the model found no technique in an obviously loaded text"
    for span in layer.spans:
        assert span.label in LABELS
        assert 0.0 <= span.score <= 1.0
        assert 0 <= span.start < span.end <= len(TEXT)
        text = TEXT[span.start : span.end]
        assert text == text.strip() and text  # no leading/trailing whitespace
        assert not (span.start > 0 and TEXT[span.start - 1].isalnum() and TEXT[span.start].isalnum())
        assert not (span.end < len(TEXT) and TEXT[span.end].isalnum() and TEXT[span.end - 1].isalnum())


def test_layer_legend_and_summary(tagged_layer) -> None:
    _, layer = tagged_layer
    assert set(layer.data["legend"]) == set(LABELS) == set(DEFINITIONS)
    summary = layer.data["summary"]
    assert sum(summary["counts"].values()) == len(layer.spans) == summary["spans"]
    assert 0.0 < summary["sentences_with_technique_share"] <= 1.0


def test_empty_document_gives_an_empty_layer(model) -> None:
    doc = Document(" \n\n ")
    layer = TechniqueAnalyzer().analyze(doc)
    assert layer.spans == ()
    assert layer.data["summary"]["sentences_with_technique_share"] == 0.0


def test_long_article_spans_survive_window_seams(model) -> None:
    """A text many windows long: spans from every part, none broken at a seam into a word fragment."""
    long_text = "\n".join([TEXT] * 25)
    spans = model.tag(long_text)
    assert len(model.encode(long_text)[0]) > 3 * model.body
    starts = [s for s, *_ in spans]
    assert min(starts) < len(long_text) // 2 < max(starts)  # found on both sides of several window seams
    for s, e, *_ in spans:
        assert long_text[s:e] == long_text[s:e].strip()


def test_labels_match_the_dataset(shared_data: Path) -> None:
    labels_file = shared_data / "ptc-semeval2020-task11" / "train-task2-TC.labels"
    found = {line.split("\t")[1] for line in labels_file.read_text(encoding="utf-8").splitlines() if line}
    assert found == set(LABELS)


def test_windows_split_over_several_calls_match_one_call(model, monkeypatch) -> None:
    import veracity.analyzers.techniques as techniques

    ids, _ = model.encode("\n".join([TEXT] * 25))
    probs_one, hidden_one = model.token_outputs(ids)
    monkeypatch.setattr(techniques, "WINDOWS_PER_CALL", 2)
    probs_many, hidden_many = model.token_outputs(ids)
    assert probs_many.shape == probs_one.shape and hidden_many.shape == hidden_one.shape
    # int8 activations are quantised per call (scales shared by the windows of a call), so values move a little
    assert float(abs(probs_many - probs_one).mean()) < 0.03
    cosine = (
        (hidden_one * hidden_many).sum(1) / np.linalg.norm(hidden_one, axis=1) / np.linalg.norm(hidden_many, axis=1)
    )
    assert float(cosine.mean()) > 0.97


def test_dev_evaluation_runs_on_a_few_articles(shared_data: Path) -> None:
    from veracity.evaluation.techniques import evaluate

    result = evaluate("dev", shared_data / "ptc-semeval2020-task11", limit=3)
    assert result["articles"] == 3
    assert result["si"]["gold"] > 0
    assert 0.0 <= result["si"]["f1"] <= 1.0
    assert "full_task" not in result  # dev labels are hidden in this copy of PTC
    none = result["none"]
    assert none["sentences_without_technique"] > 0 and 0.0 <= none["none_share"] <= 1.0


def test_train_evaluation_scores_the_full_task(shared_data: Path) -> None:
    from veracity.evaluation.techniques import evaluate

    result = evaluate("train", shared_data / "ptc-semeval2020-task11", limit=2)
    full, si = result["full_task"], result["si"]
    assert full["gold"] >= si["gold"] > 0  # one gold span per technique, merged per technique only
    assert full["f1"] <= si["f1"]  # a right passage with a wrong label earns nothing in the full task
    assert result["tc"]["micro_f1_with_none"] <= result["tc"]["micro_f1"]


def test_one_span_per_passage_with_its_alternatives(tagged_layer) -> None:
    _, layer = tagged_layer
    spans = sorted(layer.spans, key=lambda s: s.start)
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start, f"{a} overlaps {b}"
    for span in spans:
        alternatives = span.attrs["alternatives"]
        assert len(alternatives) == 3 and span.label not in {label for label, _ in alternatives}
        assert all(p <= span.attrs["label_probability"] for _, p in alternatives)
        assert span.attrs["voice"] in {"writer", "quoted", "reported"}


@pytest.fixture(scope="session")
def seed_layer(seed_text: str):
    return _analyzed(seed_text)


def test_seed_spans_cross_no_blank_line_or_footnote_mark_and_keep_the_key_finding(seed_layer) -> None:
    doc, layer = seed_layer
    texts = [doc.text[s.start : s.end] for s in layer.spans]
    for t in texts:
        assert "\n" not in t and "*" not in t, t
    assert "a propaganda arm for the Nusra Front terror group" in texts


def test_seed_quoted_witness_is_marked_quoted_with_the_speaker(seed_layer) -> None:
    doc, layer = seed_layer
    quote = doc.text.index("This is the worst day of my life")
    inside = [s for s in layer.spans if s.start <= quote < s.end]
    assert inside, "the witness's words are no longer found"
    assert all(s.attrs["voice"] == "quoted" for s in inside)
    assert "White Helmets member" in inside[0].attrs["speaker"]


# A news report written for this test: the reporter's own sentences are neutral, the loaded words are the senators'.
QUOTED_ONLY = """Senate passes border funding bill after late-night vote

WASHINGTON — The Senate on Thursday approved a $12 billion border security package by a vote of 52 to 47, sending the measure to the House, where its prospects remain uncertain.

The bill would fund 2,000 additional border agents, new surveillance equipment and an expansion of immigration courts. It does not include money for a border wall.

Senator Mark Hollis, a Republican from Texas, said the vote was overdue. "This is an invasion, plain and simple, and these radical open-borders fanatics have been cheering it on for years," Hollis told reporters after the vote. "Every single day we wait, more American families are put in danger."

Democrats argued that the package leaned too heavily on enforcement. "This bill is a cruel, heartless attack on desperate children," said Senator Ana Ruiz of New Mexico. "Only a coward would vote for something this shameful."

The White House said in a statement that the president would sign the bill if it reached his desk in its current form.

The House is expected to take up the measure next week. A spokesperson for the House speaker said the chamber would review the bill before scheduling a vote.
"""


def test_techniques_only_in_quotes_give_the_writer_a_zero_density(model) -> None:
    _, layer = _analyzed(QUOTED_ONLY)
    assert layer.spans, "the senators' loaded words are no longer found"
    assert {s.attrs["voice"] for s in layer.spans} == {"quoted"}
    assert {s.attrs["speaker"] for s in layer.spans} <= {"Hollis", "Senator Ana Ruiz of New Mexico"}
    summary = layer.data["summary"]
    assert summary["writer_per_1000_words"] == 0.0 == summary["voices"]["writer"]["per_1000_words"]
    assert summary["voices"]["quoted"]["techniques"] == len(layer.spans)
    assert summary["voices"]["writer"]["words"] > summary["voices"]["quoted"]["words"] > 0
    assert summary["quoted_per_1000_words"] > 0
    assert "inside direct quotations" in summary["statement"]
