"""``corpus add --engine ray``: passages embedded by Ray actors give the same corpus and search as a local build."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
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
    # vectors of the same kind: int8 activations are quantised per batch, so Ray's batches give vectors a hair apart
    keys = np.arange(1, 61, dtype=np.uint64)
    va = np.asarray(a._load_dense().get(keys), dtype=np.float32)
    vb = np.asarray(b._load_dense().get(keys), dtype=np.float32)
    assert float(np.min(np.sum(va * vb, axis=1))) >= 0.97
    # and the same search: these documents differ only by a number, so which copy ranks first is a near-tie
    for query, topic in (("a report on the drought", "drought"), ("tariff coverage", "tariff")):
        for store in (a, b):
            hits = store.search(query, 5)
            assert len(hits) == 5 and all(topic in h.text for h in hits), [h.text for h in hits]
    assert main(["corpus", "add", str(src), "--corpus", ray_db, "--workers", "2"]) == 2  # --workers needs ray
