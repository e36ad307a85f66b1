"""The committed JSON Schema is exactly what the report model generates, and reports validate against it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

import veracity
from veracity import Document, Layer, Report, Span
from veracity.cli import main

SCHEMA_FILE = Path(veracity.__file__).parent / "report" / "schema.json"


def test_committed_schema_matches_the_model() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == Report.json_schema(), (
        "schema.json is stale: run `veracity schema -o src/veracity/report/schema.json`"
    )


def test_cli_prints_the_same_schema(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == Report.json_schema()


def test_reports_validate_and_invalid_ones_do_not() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    doc = Document("Alpha beta.", meta={"title": "T", "url": "https://example.org/a"})
    doc.add_layer(Layer("x", [Span(0, 5, "word", score=0.25, attrs={"k": [1, 2]})]))
    data = Report.from_document(doc).to_dict()
    jsonschema.validate(data, schema)
    bad = json.loads(json.dumps(data))
    bad["layers"]["x"]["spans"][0]["score"] = 3
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("a score of 3 must not validate")
