"""The claims analyzer and its scorer: one ranked span per sentence, scores in [0, 1], labels at the model threshold."""

from __future__ import annotations

import numpy as np
import pytest

from veracity.analyzers.claims import LEGEND, ClaimAnalyzer, ClaimScorer
from veracity.models import loading
from veracity.pipeline import Pipeline

ARTICLE = (
    "The unemployment rate fell to 3.5 percent in September, the lowest level since 1969.\n\n"
    "What a lovely morning it was.\n\n"
    "The senator voted against the bill 14 times, according to the congressional record. Thank you all for coming."
)


@pytest.fixture(scope="module")
def scorer() -> ClaimScorer:
    return ClaimScorer.shared()


@pytest.fixture(scope="module")
def report():
    return Pipeline(only=["sentences", "claims"]).run(ARTICLE)


def test_manifest_declares_threshold_and_files(scorer: ClaimScorer) -> None:
    info = loading.manifest("claims-minilm-l6-int8")
    assert 0.0 < info["threshold"] < 1.0 and info["max_tokens"] == scorer.max_tokens
    assert {"model.onnx", "tokenizer.json"} <= set(info["files"])
    total = sum(f["bytes"] for f in info["files"].values())
    assert total <= 25_000_000  # the size budget for this artifact


def test_score_texts_is_ordered_bounded_and_blank_is_zero(scorer: ClaimScorer) -> None:
    texts = ["What a lovely morning.", "", "Crime rose 20 percent in Chicago last year.", "  \n"]
    scores = scorer.score_texts(texts)
    assert scores.shape == (4,) and scores.dtype == np.float32
    assert scores[1] == 0.0 and scores[3] == 0.0
    assert np.all((scores >= 0) & (scores <= 1))
    assert scores[2] > scores[0]
    reversed_scores = scorer.score_texts(texts[::-1])[::-1]
    np.testing.assert_array_equal(scores, reversed_scores)  # a text's score never depends on its neighbours
    np.testing.assert_array_equal(scores[2:3], scorer.score_texts([texts[2]]))


def test_check_worthy_statements_outrank_chatter(scorer: ClaimScorer) -> None:
    claims = [
        "The new law cut taxes for 80 percent of working families.",
        "Vaccines have caused more deaths than the virus itself.",
        "China produces half of the world's steel.",
    ]
    chatter = ["Thank you so much, it's great to be here.", "I love this city.", "Good evening, everybody."]
    scores = scorer.score_texts(claims + chatter)
    assert scores[:3].min() > scores[3:].max()
    assert np.all(scores[:3] >= scorer.threshold) and np.all(scores[3:] < scorer.threshold)


def test_truncation_is_flagged(scorer: ClaimScorer) -> None:
    result = scorer.score(["Short claim about 5 percent growth.", "growth " * 600, "x" * 10_000])
    assert result.truncated.tolist() == [False, True, True]


def test_layer_has_one_ranked_span_per_sentence(report) -> None:
    sentences = report.layer("sentences").spans
    claims = report.layer("claims").spans
    assert [(c.start, c.end) for c in claims] == [(s.start, s.end) for s in sentences]
    assert [c.attrs["sentence"] for c in claims] == list(range(len(sentences)))
    assert sorted(c.attrs["rank"] for c in claims) == list(range(1, len(claims) + 1))
    by_rank = sorted(claims, key=lambda c: c.attrs["rank"])
    priorities = [c.attrs["priority"] for c in by_rank]
    assert priorities == sorted(priorities, reverse=True)
    for c in claims:  # the priority is the score, lowered only for reported speech and verbless fragments
        weight = (0.8 if c.attrs.get("reported") else 1.0) * (0.8 if c.attrs.get("fragment") else 1.0)
        assert c.attrs["priority"] == pytest.approx(c.score * weight, abs=1e-4)
    assert by_rank[0].text.startswith("The unemployment rate")
    reported = [c for c in claims if c.text.startswith("The senator voted")]
    assert reported and reported[0].attrs.get("reported") is True  # "according to the congressional record"
    threshold = report.summary["claims"]["threshold"]
    assert all(c.label == ("checkworthy" if c.score >= threshold else "not_checkworthy") for c in claims)


def test_layer_data_summary_legend_and_ranked_ids(report) -> None:
    layer = report.layers["claims"]
    claims = layer.spans
    summary = report.summary["claims"]
    assert summary["claims"] == len(claims)
    assert summary["checkworthy"] == sum(c.label == "checkworthy" for c in claims)
    assert set(layer.data["legend"]) == set(LEGEND) == {"checkworthy", "not_checkworthy"}
    ranked = layer.data["ranked"]
    assert ranked == [c.id for c in sorted(claims, key=lambda c: c.attrs["rank"])]


def test_batch_equals_single(report) -> None:
    from veracity.analyzers.sentences import SentenceAnalyzer
    from veracity.doc import Document

    docs = [Document(ARTICLE), Document("Prices rose 9 percent. Hello there.")]
    for doc in docs:
        doc.add_layer(SentenceAnalyzer().analyze(doc))
    analyzer = ClaimAnalyzer()
    batch = analyzer.analyze_batch(docs)
    single = [analyzer.analyze(doc) for doc in docs]
    for a, b in zip(batch, single, strict=True):
        assert [(s.start, s.end, s.label, s.attrs["rank"]) for s in a.spans] == [
            (s.start, s.end, s.label, s.attrs["rank"]) for s in b.spans
        ]
        assert a.provenance is not None and a.provenance.analyzer == "claims"


def test_empty_document_gives_empty_layer() -> None:
    from veracity.doc import Document, Layer

    doc = Document("   ")
    doc.add_layer(Layer("sentences", []))
    layer = ClaimAnalyzer().analyze(doc)
    assert layer.spans == () and layer.data["summary"]["claims"] == 0


def test_seed_article_top_five(seed_text: str) -> None:
    """The issue's acceptance check: the two central unsourced claims are among the five most check-worthy."""
    claims = Pipeline(only=["sentences", "claims"]).run(seed_text).layer("claims").spans
    top5 = [c.text for c in sorted(claims, key=lambda c: c.attrs["rank"])[:5]]
    assert any(t.startswith("US authorities have invited ISIS terrorists") for t in top5), top5
    assert any(t.startswith("Subsequent investigations have shown that the video was a fake") for t in top5), top5
