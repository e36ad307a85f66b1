"""Issue 23, batch cases: one bad item must not take the others down (items 4 and 9 of the batch runner).

Each test names its case. Runs use the sentences layer only and one worker, to stay quick.
"""

from __future__ import annotations

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


def test_jsonl_lone_surrogate_is_an_error_record_and_resume_works(tmp_path: Path) -> None:
    """Case 4 (lone surrogate): a JSONL row whose text, id or title holds "\\ud800" (valid JSON) becomes that row's
    error record; every valid row of the same chunk is written, and --resume finishes without failing again."""
    corpus = _write(
        tmp_path / "c.jsonl",
        [
            '{"id": "ok1", "text": "%s"}' % GOOD,
            '{"id": "bad-text", "text": "Broken \\ud800 text here. It goes on."}',
            '{"id": "ok2", "text": "%s Second."}' % GOOD,
            '{"id": "bad-\\udc00-id", "text": "%s Third."}' % GOOD,
            '{"text": "No id and a lone \\udfff surrogate."}',
            '{"id": "bad-title", "title": "T\\ud83d", "text": "%s Fourth."}' % GOOD,
            '{"id": "ok3", "text": "%s Fifth."}' % GOOD,
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
