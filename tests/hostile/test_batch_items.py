"""Issue 23, batch cases: one bad item must not take the others down (items 4 and 9 of the batch runner).

Each test names its case. Runs use the sentences layer only and one worker, to stay quick.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.batch.conftest import line_id, read_output
from veracity.batch import run_batch
from veracity.batch.records import open_records

ONLY = ["sentences"]
GOOD = "Officials in Lisbon said the harbour bridge will reopen in May. Traffic has doubled since March."


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.slow
def test_jsonl_lone_surrogate_is_an_error_record_and_resume_works(tmp_path: Path) -> None:
    """Case 4 (lone surrogate): a JSONL row whose text, id or title holds "\\ud800" (valid JSON) becomes that row's
    error record; every valid row of the same chunk is written, and --resume finishes without failing again."""
    corpus = _write(
        tmp_path / "c.jsonl",
        [
            json.dumps({"id": "ok1", "text": GOOD}),
            json.dumps({"id": "bad-text", "text": "Broken \ud800 text here. It goes on."}),
            json.dumps({"id": "ok2", "text": GOOD + " Second."}),
            json.dumps({"id": "bad-\udc00-id", "text": GOOD + " Third."}),
            json.dumps({"text": "No id and a lone \udfff surrogate."}),
            json.dumps({"id": "bad-title", "title": "T\ud83d", "text": GOOD + " Fourth."}),
            json.dumps({"id": "ok3", "text": GOOD + " Fifth."}),
        ],
    )
    out = tmp_path / "out"
    summary = run_batch(corpus, out, only=ONLY, workers=1, chunk_size=16)
    lines = read_output(out)
    by_id = {line_id(o): o for o in lines}
    assert {"ok1", "ok2", "ok3"} <= {i for i, o in by_id.items() if "error" not in o}
    errors = [o for o in lines if "error" in o]
    assert len(errors) == 4 and all("surrogate" in o["error"]["message"] for o in errors)
    assert (summary.reports, summary.errors) == (3, 4)
    again = run_batch(corpus, out, only=ONLY, workers=1, resume=True)
    assert (again.documents, again.skipped_done) == (0, 7)
    assert len(read_output(out)) == 7


def test_csv_unterminated_quote_is_one_error_not_merged_rows(tmp_path: Path) -> None:
    """Case 9 (CSV unterminated quote): the broken row is an error record; the rows after it are read as rows."""
    corpus = tmp_path / "c.csv"
    corpus.write_text(
        "id,text\n"
        'r1,"A proper, quoted text."\n'
        'r2,"An unterminated quote swallows what follows\n'
        "r3,A plain third row.\n"
        'r4,"A quoted ""fourth"" row, with a comma."\n'
        'r5,"A quoted\nmulti-line fifth row."\n',
        encoding="utf-8",
    )
    records = list(open_records(corpus))
    ok = {r.id: r.content for r in records if r.kind == "text"}
    assert ok == {
        "r1": "A proper, quoted text.",
        "r3": "A plain third row.",
        "r4": 'A quoted "fourth" row, with a comma.',
        "r5": "A quoted\nmulti-line fifth row.",
    }
    errors = [r for r in records if r.kind == "error"]
    assert len(errors) == 1 and "line 3" in errors[0].name and "quote" in str(errors[0].content)


def test_csv_unterminated_quote_in_the_last_row_is_an_error(tmp_path: Path) -> None:
    """Case 9 (CSV unterminated quote at the end): no silent half-row either."""
    corpus = tmp_path / "c.csv"
    corpus.write_text('id,text\nr1,Fine.\nr2,"Never closed\n', encoding="utf-8")
    records = list(open_records(corpus))
    assert [r.kind for r in records] == ["text", "error"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_folder_batch_does_not_follow_symlinks_out_of_the_folder(tmp_path: Path) -> None:
    """Case 9 (symlink out of the folder): a link to a file outside is an error record and is never read;
    a link that stays inside the folder still works."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET outside the corpus folder.", encoding="utf-8")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD, encoding="utf-8")
    (folder / "out.txt").symlink_to(secret)
    (folder / "in.txt").symlink_to(folder / "a.txt")
    records = {r.id: r for r in open_records(folder)}
    assert records["out.txt"].kind == "error" and "outside the folder" in str(records["out.txt"].content)
    assert all(b"SECRET" not in (r.content if isinstance(r.content, bytes) else b"") for r in records.values())
    assert records["in.txt"].kind == "file" and records["a.txt"].kind == "file"


def test_lone_surrogate_in_a_finished_report_becomes_an_error_line_not_a_failed_write() -> None:
    """Case 4 (lone surrogate), the backstop: a result line that cannot be written as UTF-8 becomes that document's
    error record, so it can never fail the write of its whole chunk."""
    from veracity.batch.process import Result, _writable

    bad = _writable(Result("doc-\ud800", '{"text": "x\ud800"}', False))
    assert bad.error and "surrogate" in bad.line
    bad.line.encode("utf-8")
    good = Result("ok", '{"text": "fine"}', False)
    assert _writable(good) is good
