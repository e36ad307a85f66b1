"""The output folder without models: resume bookkeeping on damaged files, refusals, and the Parquet tables."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from veracity.batch.output import OutputDir, write_tables
from veracity.errors import UsageError
from veracity.ingest import from_text
from veracity.pipeline import Pipeline
from veracity.report import Report

INFO = {"input": "/x/corpus.jsonl", "layers": ["toy"], "text_field": None, "id_field": "id"}


def _report_line(doc_id: str, text: str) -> str:
    from veracity.doc import Layer, Span

    class Toy:
        name = produces = "toy"
        version = "1"
        requires: tuple[str, ...] = ()

        def load(self) -> None:
            pass

        def analyze(self, doc):  # type: ignore[no-untyped-def]
            return Layer("toy", [Span(0, 4, "first", 0.5, attrs={"k": 1})], data={"summary": {"n": 1}})

    report: Report = Pipeline([Toy()]).run(from_text(text, id=doc_id, title="T"))
    return json.dumps(report.to_dict(), separators=(",", ":"))


def test_resume_cuts_a_truncated_last_line_and_reads_ids(tmp_path: Path) -> None:
    reports = tmp_path / "reports.jsonl"
    error = json.dumps({"id": "bad", "error": {"type": "InputError", "message": "m"}})
    reports.write_text(_report_line("a", "Some text.") + "\n" + error + "\n" + '{"schema_version": "1.0", "gen')
    out = OutputDir(tmp_path, resume=True, run_info=INFO)
    assert out.done == {"a", "bad"}
    assert out.previous == {"documents": 1, "errors": 1}
    assert reports.read_text().endswith(error + "\n")
    out.append(['{"id": "c", "error": {"type": "X", "message": "y"}}'])
    out.close()
    assert [json.loads(line).get("id") for line in reports.read_text().splitlines()][1:] == ["bad", "c"]


def test_a_file_holding_only_half_a_line_resumes_from_nothing(tmp_path: Path) -> None:
    (tmp_path / "reports.jsonl").write_text('{"schema_ver')
    assert OutputDir(tmp_path, resume=True, run_info=INFO).done == set()
    assert (tmp_path / "reports.jsonl").read_bytes() == b""


def test_refusals(tmp_path: Path) -> None:
    (tmp_path / "reports.jsonl").write_text('{"id": "a", "error": {"type": "X", "message": "y"}}\n')
    with pytest.raises(UsageError, match="already holds results; pass --resume"):
        OutputDir(tmp_path, resume=False, run_info=INFO)
    (tmp_path / "run.json").write_text(json.dumps({**INFO, "layers": ["other"]}))
    with pytest.raises(UsageError, match="cannot resume: layers"):
        OutputDir(tmp_path, resume=True, run_info=INFO)
    (tmp_path / "f").write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        OutputDir(tmp_path / "f", resume=False, run_info=INFO)
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "reports.jsonl").write_text('{"id": "a", "error": {}}\nnot json\n{"id": "b", "error": {}}\n')
    with pytest.raises(UsageError, match="line 2 is not valid JSON"):
        OutputDir(damaged, resume=True, run_info=INFO)


def test_tables_from_reports(tmp_path: Path) -> None:
    lines = [
        _report_line("a", "Some text here."),
        json.dumps({"id": "bad", "error": {"type": "EmptyInputError", "message": "empty"}}),
        _report_line("b", "More text there."),
    ]
    (tmp_path / "reports.jsonl").write_text("\n".join(lines) + "\n")
    assert write_tables(tmp_path, ["toy"]) == (3, 2)
    docs = pq.read_table(tmp_path / "documents.parquet").to_pylist()
    assert [(d["id"], d["status"], d["n_toy"], d["error_type"]) for d in docs] == [
        ("a", "ok", 1, None),
        ("bad", "error", None, "EmptyInputError"),
        ("b", "ok", 1, None),
    ]
    assert docs[0]["title"] == "T" and docs[0]["chars"] == len("Some text here.")
    assert json.loads(docs[0]["summary"])["toy"] == {"n": 1}
    spans = pq.read_table(tmp_path / "spans.parquet").to_pylist()
    assert spans[1] == {
        "doc_id": "b",
        "layer": "toy",
        "span_id": "toy/0",
        "label": "first",
        "score": 0.5,
        "start": 0,
        "end": 4,
        "text": "More",
        "attrs": '{"k":1}',
    }
    assert not list(tmp_path.glob("*.tmp"))
