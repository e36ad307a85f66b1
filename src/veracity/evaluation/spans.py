"""Span-overlap metrics of SemEval-2020 Task 11 (span identification), shared by every span evaluation.

Following the task's official scorer: within each article, overlapping spans of the gold set are merged, and so are
overlapping spans of the predicted set; then, micro over all spans of all articles,

    P = Σ_s Σ_t |s ∩ t| / |s|   over predicted s, gold t, divided by the number of predicted spans
    R = Σ_t Σ_s |s ∩ t| / |t|   divided by the number of gold spans
    F1 = 2PR / (P + R)

so a prediction gets partial credit for the characters it shares with gold spans.

The full task (span and technique together, ``labelled_span_scores``) applies the same formula to each technique on
its own (a predicted span earns credit only for characters of gold spans with its label; same-label overlaps merged)
and micro-averages over techniques: the sums and span counts of all techniques are added before dividing, as in the
SemEval-2019/2020 fragment-level scorer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["SpanScores", "labelled_span_scores", "merge_spans", "si_scores"]

Range = tuple[int, int]


@dataclass(frozen=True)
class SpanScores:
    """Precision, recall and F1 with the span counts they rest on."""

    precision: float
    recall: float
    f1: float
    n_gold: int
    n_pred: int


def merge_spans(spans: Iterable[Range]) -> list[Range]:
    """Merge overlapping ranges (touching ranges stay apart, as in the official scorer); drop empty ones."""
    merged: list[list[int]] = []
    for start, end in sorted((s, e) for s, e in spans if e > s):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _overlap(a: Range, b: Range) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _sums(gold: Mapping[str, Iterable[Range]], pred: Mapping[str, Iterable[Range]]) -> tuple[float, float, int, int]:
    """Partial-overlap precision and recall numerators and the merged span counts over all articles."""
    p_sum = r_sum = 0.0
    n_gold = n_pred = 0
    for doc_id in set(gold) | set(pred):
        g = merge_spans(gold.get(doc_id, ()))
        s = merge_spans(pred.get(doc_id, ()))
        n_gold += len(g)
        n_pred += len(s)
        for ps in s:
            p_sum += sum(_overlap(ps, gs) for gs in g) / (ps[1] - ps[0])
        for gs in g:
            r_sum += sum(_overlap(ps, gs) for ps in s) / (gs[1] - gs[0])
    return p_sum, r_sum, n_gold, n_pred


def _scores(p_sum: float, r_sum: float, n_gold: int, n_pred: int) -> SpanScores:
    precision = p_sum / n_pred if n_pred else 0.0
    recall = r_sum / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return SpanScores(precision, recall, f1, n_gold, n_pred)


def si_scores(gold: Mapping[str, Iterable[Range]], pred: Mapping[str, Iterable[Range]]) -> SpanScores:
    """SemEval-2020 T11 SI scores over articles keyed by id (an article missing from ``pred`` has no predictions)."""
    return _scores(*_sums(gold, pred))


def labelled_span_scores(
    gold: Mapping[str, Iterable[tuple[int, int, str]]], pred: Mapping[str, Iterable[tuple[int, int, str]]]
) -> SpanScores:
    """Full-task scores: span and label together, partial overlap per label, micro-averaged over labels.

    ``gold`` and ``pred`` map an article id to ``(start, end, label)`` triples; a span counts only against gold spans
    of its own label, so a right passage with the wrong technique earns nothing.
    """
    by_label: dict[str, tuple[dict[str, list[Range]], dict[str, list[Range]]]] = {}
    for side, rows in ((0, gold), (1, pred)):
        for doc_id, spans in rows.items():
            for start, end, label in spans:
                by_label.setdefault(label, ({}, {}))[side].setdefault(doc_id, []).append((start, end))
    total = [0.0, 0.0, 0, 0]
    for g, p in by_label.values():
        for i, value in enumerate(_sums(g, p)):
            total[i] += value
    return _scores(total[0], total[1], int(total[2]), int(total[3]))
