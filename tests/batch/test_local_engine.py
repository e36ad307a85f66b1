"""The local engine end to end: every input format, bad records, duplicates, resume, tables and the README's query.

Each corpus is run once per module (worker start-up loads spaCy) and several tests read the same output.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.batch.conftest import ONLY, comparable, corpus_rows, line_id, read_output, write_jsonl
from veracity.batch import BatchSummary, run_batch
from veracity.errors import UsageError

pytestmark = pytest.mark.slow

HTML = "<html><head><title>Harbour news</title></head><body><article><p>The port of Rotterdam handled a record volume of containers last year, officials said.</p></article></body></html>"


README_QUERY = """
SELECT s.label, count(*) AS spans, count(DISTINCT s.doc_id) AS documents
FROM 'results/spans.parquet' s JOIN 'results/documents.parquet' d ON d.id = s.doc_id
WHERE s.layer = 'entities' AND d.status = 'ok'
GROUP BY s.label ORDER BY spans DESC, s.label;
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same rows as JSONL (2 workers), CSV and Parquet (1 worker each), plus a JSONL with bad records."""
    root = tmp_path_factory.mktemp("batch")
    rows = corpus_rows()
    inputs = {"jsonl": write_jsonl(root / "corpus.jsonl", rows)}
    with (root / "corpus.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    inputs["csv"] = root / "corpus.csv"
    pq.write_table(pa.Table.from_pylist(rows), root / "corpus.parquet")
    inputs["parquet"] = root / "corpus.parquet"
    messy = [
        rows[0],
        '{"id": "broken", "text": "cut off',
        {"id": "empty", "text": ""},
        {"html": HTML, "published": "2024-01-02"},
        rows[1],
        {**rows[1], "text": "A different text under a duplicate id."},
        {"text": rows[2]["text"]},  # no id: the content hash
    ]
    inputs["messy"] = write_jsonl(root / "messy.jsonl", messy)
    folder = root / "articles"
    (folder / "more").mkdir(parents=True)
    for row in rows[:3]:
        (folder / f"{row['id']}.txt").write_text(row["text"], encoding="utf-8")
    (folder / "more" / "port.html").write_text(HTML, encoding="utf-8")
    (folder / "empty.txt").write_text("\n", encoding="utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    inputs["folder"] = folder
    out: dict[str, Any] = {"root": root, "inputs": inputs, "rows": rows}
    progress = io.StringIO()
    quiet = io.StringIO()
    out["jsonl"] = run_batch(inputs["jsonl"], root / "out-jsonl", only=ONLY, workers=2, progress=True, stream=progress)
    out["csv"] = run_batch(inputs["csv"], root / "out-csv", only=ONLY, workers=1, stream=quiet)
    out["parquet"] = run_batch(inputs["parquet"], root / "out-parquet", only=ONLY, workers=1, chunk_size=3)
    out["messy"] = run_batch(inputs["messy"], root / "out-messy", only=ONLY, workers=1)
    out["folder"] = run_batch(inputs["folder"], root / "out-folder", only=ONLY, workers=1)
    out["progress"], out["quiet"] = progress.getvalue(), quiet.getvalue()
    return out


def test_every_input_format_gives_the_same_reports(runs: dict[str, Any]) -> None:
    root = runs["root"]
    outputs = {fmt: [comparable(o) for o in read_output(root / f"out-{fmt}")] for fmt in ("jsonl", "csv", "parquet")}
    assert [line_id(o) for o in outputs["jsonl"]] == [r["id"] for r in runs["rows"]]  # input order
    assert outputs["csv"] == outputs["jsonl"]
    assert outputs["parquet"] == outputs["jsonl"]
    first = outputs["jsonl"][0]
    assert set(first["layers"]) == set(ONLY)
    assert first["document"]["meta"]["title"] == runs["rows"][0]["title"]
    # a record's title is analysed with its text (it opens the document; meta.body_start says where the text starts)
    row = runs["rows"][0]
    assert first["document"]["text"] == f"{row['title']}\n\n{row['text']}"
    assert first["document"]["text"][first["document"]["meta"]["body_start"] :] == row["text"]


def test_summary_counts_and_files(runs: dict[str, Any]) -> None:
    summary: BatchSummary = runs["jsonl"]
    n = len(runs["rows"])
    assert (summary.reports, summary.errors, summary.interrupted, summary.workers) == (n, 0, None, 2)
    assert summary.total_in_output == summary.document_rows == n
    saved = json.loads((runs["root"] / "out-jsonl" / "summary.json").read_text())
    assert saved["documents"] == n and saved["rate"] > 0
    assert "veracity batch done: 8 documents" in summary.line()


def test_progress_only_when_asked_or_on_a_terminal(runs: dict[str, Any]) -> None:
    assert "8/8" in runs["progress"] and "docs/s" in runs["progress"]
    assert runs["quiet"] == ""


def test_bad_records_become_error_records_and_the_run_goes_on(runs: dict[str, Any]) -> None:
    lines = read_output(runs["root"] / "out-messy")
    ids = [line_id(o) for o in lines]
    assert len(ids) == len(set(ids)) == 6  # the duplicate id is skipped, everything else is there once
    errors = {o["id"]: o["error"] for o in lines if "error" in o}
    assert set(errors) == {"messy.jsonl:2", "empty"}
    assert errors["messy.jsonl:2"]["type"] == "InputError" and "line 2" in errors["messy.jsonl:2"]["message"]
    assert errors["empty"]["type"] == "EmptyInputError"
    html = next(o for o in lines if "error" not in o and "Rotterdam" in o["document"]["text"])
    assert html["document"]["id"].startswith("sha256:")
    assert html["document"]["meta"]["published"] == "2024-01-02"
    kept = next(o for o in lines if line_id(o) == runs["rows"][1]["id"])
    assert kept["document"]["text"].endswith(runs["rows"][1]["text"])  # the first of two records with one id wins
    summary: BatchSummary = runs["messy"]
    assert (summary.reports, summary.errors, summary.duplicates) == (4, 2, 1)


def test_folder_of_files_with_an_empty_and_a_binary_file(runs: dict[str, Any]) -> None:
    lines = {line_id(o): o for o in read_output(runs["root"] / "out-folder")}
    rows = runs["rows"]
    assert list(lines) == ["a00.txt", "a01.txt", "a02.txt", "empty.txt", "image.txt", "more/port.html"]
    assert lines["empty.txt"]["error"]["type"] == "InputError"
    assert lines["image.txt"]["error"]["type"] == "UnsupportedInputError"
    assert "PNG" in lines["image.txt"]["error"]["message"]
    assert lines["a01.txt"]["document"]["text"] == rows[1]["text"]
    jsonl = {line_id(o): comparable(o) for o in read_output(runs["root"] / "out-jsonl")}
    # the JSONL record also has a title, analysed before its text: the file's sentences are the record's last ones
    file_sentences = [s["text"] for s in comparable(lines["a01.txt"])["layers"]["sentences"]["spans"]]
    record_sentences = [s["text"] for s in jsonl["a01"]["layers"]["sentences"]["spans"]]
    assert record_sentences[-len(file_sentences) :] == file_sentences
    html = lines["more/port.html"]["document"]
    assert "Rotterdam" in html["text"] and "<p>" not in html["text"]
    assert (runs["folder"].reports, runs["folder"].errors) == (4, 2)


def test_parquet_tables_hold_one_row_per_document_and_per_span(runs: dict[str, Any]) -> None:
    out = runs["root"] / "out-messy"
    docs = pq.read_table(out / "documents.parquet").to_pylist()
    spans = pq.read_table(out / "spans.parquet").to_pylist()
    lines = read_output(out)
    assert [d["id"] for d in docs] == [line_id(o) for o in lines]
    by_id = {d["id"]: d for d in docs}
    assert by_id["empty"]["status"] == "error" and by_id["empty"]["error_type"] == "EmptyInputError"
    report = next(o for o in lines if "error" not in o)
    doc_id = report["document"]["id"]
    assert by_id[doc_id]["n_entities"] == len(report["layers"]["entities"]["spans"])
    assert json.loads(by_id[doc_id]["summary"]) == report["summary"]
    mine = [s for s in spans if s["doc_id"] == doc_id and s["layer"] == "entities"]
    text = report["document"]["text"]
    assert [(s["start"], s["end"], s["label"]) for s in mine] == [
        (s["start"], s["end"], s["label"]) for s in report["layers"]["entities"]["spans"]
    ]
    assert all(text[s["start"] : s["end"]] == s["text"] for s in mine)
    assert len(spans) == sum(len(layer["spans"]) for o in lines if "error" not in o for layer in o["layers"].values())


def test_documented_duckdb_query(runs: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The query printed in the README, verbatim, runs on the output and agrees with the JSONL."""
    duckdb = pytest.importorskip("duckdb", reason="duckdb is in the test extra: pip install -e '.[test]'")
    out = tmp_path / "results"
    shutil.copytree(runs["root"] / "out-jsonl", out)
    monkeypatch.chdir(tmp_path)
    rows = duckdb.sql(README_QUERY).fetchall()
    expected: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for o in read_output(out):
        for span in o["layers"]["entities"]["spans"]:
            counts[span["label"]] = counts.get(span["label"], 0) + 1
            expected.setdefault(span["label"], set()).add(o["document"]["id"])
    assert {label: (n, docs) for label, n, docs in rows} == {k: (counts[k], len(v)) for k, v in expected.items()}


def test_resume_cuts_a_truncated_line_and_writes_each_document_once(runs: dict[str, Any], tmp_path: Path) -> None:
    """A run that died after three documents and half a line: resume finishes with every id exactly once."""
    full = runs["root"] / "out-jsonl"
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(full / "run.json", out / "run.json")
    lines = (full / "reports.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "reports.jsonl").write_text("".join(lines[:3]) + lines[3][:50], encoding="utf-8")
    with pytest.raises(UsageError, match="--resume"):
        run_batch(runs["inputs"]["jsonl"], out, only=ONLY, workers=1)
    summary = run_batch(runs["inputs"]["jsonl"], out, only=ONLY, workers=1, resume=True)
    assert (summary.skipped_done, summary.documents) == (3, len(runs["rows"]) - 3)
    resumed = [comparable(o) for o in read_output(out)]
    assert resumed == [comparable(o) for o in read_output(full)]
    with pytest.raises(UsageError, match="layers"):
        run_batch(runs["inputs"]["jsonl"], out, only=["sentences"], workers=1, resume=True)
