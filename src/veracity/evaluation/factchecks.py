"""``veracity eval factchecks``: fact-check search on CheckThat! 2022 Task 2A English, dev and train-CV side by side.

The metric is the official CheckThat! 2022 Task 2A one: for each query, rank by score, AP@5 = (sum over the relevant
items in the top 5 of precision at their rank) / (number of relevant items for the query); MAP@5 is the mean over the
queries in the qrels. The 14,231 vclaims are imported into a temporary (or given) database, then every query is searched.

Two columns: **dev** scores the shipped re-ranker on the 199 dev queries; **train-CV** refits the same recipe on 4/5 of
the 998 train queries and scores the held-out fifth (5 folds, seed 13), which is how the recipe and the display
threshold were chosen (``training/factcheck_reranker.py`` uses these functions). "At the threshold" counts the best
candidate of each query as shown when its score reaches ``MATCH_THRESHOLD``; every query is used twice, once as is and
once with its relevant fact-checks removed from the store (so showing anything there is a wrong match).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from veracity.evaluation._data import data_dir

__all__ = [
    "DESCRIPTION",
    "Example",
    "add_arguments",
    "at_threshold",
    "average_precision_at_k",
    "best_threshold",
    "cross_validate",
    "examples",
    "fit_logistic",
    "map_at_k",
    "run",
]

DESCRIPTION = (
    "MAP@5 and precision/recall at the threshold of fact-check search, CheckThat! 2022 2A English: dev and train-CV"
)
DATASET = "checkthat-claim-retrieval-en"
TASK_DIR = "ct2022-task2a"
QRELS = {"dev": "CT2022-Task2A-EN-Dev_QRELs.tsv", "train": "CT2022-Task2A-EN-Train_QRELs.tsv"}
QUERIES = "CT2022-Task2A-EN-Train-Dev_Queries.tsv"


def average_precision_at_k(ranked: Sequence[str], relevant: set[str], k: int = 5) -> float:
    """Official CheckThat! AP@k: precision at each relevant hit in the top k, summed, over all relevant items."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, item in enumerate(ranked[:k], 1):
        if item in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def map_at_k(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]], k: int = 5) -> float:
    """Mean of :func:`average_precision_at_k` over every query in ``qrels`` (a query with no ranking scores 0)."""
    if not qrels:
        return 0.0
    return sum(average_precision_at_k(rankings.get(q, []), rel, k) for q, rel in qrels.items()) / len(qrels)


def read_qrels(path: Path) -> dict[str, set[str]]:
    """TREC qrels ``query 0 doc relevance`` → {query: {relevant docs}}."""
    out: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 4 and int(parts[3]) > 0:
            out.setdefault(parts[0], set()).add(parts[2])
    return out


def read_queries(path: Path) -> dict[str, str]:
    """``id<TAB>text`` lines → {id: text}."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        qid, _, text = line.partition("\t")
        if qid and text:
            out[qid] = text
    return out


#: folds and seed of the train cross-validation (shared with training/factcheck_reranker.py)
FOLDS = 5
SEED = 13
#: F-beta that chooses the match threshold (0.5: precision counts twice as much as recall)
BETA = 0.5


@dataclass
class Example:
    """One query's candidates: record ids, feature rows, labels; ``removed``: the copy without its relevant records."""

    qid: str
    ids: list[str]
    x: np.ndarray
    y: np.ndarray
    removed: bool
    query: str = ""
    claims: tuple[str, ...] = ()


