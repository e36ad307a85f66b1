"""``veracity eval claims``: positive-class F1 of the shipped check-worthiness model on the CheckThat! dev sets.

Sets (all under ``checkthat-checkworthiness-en``; none is used in training, and training data is de-duplicated
against them): CT24 English dev-test (political debates, the headline number), CT24 dev (= ClaimBuster
``groundtruth.csv``), CT22 1A tweet dev and CT21 1B debate dev. F1 of the positive class is the official CheckThat!
measure; average precision (AP) is shown beside it because the 2021 debate task was ranked by mean AP.

The loaders here are stdlib-only (no ``veracity`` imports at module level) so that ``training/train_claims.py`` can
load this file by path on a machine where veracity itself is not installed.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DESCRIPTION = "check-worthy claims: positive-class F1 on CheckThat! 2024 dev-test, 2022 tweets and 2021 debates"
DATASET = "checkthat-checkworthiness-en"

#: evaluation sets: name -> (loader kind, path relative to the dataset folder)
EVAL_SETS: dict[str, tuple[str, str]] = {
    "ct24-dev-test": ("ct24", "ct2024-task1-en/CT24_checkworthy_english_dev-test.tsv"),
    "ct24-dev": ("ct24", "ct2024-task1-en/CT24_checkworthy_english_dev.tsv"),
    "ct22-1a-tweets-dev": ("ct22", "ct2022-task1a-checkworthy-tweets/CT22_english_1A_checkworthy_dev.tsv"),
    "ct21-1b-debates-dev": ("ct21debates", "ct2021-task1b-debates/dev"),
}

Example = tuple[str, int]  # (text, label 1 = check-worthy)

_FUSED = re.compile(r"^(Yes|No)(\d+)$")


def load_ct24(path: Path) -> list[Example]:
    """CT24 English TSV (``Sentence_id, Text, class_label`` Yes/No); repairs the one fused line in train."""
    rows: list[Example] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        parts = line.rstrip("\r").split("\t")
        if not line.strip():
            continue
        if len(parts) == 5 and _FUSED.match(parts[2]):  # "id<TAB>text<TAB>No29286<TAB>text<TAB>No"
            label, _next_id = _FUSED.match(parts[2]).groups()  # type: ignore[union-attr]
            rows.append((parts[1], int(label == "Yes")))
            rows.append((parts[3], int(parts[4] == "Yes")))
            continue
        if len(parts) != 3 or parts[2] not in {"Yes", "No"}:
            raise ValueError(f"{path}: unexpected line {line[:80]!r}")
        rows.append((parts[1], int(parts[2] == "Yes")))
    return rows


def load_tweets(path: Path) -> list[Example]:
    """A CheckThat! tweet TSV with a header, the tweet text in column 4 and the 0/1 label last.

    Both CT22 1A/1B (``topic, tweet_id, tweet_url, tweet_text, class_label``) and CT21 1A
    (``topic_id, tweet_id, tweet_url, tweet_text, claim, check_worthiness``) have that layout.
    """
    rows: list[Example] = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip():
            continue
        parts = line.rstrip("\r").split("\t")
        rows.append((parts[3], int(parts[-1])))
    return rows


load_ct22 = load_ct21_tweets = load_tweets  # per-dataset names, kept for callers


def load_ct21_debates(folder: Path) -> list[Example]:
    """CT21 1B debate transcripts: one headerless TSV per file (``line_no, speaker, sentence, label``)."""
    rows: list[Example] = []
    for path in sorted(folder.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            parts = line.rstrip("\r").split("\t")
            rows.append((parts[2], int(parts[3])))
    return rows


LOADERS = {"ct24": load_ct24, "ct22": load_tweets, "ct21tweets": load_tweets, "ct21debates": load_ct21_debates}


def load_eval_set(dataset_dir: Path, name: str) -> list[Example]:
    """One of ``EVAL_SETS`` read from the dataset folder."""
    kind, rel = EVAL_SETS[name]
    return LOADERS[kind](dataset_dir / rel)


def normalize(text: str) -> str:
    """Key for de-duplication: lower case, URLs dropped, runs of non-alphanumerics collapsed."""
    text = re.sub(r"https?://\S+", " ", text.lower())
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def prf(labels: Sequence[int], predicted: Sequence[int]) -> dict[str, float]:
    """Precision, recall and F1 of the positive class."""
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Average precision of the ranking by score (ties broken by input order, as a stable sort does)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    hits, total, n_pos = 0, 0.0, sum(labels)
    for rank, i in enumerate(order, start=1):
        if labels[i]:
            hits += 1
            total += hits / rank
    return total / n_pos if n_pos else 0.0


def best_threshold(labels: Sequence[int], scores: Sequence[float]) -> tuple[float, float]:
    """The score threshold (predict positive when score >= t) that maximises positive-class F1, and that F1."""
    pairs = sorted(zip(scores, labels, strict=True), key=lambda p: -p[0])
    n_pos = sum(labels)
    best_t, best_f1, tp = 0.5, -1.0, 0
    for k, (score, label) in enumerate(pairs, start=1):
        tp += label
        if k < len(pairs) and pairs[k][0] == score:
            continue  # only cut between distinct scores
        f1 = 2 * tp / (k + n_pos) if k + n_pos else 0.0
        if f1 > best_f1:
            nxt = pairs[k][0] if k < len(pairs) else score - 1e-6
            best_t, best_f1 = (score + nxt) / 2, f1
    return float(best_t), float(best_f1)


def evaluate(scores: Sequence[float], labels: Sequence[int], threshold: float) -> dict[str, Any]:
    """Metrics for one set at ``threshold``: n, positives, P/R/F1 of the positive class, AP."""
    metrics = prf(labels, [int(s >= threshold) for s in scores])
    return {
        "n": len(labels),
        "positives": int(sum(labels)),
        **{k: round(v, 4) for k, v in metrics.items()},
        "ap": round(average_precision(labels, scores), 4),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``veracity eval claims``."""
    parser.add_argument(
        "--sets",
        default=",".join(EVAL_SETS),
        help=f"comma-separated evaluation sets (default: all: {', '.join(EVAL_SETS)})",
    )
    parser.add_argument("--threshold", type=float, default=None, help="decision threshold (default: the model's)")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    """Score each set with the shipped model and print positive-class P/R/F1 and AP."""
    from veracity.analyzers.claims import ClaimScorer
    from veracity.errors import UsageError
    from veracity.evaluation._data import data_dir

    root = data_dir(args.data, required=DATASET) / DATASET
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [n for n in names if n not in EVAL_SETS]
    if unknown or not names:
        raise UsageError(
            f"unknown evaluation set(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(EVAL_SETS)}"
        )
    scorer = ClaimScorer.shared()
    threshold = scorer.threshold if args.threshold is None else args.threshold
    results: dict[str, Any] = {"model": scorer.artifact, "threshold": round(threshold, 4), "sets": {}}
    for name in names:
        rows = load_eval_set(root, name)
        scores = scorer.score_texts([t for t, _ in rows]).tolist()
        results["sets"][name] = evaluate(scores, [y for _, y in rows], threshold)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"check-worthiness — model {results['model']}, threshold {results['threshold']}")
    print(f"{'set':<22} {'n':>6} {'pos':>5} {'P':>7} {'R':>7} {'F1':>7} {'AP':>7}")
    for name, m in results["sets"].items():
        print(
            f"{name:<22} {m['n']:>6} {m['positives']:>5} {m['precision']:>7.4f} {m['recall']:>7.4f} {m['f1']:>7.4f} {m['ap']:>7.4f}"
        )
    return 0
