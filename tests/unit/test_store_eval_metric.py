"""The official CheckThat! 2022 Task 2A MAP@k used by ``veracity eval factchecks``."""

from __future__ import annotations

import pytest

from veracity.evaluation.factchecks import average_precision_at_k, map_at_k, read_qrels


def test_ap_counts_all_relevant_items_in_the_denominator() -> None:
    assert average_precision_at_k(["a", "x", "b"], {"a", "b"}, 5) == pytest.approx((1 / 1 + 2 / 3) / 2)
    # a relevant item below rank k still counts in the denominator
    assert average_precision_at_k(["x", "y", "z", "w", "v", "a"], {"a"}, 5) == 0.0
    assert average_precision_at_k(["x", "a"], {"a", "b", "c"}, 5) == pytest.approx((1 / 2) / 3)


def test_map_scores_missing_rankings_as_zero() -> None:
    qrels = {"q1": {"a"}, "q2": {"b"}}
    assert map_at_k({"q1": ["a"]}, qrels, 5) == pytest.approx(0.5)
    assert map_at_k({"q1": ["a"], "q2": ["c", "b"]}, qrels, 5) == pytest.approx(0.75)
    assert map_at_k({"q1": ["x", "a"]}, qrels, 1) == 0.0


def test_read_qrels(tmp_path) -> None:
    path = tmp_path / "qrels.tsv"
    path.write_text("q1\t0\ta\t1\nq1\t0\tb\t1\nq2\t0\tc\t0\n", encoding="utf-8")
    assert read_qrels(path) == {"q1": {"a", "b"}}
