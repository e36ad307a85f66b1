"""The evidence analyzer: passages with stance and provenance under each check-worthy claim; a note without a corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from veracity.analyzers.evidence import NO_CORPUS_MESSAGE, EvidenceAnalyzer
from veracity.doc import Document, Layer, Span
from veracity.models.stance import StanceQuality, StanceResult, stance_quality
from veracity.stores.corpus import CorpusDocument, CorpusStore
from veracity.stores.testing import HashEmbedder

TEXT = "The mayor said sea levels rose by 20 centimetres last century. It was sunny."


class WordStance:
    """Refutes when the passage says 'not', supports otherwise (a stand-in for the model's maths only)."""

    def predict(self, pairs: list[tuple[str, str]]) -> list[StanceResult]:
        out = []
        for _, passage in pairs:
            label = "refutes" if " not " in f" {passage} " else "supports"
            scores = {"supports": 0.1, "refutes": 0.1, "not_enough_info": 0.1}
            scores[label] = 0.8
            out.append(StanceResult(label, scores))
        return out


def claimed() -> Document:
    doc = Document(TEXT, id="a1")
    end = TEXT.index(" It was")
    doc.add_layer(
        Layer(
            "claims", [Span(0, end, "checkworthy", 0.9, "claims/0"), Span(end + 1, len(TEXT), "other", 0.1, "claims/1")]
        )
    )
    return doc


def corpus(tmp_path: Path) -> CorpusStore:
    s = CorpusStore(tmp_path / "c.sqlite3", embedder=HashEmbedder())
    s.add(
        [
            CorpusDocument(
                "tide-gauges",
                "Sea levels rose by 20 centimetres last century, tide gauges show.",
                "Tide gauges",
                "https://example.org/tides",
                "2021-05-01",
            ),
            CorpusDocument("contrarian", "Sea levels did not rise last century at all.", "Blog"),
            CorpusDocument("unrelated", "Bananas are rich in potassium and fibre.", "Fruit"),
        ]
    )
    return s


TRUSTED = StanceQuality(0.80, 0.70)
UNTRUSTED = StanceQuality(0.49, 0.41)


def test_passages_with_stance_and_provenance(tmp_path: Path) -> None:
    """A stance model that clears the bars: spans labelled with stance, claims counted as supported/refuted."""
    analyzer = EvidenceAnalyzer(corpus=corpus(tmp_path), stance_model=WordStance(), stance_quality=TRUSTED)
    doc = claimed()
    layer = doc.add_layer(analyzer.analyze(doc))
    by_doc: dict[str, Any] = {s.attrs["doc_id"]: s for s in layer.spans}
    assert set(by_doc) == {"tide-gauges", "contrarian"}  # the unrelated passage is below MIN_COSINE
    tide = by_doc["tide-gauges"]
    assert (tide.start, tide.end, tide.label) == (0, TEXT.index(" It was"), "supports")
    assert tide.attrs["url"] == "https://example.org/tides" and tide.attrs["date"] == "2021-05-01"
    assert tide.attrs["passage"].startswith("Sea levels rose") and tide.attrs["passage_start"] == 0
    assert by_doc["contrarian"].label == "refutes"
    assert {r.tail_id for r in layer.relations} == {"claims/0"}
    assert layer.data["summary"] == {
        "claims_searched": 1,
        "claims_with_evidence": 1,
        "claims_supported": 1,
        "claims_refuted": 1,
        "passages": 2,
        "stance_shown": True,
    }
    batch = analyzer.analyze_batch([claimed(), claimed()])
    assert [len(b.spans) for b in batch] == [2, 2]


def test_an_untrusted_stance_model_gives_passages_to_read(tmp_path: Path) -> None:
    """Below the bars no span says supports/refutes and nothing counts claims refuted; the label stays a hint."""
    analyzer = EvidenceAnalyzer(corpus=corpus(tmp_path), stance_model=WordStance(), stance_quality=UNTRUSTED)
    doc = claimed()
    layer = doc.add_layer(analyzer.analyze(doc))
    assert {s.label for s in layer.spans} == {"passage"}
    hints = {s.attrs["doc_id"]: s.attrs["stance_hint"] for s in layer.spans}
    assert hints == {"tide-gauges": "supports", "contrarian": "refutes"}
    for span in layer.spans:  # scored by similarity to the claim, not by a stance probability
        assert span.score == round(span.attrs["cosine"], 4)
    assert layer.data["summary"] == {
        "claims_searched": 1,
        "claims_with_evidence": 1,
        "passages": 2,
        "stance_shown": False,
    }
    assert "not verdicts" in layer.data["stance_caveat"] and "0.49" in layer.data["stance_caveat"]
    assert set(layer.data["legend"]) == {"passage"}


def test_the_shipped_stance_model_is_not_trusted_at_its_measured_numbers() -> None:
    """The shipped head scores 0.49 on FEVER-Symmetric dev (chance 0.50): it must not clear the bars."""
    q = stance_quality()
    assert q.fever_symmetric is not None and q.fever_symmetric < 0.75
    assert not q.trusted
    assert StanceQuality(0.76, 0.61).trusted and not StanceQuality(0.76, None).trusted
    assert not StanceQuality(0.74, 0.9).trusted and not StanceQuality(0.9, 0.59).trusted


def test_no_corpus_is_one_note_and_nothing_else() -> None:
    class Nothing:
        pass

    analyzer = EvidenceAnalyzer.from_services(Nothing())
    layer = analyzer.analyze(claimed())
    assert list(layer.spans) == [] and layer.data["notes"] == [NO_CORPUS_MESSAGE]
    assert layer.data["summary"]["claims_searched"] == 1


def test_evidence_shows_under_its_claim_in_every_face() -> None:
    """The view model joins evidence spans to their claim; text, HTML and Markdown list the passage under it."""
    from veracity.doc import Document, Layer, Relation, Span
    from veracity.report import Report
    from veracity.report.render import render
    from veracity.report.view import build_view

    text = "Sea level rise is not accelerating."
    doc = Document(text)
    doc.add_layer(Layer("claims", [Span(0, len(text), "checkworthy", 0.9, "claims/0", {"rank": 1})]))
    attrs = {
        "claim_id": "claims/0",
        "passage": "Global sea level rise is accelerating.",
        "title": "IPCC",
        "url": "https://x.org",
    }
    doc.add_layer(Layer("evidence", [Span(0, len(text), "refutes", 0.66, "evidence/0", attrs)],
                        [Relation("evidence/0", "claims/0", "evidence_for")]))  # fmt: skip
    report = Report.from_document(doc)
    claim = build_view(report).claims[0]
    assert [(e.stance, e.title) for e in claim.evidence] == [("refutes", "IPCC")]
    for fmt in ("html", "md"):
        assert "Global sea level rise is accelerating" in render(report, fmt)
    assert "refutes: Global sea" in render(report, "text")  # the terminal table cell wraps the rest
    # an untrusted model's span ("passage") reads as a passage to read in every face
    doc2 = Document(text)
    doc2.add_layer(Layer("claims", [Span(0, len(text), "checkworthy", 0.9, "claims/0", {"rank": 1})]))
    doc2.add_layer(Layer("evidence", [Span(0, len(text), "passage", 0.7, "evidence/0", attrs)],
                         [Relation("evidence/0", "claims/0", "evidence_for")]))  # fmt: skip
    report2 = Report.from_document(doc2)
    assert [e.stance for e in build_view(report2).claims[0].evidence] == ["passage to read"]
    for fmt in ("html", "md"):
        out = render(report2, fmt)
        assert "passage to read" in out and "refutes" not in out
