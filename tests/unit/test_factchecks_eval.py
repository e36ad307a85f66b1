"""The cross-validation and threshold code shared by ``veracity eval factchecks`` and the re-ranker training script."""

from __future__ import annotations

import numpy as np

from veracity.evaluation.factchecks import Example, at_threshold, best_threshold, cross_validate, map_at_k


def _rows(n: int, seed: int = 0) -> tuple[list[Example], dict[str, set[str]]]:
    """Queries whose relevant candidate has a higher first feature than the others (plus noise)."""
    rng = np.random.default_rng(seed)
    rows, qrels = [], {}
    for q in range(n):
        qid = f"q{q}"
        x = rng.normal(0, 1, (6, 2))
        x[0, 0] += 3.0
        ids = [f"{qid}-{j}" for j in range(6)]
        qrels[qid] = {ids[0]}
        rows.append(Example(qid, ids, x, np.array([1.0, 0, 0, 0, 0, 0]), False))
        rows.append(Example(qid, ids[1:], x[1:], np.zeros(5), True))
    return rows, qrels


def test_cross_validation_scores_every_query_out_of_fold() -> None:
    rows, qrels = _rows(100)
    rankings, tops = cross_validate(rows, qrels, l2=1.0)
    assert set(rankings) == set(qrels)
    assert len(tops) == 200
    assert map_at_k(rankings, qrels, 5) > 0.8


def test_threshold_trades_recall_for_precision() -> None:
    tops = [(0.9, True, False), (0.8, True, False), (0.6, False, True), (0.55, True, False), (0.3, False, True)]
    assert at_threshold(tops, 0.7) == {"precision": 1.0, "recall": 2 / 3, "shown": 2}
    assert at_threshold(tops, 0.5)["precision"] == 0.75
    threshold, stats = best_threshold(tops)
    assert 0.6 < threshold <= 0.8 and stats["precision"] == 1.0
    assert at_threshold([], 0.5) == {"precision": 1.0, "recall": 0.0, "shown": 0}
