"""SemEval-2020 T11 span metrics: SI (label-agnostic) and the full task (span and technique together)."""

from __future__ import annotations

import pytest

from veracity.evaluation.spans import labelled_span_scores, merge_spans, si_scores


def test_merge_spans_joins_overlaps_but_not_touching_spans() -> None:
    assert merge_spans([(5, 9), (0, 3), (2, 4), (9, 12), (7, 7)]) == [(0, 4), (5, 9), (9, 12)]


def test_si_gives_partial_credit_for_shared_characters() -> None:
    sc = si_scores({"a": [(0, 10)]}, {"a": [(5, 15)]})
    assert sc.precision == pytest.approx(0.5) and sc.recall == pytest.approx(0.5) and sc.f1 == pytest.approx(0.5)
    assert si_scores({"a": [(0, 10)]}, {}).f1 == 0.0  # an article without predictions
    assert si_scores({"a": [(0, 10)]}, {"a": [(0, 10)], "b": [(0, 4)]}).precision == pytest.approx(0.5)


def test_full_task_gives_nothing_for_the_right_passage_with_the_wrong_technique() -> None:
    gold = {"a": [(0, 10, "Doubt")]}
    assert labelled_span_scores(gold, {"a": [(0, 10, "Doubt")]}).f1 == pytest.approx(1.0)
    wrong = labelled_span_scores(gold, {"a": [(0, 10, "Slogans")]})
    assert wrong.f1 == 0.0 and wrong.n_pred == 1 and wrong.n_gold == 1
    assert si_scores({"a": [(0, 10)]}, {"a": [(0, 10)]}).f1 == pytest.approx(1.0)  # SI would call it perfect


def test_full_task_is_micro_averaged_over_techniques() -> None:
    gold = {"a": [(0, 10, "Doubt"), (20, 30, "Slogans")], "b": [(0, 4, "Doubt")]}
    pred = {"a": [(0, 5, "Doubt"), (20, 30, "Doubt")], "b": [(0, 4, "Doubt"), (10, 12, "Repetition")]}
    sc = labelled_span_scores(gold, pred)
    # Doubt: predicted (0,5) → 5/5, (20,30) → 0, b (0,4) → 1; Repetition (10,12) → 0: P = 2/4
    # gold Doubt (0,10) → 5/10, b (0,4) → 1; Slogans (20,30) → 0: R = 1.5/3
    assert sc.n_pred == 4 and sc.n_gold == 3
    assert sc.precision == pytest.approx(0.5) and sc.recall == pytest.approx(0.5)


def test_full_task_merges_overlaps_within_a_technique_only() -> None:
    gold = {"a": [(0, 10, "Doubt"), (0, 10, "Loaded_Language")]}
    pred = {"a": [(0, 6, "Doubt"), (4, 10, "Doubt")]}
    sc = labelled_span_scores(gold, pred)
    assert sc.n_pred == 1 and sc.n_gold == 2  # the two Doubt predictions merge; the two gold labels do not
    assert sc.precision == pytest.approx(1.0) and sc.recall == pytest.approx(0.5)
