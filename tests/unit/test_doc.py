"""The document model: offsets checked at the one door, and lossless round trips through the JSON report."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veracity import Document, Layer, Relation, Report, Span
from veracity.errors import PipelineError, SchemaVersionError, SpanError


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    text = draw(st.text(min_size=1, max_size=300))
    n = len(text)
    raw = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(1, n), st.sampled_from(["a", "b", "Loaded_Language"])),
            max_size=12,
        )
    )
    spans = [(min(a, b), max(a, b), label) for a, b, label in raw if a != b]
    return text, spans


@settings(max_examples=150, deadline=None)
@given(text_and_spans())
def test_arbitrary_text_and_spans_round_trip_through_json(case: tuple[str, list[tuple[int, int, str]]]) -> None:
    text, raw = case
    doc = Document(text)
    doc.add_layer(Layer("things", [Span(s, e, label, score=0.5) for s, e, label in raw]))
    report = Report.from_document(doc)
    loaded = Report.from_json(report.to_json())
    assert loaded.document.text == text
    spans = loaded.layer("things").spans
    assert [(s.start, s.end, s.label) for s in spans] == raw
    for span in spans:
        assert text[span.start : span.end] == span.text
    rebuilt = loaded.to_document()
    assert [(s.start, s.end) for s in rebuilt.layer("things").spans] == [(s, e) for s, e, _ in raw]


@pytest.mark.parametrize("start,end", [(-1, 2), (0, 0), (3, 2), (0, 99), (1.0, 2)])
def test_door_refuses_bad_offsets(start: int, end: int) -> None:
    doc = Document("short text")
    with pytest.raises(SpanError, match="offsets"):
        doc.add_layer(Layer("x", [Span(start, end, "l")]))  # type: ignore[arg-type]
    assert not doc.has_layer("x")


def test_door_assigns_ids_and_checks_relations_and_nested_spans() -> None:
    doc = Document("Ann said it rains.")
    layer = doc.add_layer(
        Layer(
            "attributions",
            [Span(9, 17, "indirect", attrs={"source": {"start": 0, "end": 3}, "cue": {"start": 4, "end": 8}})],
            relations=[Relation("attributions/0", "sources/0", "said_by")],
        )
    )
    span = layer.spans[0]
    assert span.id == "attributions/0"
    assert span.attrs["source"]["text"] == "Ann" and span.attrs["cue"]["text"] == "said"
    with pytest.raises(SpanError, match="unknown span"):
        doc.add_layer(Layer("bad", [Span(0, 3, "x")], relations=[Relation("bad/7", "x", "r")]))
    with pytest.raises(SpanError, match="outside the text"):
        doc.add_layer(Layer("nested", [Span(0, 3, "x", attrs={"source": {"start": 5, "end": 500}})]))
    with pytest.raises(SpanError, match="does not match"):
        doc.add_layer(Layer("nested2", [Span(0, 3, "x", attrs={"source": {"start": 0, "end": 3, "text": "Bob"}})]))


def test_door_refuses_duplicates_and_bad_scores() -> None:
    doc = Document("abc def")
    doc.add_layer(Layer("x", [Span(0, 3, "l")]))
    with pytest.raises(PipelineError, match="already"):
        doc.add_layer(Layer("x", [Span(0, 3, "l")]))
    with pytest.raises(SpanError, match="score"):
        doc.add_layer(Layer("y", [Span(0, 3, "l", score=1.5)]))
    with pytest.raises(SpanError, match="two spans with id"):
        doc.add_layer(Layer("z", [Span(0, 3, "l", id="z/1"), Span(4, 7, "l", id="z/1")]))


def test_text_is_immutable_and_id_is_a_content_hash() -> None:
    a, b = Document("same text"), Document("same text")
    assert a.id == b.id and a.id.startswith("sha256:")
    assert Document("other").id != a.id
    with pytest.raises(AttributeError):
        a.text = "changed"  # type: ignore[misc]
    assert Document("x", id="custom-1").id == "custom-1"


def test_report_refuses_other_major_version_and_tampered_text() -> None:
    doc = Document("Hello world")
    doc.add_layer(Layer("x", [Span(0, 5, "greeting")]))
    data = Report.from_document(doc).to_dict()
    assert data["schema_version"] == "2.0"
    newer_minor = {**data, "schema_version": "2.7"}
    assert Report.from_dict(newer_minor).layer("x").spans[0].text == "Hello"
    older_major = {**data, "schema_version": "1.0"}  # 1.x reports stay readable
    assert Report.from_dict(older_major).layer("x").spans[0].text == "Hello"
    with pytest.raises(SchemaVersionError, match=r"3\.0"):
        Report.from_dict({**data, "schema_version": "3.0"})
    tampered = json.loads(json.dumps(data))
    tampered["layers"]["x"]["spans"][0]["text"] = "Jello"
    with pytest.raises(SpanError, match="does not match"):
        Report.from_dict(tampered)
