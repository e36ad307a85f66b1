"""Train the fact-check re-ranker (a logistic model over retrieval features) on the CheckThat! 2022 2A train qrels.

    python training/factcheck_reranker.py [--data ../shared/data] [--db /tmp/ct22.sqlite3]

Writes ``src/veracity/models/factcheck-reranker/reranker.json`` and its MANIFEST.json; prints the numbers for the card.
Needs only numpy (no torch). Candidates come from the same ``HybridIndex.retrieve`` that search uses, so the features
at training and at run time are computed by one function.

Calibration for stores that do *not* hold the claim: every train query is also used a second time with its relevant
fact-checks removed from the candidates (all labels 0), so a high cosine alone does not make a match. The match
threshold is the score that maximises F0.5 (precision weighs double) of "best candidate shown and correct" over the
out-of-fold predictions for both copies.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from veracity.evaluation._data import data_dir  # noqa: E402
from veracity.evaluation.factchecks import (  # noqa: E402
    DATASET,
    QRELS,
    QUERIES,
    TASK_DIR,
    map_at_k,
    read_qrels,
    read_queries,
)
from veracity.models.loading import write_manifest  # noqa: E402
from veracity.stores import open_store  # noqa: E402
from veracity.stores.importers import read_records  # noqa: E402
from veracity.stores.records import FactCheckRecord  # noqa: E402
from veracity.stores.search import FEATURES  # noqa: E402

OUT = ROOT / "src" / "veracity" / "models" / "factcheck-reranker"
SEED = 13
L2 = 1.0
#: F-beta used to choose the match threshold (0.5: precision counts twice as much as recall)
BETA = 0.5


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, iters: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (x already standardised)."""
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


def build(args: argparse.Namespace):
    root = data_dir(args.data, required=DATASET) / DATASET / TASK_DIR
    store = open_store(args.db)
    if store.count() == 0:
        store.upsert(r for _, r in read_records(root / "vclaims.jsonl", "checkthat") if isinstance(r, FactCheckRecord))
    store.update_index()
    queries = read_queries(root / QUERIES)
    return store, root, queries


def examples(store, queries: dict[str, str], qrels: dict[str, set[str]], with_negatives: bool):
    """Per query: (query id, candidate ids, features, labels, is_negative_copy)."""
    index = store._get_index()
    ids = [q for q in qrels if q in queries]
    raw, records, titles = index.retrieve([queries[q] for q in ids])
    out = []
    for qid, entry in zip(ids, raw, strict=True):
        gold = qrels[qid]
        keys, x = index.features(entry, records, titles)
        out.append(
            (qid, [records[k].id for k in keys], x, np.array([records[k].id in gold for k in keys], float), False)
        )
        if with_negatives:
            gold_keys = {k for k in entry[0] if k in records and records[k].id in gold}
            keys, x = index.features(entry, records, titles, exclude=gold_keys)
            out.append((qid, [records[k].id for k in keys], x, np.zeros(len(keys)), True))
    return out


def stack(rows):
    return np.vstack([r[2] for r in rows]), np.concatenate([r[3] for r in rows])


def rank_map(rows, qrels, weights, bias, mean, scale, k=5) -> float:
    rankings = {}
    for qid, ids, x, _y, neg in rows:
        if neg:
            continue
        s = ((x - mean) / scale) @ weights + bias
        rankings[qid] = [ids[i] for i in np.argsort(-s, kind="stable")]
    return map_at_k(rankings, qrels, k)


