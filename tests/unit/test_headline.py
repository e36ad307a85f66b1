"""A given title is analysed with the body: it opens the text once, meta says where, and findings point into it."""

from __future__ import annotations

from veracity.analyzers.findings import FindingsAnalyzer
from veracity.doc import Document, Layer, Relation, Span
from veracity.ingest import to_document
from veracity.ingest.sources import with_headline

BODY = "The council met on Monday. The mayor said the budget grew."


def test_a_title_opens_the_text_and_meta_says_where_the_body_starts() -> None:
    doc = to_document(text=BODY, title="  Mayor admits   secret plan ")
    assert doc.text == "Mayor admits secret plan\n\n" + BODY
    assert doc.meta["headline"] == {"start": 0, "end": 24} and doc.meta["body_start"] == 26
    assert doc.text[doc.meta["body_start"] :] == BODY


def test_a_text_that_already_opens_with_its_title_is_not_given_it_twice() -> None:
    text = "Mayor admits secret plan\n\n" + BODY
    doc = to_document(text=text, title="Mayor admits secret plan")
    assert doc.text == text and doc.meta["headline"] == {"start": 0, "end": 24} and doc.meta["body_start"] == 0


def test_no_title_leaves_the_text_alone() -> None:
    doc = to_document(text=BODY)
    assert doc.text == BODY and "headline" not in doc.meta
    assert with_headline(doc, None) is doc


def _doc_with_layers(title: str) -> Document:
    doc = to_document(text=BODY, title=title)
    n = len(title)
    doc.add_layer(Layer("sentences", [Span(0, n, "sentence")]))
    doc.add_layer(Layer("claims", [Span(0, n, "checkworthy", 0.9, "claims/0", {"rank": 1})]))
    doc.add_layer(Layer("claim_sourcing", [Span(0, n, "unsourced", None, "claim_sourcing/0", {"claim_id": "claims/0"})],
                        [Relation("claim_sourcing/0", "claims/0", "sourcing_of")]))  # fmt: skip
    doc.add_layer(Layer("sources", [], data={"summary": {"sources": []}}))
    doc.add_layer(Layer("factchecks", []))
    doc.add_layer(Layer("techniques", [Span(0, 7, "Name_Calling,Labeling", 0.8, "techniques/0")]))
    return doc


def test_an_unsourced_loaded_headline_is_a_finding_that_points_into_it() -> None:
    doc = _doc_with_layers("Traitor mayor admits secret plan")
    findings = FindingsAnalyzer().analyze(doc).data["summary"]
    headline = next(f for f in findings if f["kind"] == "headline")
    assert headline["severity"] == "high" and "Traitor mayor admits secret plan" in headline["message"]
    assert headline["spans"] == ["claims/0", "techniques/0"]
