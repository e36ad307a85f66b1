"""Kill and resume: SIGTERM a real ``veracity batch`` mid-run, resume it, and every document is there exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.batch.conftest import ARTICLES, write_jsonl

pytestmark = pytest.mark.slow

N_DOCS = 40


def _corpus(path: Path) -> Path:
    # ~3,000 characters each, so the run lasts a few seconds after the first results appear
    rows = [
        {"id": f"doc-{i:03d}", "text": " ".join(ARTICLES[(i + k) % len(ARTICLES)] for k in range(30))}
        for i in range(N_DOCS)
    ]
    return write_jsonl(path, rows)


def _batch(corpus: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "veracity.cli", "batch", str(corpus), "--out", str(out), "--only", "sentences"]
    cmd += ["--workers", "1", "--chunk-size", "2", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "120"})


def _ids(out: Path) -> list[str]:
    return [json.loads(line)["document"]["id"] for line in (out / "reports.jsonl").read_text().splitlines()]


def test_sigterm_then_resume_gives_every_document_exactly_once(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl")
    out = tmp_path / "out"
    first = _batch(corpus, out)
    reports = out / "reports.jsonl"
    deadline = time.monotonic() + 120
    while not (reports.exists() and reports.stat().st_size > 0):
        assert first.poll() is None, first.communicate()[1].decode()
        assert time.monotonic() < deadline, "no result within 120 s"
        time.sleep(0.02)
    first.send_signal(signal.SIGTERM)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 143, err.decode()
    assert "continue with --resume" in err.decode()
    done_before = _ids(out)
    assert 0 < len(done_before) < N_DOCS, "the run finished before it was killed; make the corpus longer"
    assert not (out / "documents.parquet").exists()  # tables are written only by a run that completes

    with reports.open("a", encoding="utf-8") as fh:  # as if killed in the middle of writing a line
        fh.write('{"schema_version":"1.0","generator":{"pack')

    second = _batch(corpus, out, "--resume")
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err.decode()
    assert f"{len(done_before):,} already done" in err.decode()
    ids = _ids(out)
    assert sorted(ids) == [f"doc-{i:03d}" for i in range(N_DOCS)]  # each exactly once
    assert ids[: len(done_before)] == done_before  # what was written before the kill stays as it was
    assert (out / "documents.parquet").exists()