def best_threshold(tops: list[tuple[float, bool, bool]], beta: float = BETA) -> tuple[float, dict[str, float]]:
    """Threshold on the best candidate's score that maximises F-beta of shown-and-correct matches (beta < 1 weighs
    precision more: a wrong fact-check under a claim costs more than a missing one)."""
    positives = sum(1 for _s, _c, neg in tops if not neg)
    best: tuple[float, float, dict[str, float]] = (0.0, 0.5, {})
    for t in np.linspace(0.05, 0.95, 91):
        shown = [(c, neg) for s, c, neg in tops if s >= t]
        correct = sum(1 for c, neg in shown if c and not neg)
        precision = correct / len(shown) if shown else 0.0
        recall = correct / positives if positives else 0.0
        b2 = beta * beta
        f = (1 + b2) * precision * recall / (b2 * precision + recall) if precision + recall else 0.0
        if f > best[0]:
            best = (f, float(t), {"precision": precision, "recall": recall, f"f{beta:g}": f})
    return best[1], best[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--db", default="/tmp/veracity-ct22-train.sqlite3")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--dry-run", action="store_true", help="print metrics, write nothing")
    args = parser.parse_args()
    store, root, queries = build(args)
    train_qrels = read_qrels(root / QRELS["train"])
    dev_qrels = read_qrels(root / QRELS["dev"])
    train = examples(store, queries, train_qrels, with_negatives=True)
    dev = examples(store, queries, dev_qrels, with_negatives=True)

    # baseline: cosine only
    cos_only = np.zeros(len(FEATURES))
    cos_only[0] = 1.0
    zeros, ones = np.zeros(len(FEATURES)), np.ones(len(FEATURES))
    print(
        f"dense cosine only: train MAP@5 {rank_map(train, train_qrels, cos_only, 0, zeros, ones):.4f}, dev {rank_map(dev, dev_qrels, cos_only, 0, zeros, ones):.4f}"
    )

    # out-of-fold predictions on train for the threshold and an honest train number
    rng = np.random.default_rng(SEED)
    qids = sorted(train_qrels)
    fold_of = {q: i % args.folds for i, q in enumerate(rng.permutation(qids))}
    tops: list[tuple[float, bool, bool]] = []
    oof_rankings: dict[str, list[str]] = {}
    for fold in range(args.folds):
        fit_rows = [r for r in train if fold_of[r[0]] != fold]
        x, y = stack(fit_rows)
        mean, scale = x.mean(0), x.std(0) + 1e-9
        w, b = fit_logistic((x - mean) / scale, y)
        for qid, ids, xq, yq, neg in (r for r in train if fold_of[r[0]] == fold):
            if not ids:
                continue
            p = 1 / (1 + np.exp(-(((xq - mean) / scale) @ w + b)))
            order = np.argsort(-p, kind="stable")
            tops.append((float(p[order[0]]), bool(yq[order[0]]), neg))
            if not neg:
                oof_rankings[qid] = [ids[i] for i in order]
    threshold, threshold_stats = best_threshold(tops)
    oof_map = map_at_k(oof_rankings, train_qrels, 5)

    x, y = stack(train)
    mean, scale = x.mean(0), x.std(0) + 1e-9
    w, b = fit_logistic((x - mean) / scale, y)
    dev_map = rank_map(dev, dev_qrels, w, b, mean, scale)
    dev_tops = []
    for _qid, ids, xq, yq, neg in dev:
        if ids:
            p = 1 / (1 + np.exp(-(((xq - mean) / scale) @ w + b)))
            j = int(np.argmax(p))
            dev_tops.append((float(p[j]), bool(yq[j]), neg))
    shown = [(c, neg) for s, c, neg in dev_tops if s >= threshold]
    dev_precision = sum(1 for c, neg in shown if c and not neg) / max(1, len(shown))
    dev_recall = sum(1 for c, neg in shown if c and not neg) / max(1, sum(1 for *_x, neg in dev_tops if not neg))
    metrics = {
        "train_oof_map@5": round(oof_map, 4),
        "dev_map@5": round(dev_map, 4),
        "match_threshold": round(threshold, 3),
        "train_oof_threshold": {k: round(v, 4) for k, v in threshold_stats.items()},
        "dev_at_threshold": {"precision": round(dev_precision, 4), "recall": round(dev_recall, 4)},
        "train_pairs": len(y),
    }
    print(json.dumps(metrics, indent=2))
    print("weights:", dict(zip(FEATURES, np.round(w, 3).tolist(), strict=True)), "bias", round(b, 3))
    if args.dry_run:
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    data = {
        "features": list(FEATURES),
        "weights": [round(float(v), 6) for v in w],
        "bias": round(b, 6),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "match_threshold": round(threshold, 3),
        "metrics": metrics,
        "seed": SEED,
        "l2": L2,
        "threshold_beta": BETA,
    }
    (OUT / "reranker.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    write_manifest(OUT, {"artifact": "factcheck-reranker", "kind": "logistic re-ranker (JSON)"})
    print(f"wrote {OUT / 'reranker.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
