"""Corpus readers: every input format, field mapping, ids, and bad records that become error records (no models)."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.batch.conftest import corpus_rows, write_jsonl
from veracity.batch.process import Worker, WorkerSpec
from veracity.batch.records import open_records
from veracity.config import Settings
from veracity.doc import content_id
from veracity.errors import InputError, UnsupportedInputError, UsageError


def test_jsonl_records_keep_ids_meta_and_order(jsonl_corpus: Path) -> None:
    records = list(open_records(jsonl_corpus))
    rows = corpus_rows()
    assert [r.id for r in records] == [row["id"] for row in rows]
    assert all(r.kind == "text" for r in records)
    assert records[3].content == rows[3]["text"]
    assert records[3].meta == {"title": rows[3]["title"], "published": rows[3]["published"]}


def test_jsonl_without_id_uses_content_hash_and_url_and_defers_html(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [
            {"text": "Plain text article."},
            {"url": "https://example.org/story"},
            {"html": "<html><body><p>Some article.</p></body></html>"},
        ],
    )
    text, url, html = open_records(path)
    assert text.id == content_id("Plain text article.")
    assert url.kind == "url" and url.id == "https://example.org/story"
    assert html.kind == "html" and html.id is None  # hash of the extracted text, known after extraction


def test_jsonl_bad_lines_become_error_records(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(
        b'{"id": "ok", "text": "Fine."}\n{"id": "cut", "te\n\n[1, 2]\n{"id": "x", "body": "no text"}\n\xff\xfe\n'
    )
    records = list(open_records(path))
    assert [r.kind for r in records] == ["text", "error", "error", "error", "error"]
    assert [r.id for r in records[1:]] == ["c.jsonl:2", "c.jsonl:4", "x", "c.jsonl:6"]
    assert "not valid JSON" in str(records[1].content)
    assert "'text', 'html' or 'url'" in str(records[3].content)
    assert records[4].error_type == "DecodingError"


def test_field_mapping_for_csv_and_parquet(tmp_path: Path) -> None:
    rows = [{"doc": f"n{i}", "body": row["text"], "title": row["title"]} for i, row in enumerate(corpus_rows(3))]
    csv_path = tmp_path / "c.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["doc", "body", "title"])
        writer.writeheader()
        writer.writerows(rows)
    pq_path = tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pylist(rows), pq_path)
    for path in (csv_path, pq_path):
        records = list(open_records(path, text_field="body", id_field="doc"))
        assert [(r.id, r.content, r.meta["title"]) for r in records] == [
            (r["doc"], r["body"], r["title"]) for r in rows
        ]


def test_parquet_integer_ids_become_strings(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"id": [7, 8], "text": ["One.", "Two."]}), path)
    assert [r.id for r in open_records(path)] == ["7", "8"]


def test_mapped_field_missing_from_table_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,text\n1,hello\n", encoding="utf-8")
    with pytest.raises(UsageError, match="--text-field 'body'"):
        open_records(path, text_field="body")
    with pytest.raises(UsageError, match="no text, html or url column"):
        (tmp_path / "d.csv").write_text("id,body\n1,hello\n", encoding="utf-8")
        open_records(tmp_path / "d.csv")


def test_folder_ids_are_relative_paths_and_oversized_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.txt").write_text("Second.", encoding="utf-8")
    (tmp_path / "a.html").write_text("<html><body><p>First.</p></body></html>", encoding="utf-8")
    (tmp_path / "sub" / "c.txt").write_text("x" * 200, encoding="utf-8")
    (tmp_path / ".hidden").write_text("skip me", encoding="utf-8")
    records = list(open_records(tmp_path, max_bytes=100))
    assert [r.id for r in records] == ["a.html", "b.txt", "sub/c.txt"]
    assert [r.kind for r in records] == ["file", "file", "error"]
    assert records[2].error_type == "InputTooLargeError"


def test_unknown_input_kinds_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedInputError, match="not a corpus"):
        (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
        open_records(tmp_path / "x.pdf")
    with pytest.raises(InputError, match="does not exist"):
        open_records(tmp_path / "missing.jsonl")


def test_count_matches_the_records(tmp_path: Path, jsonl_corpus: Path) -> None:
    assert open_records(jsonl_corpus).count() == len(corpus_rows())
    pq.write_table(pa.Table.from_pylist(corpus_rows(5)), tmp_path / "c.parquet")
    assert open_records(tmp_path / "c.parquet").count() == 5


def test_worker_turns_unreadable_records_into_error_lines_without_models(tmp_path: Path) -> None:
    """A binary file, an empty document and a broken line each give one error line; the others are analysed."""
    (tmp_path / "good.txt").write_text("A short article about Paris.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    (tmp_path / "blob.txt").write_bytes(bytes(range(256)) * 4)
    worker = Worker(WorkerSpec(only=("sentences",), settings=Settings()), load=False)
    worker.pipeline.analyzers = []  # no models: only the reading path is under test here
    results = worker.process(list(open_records(tmp_path)))
    by_id = {r.id: r for r in results}
    assert set(by_id) == {"good.txt", "empty.txt", "blob.txt"}
    assert not by_id["good.txt"].error
    assert by_id["empty.txt"].error and "InputError" in by_id["empty.txt"].line
    assert by_id["blob.txt"].error and "UnsupportedInputError" in by_id["blob.txt"].line
