"""``corpus add --engine ray``: passages embedded by Ray actors give the same corpus and search as a local build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veracity.cli import main
from veracity.stores.corpus import open_corpus

pytestmark = pytest.mark.slow


def test_ray_build_matches_local(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("ray")
    src = tmp_path / "docs.jsonl"
    topics = ["drought", "vaccine", "bridge", "election", "tariff", "harvest"]
    src.write_text(
        "".join(
            json.dumps({"id": f"d{i}", "text": f"The {t} report number {i} was published. It covers the {t} in depth."})
            + "\n"
            for i, t in enumerate(topics * 5)
        ),
        encoding="utf-8",
    )
    local, ray_db = str(tmp_path / "local.sqlite3"), str(tmp_path / "ray.sqlite3")
    assert main(["corpus", "add", str(src), "--corpus", local]) == 0
    assert main(["corpus", "add", str(src), "--corpus", ray_db, "--engine", "ray", "--workers", "2"]) == 0
    err = capsys.readouterr().err
    assert "30 documents added" in err
    a, b = open_corpus(local), open_corpus(ray_db)
    assert a.stats()["dense_vectors"] == b.stats()["dense_vectors"] == 60
    for query in ("a report on the drought", "tariff coverage"):
        assert {h.doc_id for h in a.search(query, 5)} == {h.doc_id for h in b.search(query, 5)}
    assert main(["corpus", "add", str(src), "--corpus", ray_db, "--workers", "2"]) == 2  # --workers needs ray
