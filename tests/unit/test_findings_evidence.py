"""Evidence in the findings: passages to read, never "refuted by your corpus" while the stance model is untrusted."""

from __future__ import annotations

from pathlib import Path

from veracity.analyzers.base import BaseAnalyzer
from veracity.analyzers.evidence import EvidenceAnalyzer
from veracity.analyzers.findings import FindingsAnalyzer
from veracity.doc import Document, Layer, Relation, Span
from veracity.models.stance import StanceQuality, StanceResult
from veracity.pipeline import Pipeline
from veracity.report import Report
from veracity.stores.corpus import CorpusDocument, CorpusStore
from veracity.stores.testing import HashEmbedder

CLAIM = "Sea levels did not rise last century, the blog says."
TEXT = CLAIM + " It was sunny."


class SureRefutes:
    """A stance stand-in that is certain every passage refutes the claim (what the findings must not believe)."""

    def predict(self, pairs: list[tuple[str, str]]) -> list[StanceResult]:
        return [StanceResult("refutes", {"supports": 0.005, "refutes": 0.99, "not_enough_info": 0.005}) for _ in pairs]


def _doc() -> Document:
    doc = Document(TEXT, id="d1")
    n = len(CLAIM)
    doc.add_layer(Layer("sentences", [Span(0, n, "sentence"), Span(n + 1, len(TEXT), "sentence")]))
    doc.add_layer(Layer("claims", [Span(0, n, "checkworthy", 0.9, "claims/0", {"rank": 1})]))
    doc.add_layer(Layer("claim_sourcing", [Span(0, n, "sourced", None, "claim_sourcing/0", {"claim_id": "claims/0"})],
                        [Relation("claim_sourcing/0", "claims/0", "sourcing_of")]))  # fmt: skip
    doc.add_layer(Layer("sources", [], data={"summary": {"sources": []}}))
    doc.add_layer(Layer("factchecks", []))
    doc.add_layer(Layer("techniques", []))
    return doc


def _corpus(tmp_path: Path) -> CorpusStore:
    store = CorpusStore(tmp_path / "tides.sqlite3", embedder=HashEmbedder())
    store.add(
        [
            CorpusDocument("psmsl", "Sea levels rose last century by about 20 centimetres.", "Tide gauges"),
            CorpusDocument("ipcc", "Sea levels rose last century and the rise is accelerating.", "IPCC"),
        ]
    )
    return store


def test_untrusted_refutations_are_passages_to_read(tmp_path: Path) -> None:
    store = _corpus(tmp_path)
    doc = _doc()
    untrusted = StanceQuality(0.49, 0.41)
    doc.add_layer(EvidenceAnalyzer(store, SureRefutes(), untrusted).analyze(doc))
    findings = FindingsAnalyzer().analyze(doc).data["summary"]
    corpus = [f for f in findings if f["kind"] == "corpus_passages"]
    assert len(corpus) == 1 and corpus[0]["severity"] == "low" and corpus[0]["spans"] == ["claims/0"]
    n = len(doc.layers["evidence"].spans)
    assert n >= 1 and corpus[0]["message"].startswith(f"Your corpus tides has {n} passage")
    assert "to read about 1 claim: “Sea levels did not rise" in corpus[0]["message"]
    assert "cannot yet tell" in corpus[0]["message"]
    for f in findings:  # no finding counts or headlines refutations
        assert "refut" not in f["message"].lower() and "contradicted" not in f["message"].lower()
    report = Report.from_document(doc)
    assert "claims_refuted" not in report.summary["evidence"] and report.summary["evidence"]["stance_shown"] is False
    store.close()


def test_no_passages_no_finding() -> None:
    doc = _doc()
    doc.add_layer(Layer("evidence", [], data={"summary": {"passages": 0}}))
    assert not [f for f in FindingsAnalyzer().analyze(doc).data["summary"] if f["kind"] == "corpus_passages"]
    assert not [f for f in FindingsAnalyzer().analyze(_doc()).data["summary"] if f["kind"] == "corpus_passages"]


class _Make(BaseAnalyzer):
    version = "0"
    description = "test"

    def __init__(self, produces: str, requires: tuple[str, ...] = (), after: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.name = self.produces = produces
        self.requires = requires
        self.after = after

    def _analyze(self, doc: Document) -> Layer:
        return Layer(self.produces, [])


def test_an_optional_input_runs_first_when_present() -> None:
    """``after`` orders the findings after the evidence layer when the pipeline has one, and needs none."""
    reader = _Make("reader", requires=("base",), after=("optional",))
    pipeline = Pipeline([reader, _Make("base"), _Make("optional", requires=("base",))])
    assert [a.produces for a in pipeline.analyzers] == ["base", "optional", "reader"]
    alone = Pipeline([_Make("reader", requires=("base",), after=("optional",)), _Make("base")])
    assert [a.produces for a in alone.analyzers] == ["base", "reader"]
    assert FindingsAnalyzer.after == ("evidence",)