def examples(store: Any, queries: Mapping[str, str], qrels: Mapping[str, set[str]]) -> list[Example]:
    """Candidates of every query in ``qrels`` from the store's hybrid retriever (its misses are the hard negatives),
    each query twice: as is, and with its relevant fact-checks left out (as if the store did not hold the claim)."""
    index = store._get_index()
    ids = [q for q in qrels if q in queries]
    out: list[Example] = []
    for start in range(0, len(ids), 256):
        chunk = ids[start : start + 256]
        raw, records, context = index.retrieve([queries[q] for q in chunk])
        for qid, entry in zip(chunk, raw, strict=True):
            gold = qrels[qid]
            keys, x = index.features(entry, records, context)
            labels = np.array([records[k].id in gold for k in keys], float)
            claims = tuple(records[k].claim for k in keys)
            out.append(Example(qid, [records[k].id for k in keys], x, labels, False, queries[qid], claims))
            gold_keys = {k for k in entry[0] if k in records and records[k].id in gold}
            keys, x = index.features(entry, records, context, exclude=gold_keys)
            claims = tuple(records[k].claim for k in keys)
            out.append(Example(qid, [records[k].id for k in keys], x, np.zeros(len(keys)), True, queries[qid], claims))
    return out


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (``x`` already standardised)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) + reg * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def fit(rows: Sequence[Example], l2: float) -> dict[str, Any]:
    """The re-ranker fitted on ``rows``: weights, bias, mean, scale."""
    x = np.vstack([r.x for r in rows])
    y = np.concatenate([r.y for r in rows])
    mean, scale = x.mean(0), x.std(0) + 1e-9
    w, b = fit_logistic((x - mean) / scale, y, l2)
    return {"weights": w, "bias": b, "mean": mean, "scale": scale}


def predict(model: Mapping[str, Any], x: np.ndarray) -> np.ndarray:
    """Probabilities of a fitted model for feature rows."""
    z = ((x - model["mean"]) / model["scale"]) @ model["weights"] + model["bias"]
    return 1 / (1 + np.exp(-z))


def gated(p: np.ndarray, row: Example, threshold: float) -> np.ndarray:
    """Scores after the same-claim check search applies (:mod:`veracity.stores.predicate`) to those at or above
    ``threshold``."""
    from veracity.stores.predicate import MISSING_PREDICATE_FACTOR, predicate_found

    p = p.copy()
    for j in np.flatnonzero(p >= threshold):
        if not predicate_found(row.query, row.claims[j]):
            p[j] *= MISSING_PREDICATE_FACTOR
    return p


def score_rows(
    rows: Sequence[Example], model: Mapping[str, Any], gate_at: float | None = None
) -> tuple[dict[str, list[str]], list[tuple[float, bool, bool]]]:
    """Rankings of the as-is copies, and (best score, best is relevant, removed copy) for every copy (with the
    same-claim check applied to scores at or above ``gate_at`` when given)."""
    rankings: dict[str, list[str]] = {}
    tops: list[tuple[float, bool, bool]] = []
    for r in rows:
        if not r.ids:
            continue
        p = predict(model, r.x)
        if gate_at is not None and r.claims:
            p = gated(p, r, gate_at)
        order = np.argsort(-p, kind="stable")
        tops.append((float(p[order[0]]), bool(r.y[order[0]]), r.removed))
        if not r.removed:
            rankings[r.qid] = [r.ids[i] for i in order]
    return rankings, tops


def cross_validate(
    rows: Sequence[Example],
    qrels: Mapping[str, set[str]],
    l2: float,
    folds: int = FOLDS,
    seed: int = SEED,
    gate_at: float | None = None,
) -> tuple[dict[str, list[str]], list[tuple[float, bool, bool]]]:
    """Out-of-fold rankings and tops: each fold scored by a model fitted on the other folds (split by query)."""
    rng = np.random.default_rng(seed)
    fold_of = {q: i % folds for i, q in enumerate(rng.permutation(sorted(qrels)))}
    rankings: dict[str, list[str]] = {}
    tops: list[tuple[float, bool, bool]] = []
    for fold in range(folds):
        model = fit([r for r in rows if fold_of.get(r.qid) != fold], l2)
        fold_rankings, fold_tops = score_rows([r for r in rows if fold_of.get(r.qid) == fold], model, gate_at)
        rankings.update(fold_rankings)
        tops += fold_tops
    return rankings, tops


def at_threshold(tops: Sequence[tuple[float, bool, bool]], threshold: float) -> dict[str, float]:
    """Precision and recall of "best candidate shown" at ``threshold`` (a shown removed-copy match is wrong)."""
    positives = sum(1 for _s, _c, removed in tops if not removed)
    shown = [(c, removed) for s, c, removed in tops if s >= threshold]
    correct = sum(1 for c, removed in shown if c and not removed)
    return {
        "precision": correct / len(shown) if shown else 1.0,
        "recall": correct / positives if positives else 0.0,
        "shown": len(shown),
    }


