"""Train the fact-check re-ranker (a logistic model over pair-only features) on the CheckThat! 2022 2A train qrels.

    python training/factcheck_reranker.py [--data ../shared/data] [--db /tmp/ct22.sqlite3]

Writes ``src/veracity/models/factcheck-reranker/reranker.json`` and its MANIFEST.json; prints the numbers for the card.
Needs only numpy (no torch). Candidates come from the same ``HybridIndex.retrieve`` that search uses (its top-30 dense
and top-30 BM25 records are the hard negatives), and features from the same ``HybridIndex.features``.

Everything is chosen by 5-fold cross-validation on train, split by query (``veracity.evaluation.factchecks``): the L2
strength by out-of-fold MAP@5, then the match threshold by F0.5 (precision counts double) of "best candidate shown and
correct" over the out-of-fold predictions, where every query also appears with its relevant fact-checks removed (so a
store that lacks the claim must not produce a confident match). Dev is scored once, at the end, and chooses nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from veracity.evaluation.factchecks import (  # noqa: E402
    BETA,
    FOLDS,
    QRELS,
    SEED,
    at_threshold,
    best_threshold,
    build_store,
    cross_validate,
    examples,
    fit,
    load_split,
    map_at_k,
    read_qrels,
    score_rows,
)
from veracity.models.loading import write_manifest  # noqa: E402
from veracity.stores.predicate import MISSING_PREDICATE_FACTOR  # noqa: E402
from veracity.stores.search import FEATURES  # noqa: E402

OUT = ROOT / "src" / "veracity" / "models" / "factcheck-reranker"
L2_GRID = (0.1, 1.0, 10.0, 100.0)


def main() -> int:
    """Cross-validate the recipe on train, fit on all of train, score dev once, write the artifact."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--db", default="/tmp/veracity-ct22-train.sqlite3")
    parser.add_argument("--dry-run", action="store_true", help="print metrics, write nothing")
    args = parser.parse_args()
    root, queries = load_split(args.data)
    store = build_store(root, Path(args.db))
    train_qrels = read_qrels(root / QRELS["train"])
    dev_qrels = read_qrels(root / QRELS["dev"])
    train = examples(store, queries, train_qrels)
    dev = examples(store, queries, dev_qrels)
    store.close()

    grid = {}
    for l2 in L2_GRID:
        rankings, tops = cross_validate(train, train_qrels, l2)
        grid[l2] = (map_at_k(rankings, train_qrels, 5), tops)
        print(f"L2 {l2:>6}: train-CV MAP@5 {grid[l2][0]:.4f}")
    l2 = max(L2_GRID, key=lambda v: (round(grid[v][0], 4), -abs(v - 1.0)))
    oof_map, tops = grid[l2]
    threshold, cv_at = best_threshold(tops)
    if threshold <= MISSING_PREDICATE_FACTOR:
        raise SystemExit(f"a match without its predicate could still reach the threshold {threshold}")
    # the numbers a reader sees: with the same-claim check search applies at the threshold
    _, gated_tops = cross_validate(train, train_qrels, l2, gate_at=threshold)
    cv_gated = at_threshold(gated_tops, threshold)

    model = fit(train, l2)
    dev_rankings, dev_tops = score_rows(dev, model)
    dev_map = map_at_k(dev_rankings, dev_qrels, 5)
    dev_at = at_threshold(dev_tops, threshold)
    _, dev_gated_tops = score_rows(dev, model, gate_at=threshold)
    dev_gated = at_threshold(dev_gated_tops, threshold)
    metrics = {
        "l2": l2,
        "train_cv_map@5": round(oof_map, 4),
        "dev_map@5": round(dev_map, 4),
        "match_threshold": threshold,
        "train_cv_at_threshold": {k: round(v, 4) for k, v in cv_at.items()},
        "dev_at_threshold": {k: round(v, 4) for k, v in dev_at.items()},
        "train_cv_at_threshold_with_check": {k: round(v, 4) for k, v in cv_gated.items()},
        "dev_at_threshold_with_check": {k: round(v, 4) for k, v in dev_gated.items()},
        "train_pairs": int(sum(len(r.y) for r in train)),
        "folds": FOLDS,
        "seed": SEED,
    }
    print(json.dumps(metrics, indent=2))
    print("weights:", dict(zip(FEATURES, [round(float(v), 3) for v in model["weights"]], strict=True)))
    if args.dry_run:
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    data = {
        "features": list(FEATURES),
        "weights": [round(float(v), 6) for v in model["weights"]],
        "bias": round(float(model["bias"]), 6),
        "mean": [round(float(v), 6) for v in model["mean"]],
        "scale": [round(float(v), 6) for v in model["scale"]],
        "match_threshold": threshold,
        "l2": l2,
        "threshold_beta": BETA,
        "metrics": metrics,
    }
    (OUT / "reranker.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    write_manifest(OUT, {"artifact": "factcheck-reranker", "kind": "logistic re-ranker (JSON)"})
    print(f"wrote {OUT / 'reranker.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
