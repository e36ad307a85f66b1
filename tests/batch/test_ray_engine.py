"""The Ray engine on a local Ray instance with 2 CPUs gives the same output as the local engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.batch.conftest import ONLY, comparable, corpus_rows, line_id, read_output, write_jsonl
from veracity.batch import run_batch

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

HTML = (
    "<html><body><article><p>Engineers in Munich tested a new battery design on Wednesday.</p></article></body></html>"
)


@pytest.fixture(scope="module")
def ray_session() -> Iterator[Any]:
    """One local Ray instance (2 CPUs) for every Ray test in this module."""
    ray = pytest.importorskip("ray", reason="the Ray engine needs the ray extra: pip install -e '.[ray]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows: list[dict[str, Any] | str] = [*corpus_rows(12)]
    rows.insert(3, '{"id": "broken"')
    rows.insert(5, {"id": "empty", "text": "  "})
    rows.insert(7, {"html": HTML})
    rows.append({**corpus_rows(1)[0], "text": "Same id as the first row."})
    return write_jsonl(tmp_path_factory.mktemp("ray") / "corpus.jsonl", rows)


def test_ray_engine_matches_local_engine(ray_session: Any, corpus: Path, tmp_path: Path) -> None:
    ray_summary = run_batch(corpus, tmp_path / "ray", only=ONLY, engine="ray", workers=2, chunk_size=4)
    local_summary = run_batch(corpus, tmp_path / "local", only=ONLY, engine="local", workers=2, chunk_size=4)
    assert ray_session.is_initialized()  # the engine leaves a Ray instance it did not start running
    ray_lines = [comparable(o) for o in read_output(tmp_path / "ray")]
    local_lines = [comparable(o) for o in read_output(tmp_path / "local")]
    assert ray_lines == local_lines
    ids = [line_id(o) for o in ray_lines]
    assert len(ids) == len(set(ids)) == 15
    assert sum("error" in o for o in ray_lines) == 2
    for fields in ("reports", "errors", "duplicates", "total_in_output"):
        assert getattr(ray_summary, fields) == getattr(local_summary, fields), fields
    assert ray_summary.engine == "ray" and ray_summary.workers == 2
    for table in ("documents.parquet", "spans.parquet"):
        assert pq.read_table(tmp_path / "ray" / table).equals(pq.read_table(tmp_path / "local" / table))


def test_ray_engine_resumes(ray_session: Any, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch(corpus, out, only=ONLY, engine="ray", workers=2, chunk_size=4)
    lines = (out / "reports.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "reports.jsonl").write_text("".join(lines[:5]), encoding="utf-8")
    summary = run_batch(corpus, out, only=ONLY, engine="ray", workers=2, chunk_size=4, resume=True)
    assert summary.documents == len(lines) - 5
    assert [line_id(o) for o in read_output(out)] == [line_id(json.loads(x)) for x in lines]