def best_threshold(tops: Sequence[tuple[float, bool, bool]], beta: float = BETA) -> tuple[float, dict[str, float]]:
    """The threshold (0.05 … 0.95) that maximises F-beta of shown-and-correct matches."""
    best: tuple[float, float, dict[str, float]] = (-1.0, 0.5, {})
    for t in np.linspace(0.05, 0.95, 91):
        m = at_threshold(tops, float(t))
        p, r = m["precision"], m["recall"]
        b2 = beta * beta
        f = (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0
        if f > best[0]:
            best = (f, round(float(t), 2), {**m, f"f{beta:g}": f})
    return best[1], best[2]


def load_split(data: str | None) -> tuple[Path, dict[str, str]]:
    """The task folder and every query text (train and dev)."""
    root = data_dir(data, required=DATASET) / DATASET / TASK_DIR
    return root, read_queries(root / QUERIES)


def build_store(root: Path, db: Path) -> Any:
    """Open ``db``, importing and indexing the vclaims when it is empty."""
    from veracity.stores import open_store
    from veracity.stores.importers import read_records
    from veracity.stores.records import FactCheckRecord

    store = open_store(db)
    if store.count() == 0:
        store.upsert(r for _, r in read_records(root / "vclaims.jsonl", "checkthat") if isinstance(r, FactCheckRecord))
    store.update_index()
    return store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``veracity eval factchecks``."""
    parser.add_argument("--db", metavar="PATH", help="reuse this database (imported if empty); default a temporary one")
    parser.add_argument("--no-cv", action="store_true", help="dev only (skip the train cross-validation)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    """Import the vclaims, score dev with the shipped re-ranker and train by 5-fold CV of the same recipe."""
    from veracity.stores.search import load_reranker

    root, queries = load_split(args.data)
    qrels = {split: read_qrels(root / name) for split, name in QRELS.items()}
    reranker = load_reranker()
    shipped = {"weights": reranker.weights, "bias": reranker.bias, "mean": reranker.mean, "scale": reranker.scale}
    l2 = float(getattr(reranker, "l2", 1.0))
    with tempfile.TemporaryDirectory(prefix="veracity-eval-") as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "factchecks.sqlite3"
        started = time.perf_counter()
        store = build_store(root, db)
        try:
            build_seconds = time.perf_counter() - started
            started = time.perf_counter()
            dev_rows = examples(store, queries, qrels["dev"])
            search_seconds = time.perf_counter() - started
            train_rows = [] if args.no_cv else examples(store, queries, qrels["train"])
        finally:
            store.close()
    result: dict[str, Any] = {
        "task": "CheckThat! 2022 Task 2A English",
        "match_threshold": reranker.threshold,
        "index_seconds": round(build_seconds, 1),
        "search_ms_per_query": round(1000 * search_seconds / max(1, len(dev_rows) // 2), 2),
    }
    gate = reranker.threshold
    columns = [("dev", dev_rows, qrels["dev"], score_rows(dev_rows, shipped, gate))]
    if train_rows:
        columns.append(
            ("train_cv", train_rows, qrels["train"], cross_validate(train_rows, qrels["train"], l2, gate_at=gate))
        )
    for name, _rows, split_qrels, (rankings, tops) in columns:
        shown = at_threshold(tops, reranker.threshold)
        result[name] = {
            "queries": len(split_qrels),
            "map@1": round(map_at_k(rankings, split_qrels, 1), 4),
            "map@5": round(map_at_k(rankings, split_qrels, 5), 4),
            "map@10": round(map_at_k(rankings, split_qrels, 10), 4),
            "precision_at_threshold": round(shown["precision"], 4),
            "recall_at_threshold": round(shown["recall"], 4),
        }
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return 0
    names = [n for n, *_ in columns]
    lines = [
        f"{result['task']}; match threshold {reranker.threshold:.2f} (chosen by train CV)",
        f"{'':26}" + "".join(f"{n:>12}" for n in names),
    ]
    for key in ("queries", "map@1", "map@5", "map@10", "precision_at_threshold", "recall_at_threshold"):
        cells = "".join(f"{result[n][key]:>12}" if key == "queries" else f"{result[n][key]:>12.4f}" for n in names)
        lines.append(f"{key:26}{cells}")
    lines.append(f"index {result['index_seconds']} s, search {result['search_ms_per_query']} ms/query (dev)")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
