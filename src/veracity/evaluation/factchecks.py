"""``veracity eval factchecks``: MAP@5 of fact-check search on CheckThat! 2022 Task 2A English (dev qrels).

The metric is the official CheckThat! 2022 Task 2A one: for each query, rank by score, AP@5 = (sum over the relevant
items in the top 5 of precision at their rank) / (number of relevant items for the query); MAP@5 is the mean over the
queries in the qrels. The 14,231 vclaims are imported into a temporary (or given) database, then every query is searched.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from veracity.evaluation._data import data_dir

__all__ = ["DESCRIPTION", "add_arguments", "average_precision_at_k", "map_at_k", "run"]

DESCRIPTION = "MAP@5 of fact-check search on CheckThat! 2022 Task 2A English dev (previously fact-checked claims)"
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``veracity eval factchecks``."""
    parser.add_argument("--split", choices=sorted(QRELS), default="dev", help="which qrels to score (default dev)")
    parser.add_argument("--db", metavar="PATH", help="reuse this database (imported if empty); default a temporary one")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    """Import the vclaims, search every query of the split, print MAP@5 (and MAP@1/@10, recall@30)."""
    from veracity.stores import open_store
    from veracity.stores.importers import read_records
    from veracity.stores.records import FactCheckRecord

    root = data_dir(args.data, required=DATASET) / DATASET / TASK_DIR
    qrels = read_qrels(root / QRELS[args.split])
    queries = read_queries(root / QUERIES)
    missing = [q for q in qrels if q not in queries]
    if missing:
        sys.stderr.write(f"veracity: {len(missing)} qrel queries have no text in {QUERIES}\n")
    with tempfile.TemporaryDirectory(prefix="veracity-eval-") as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "factchecks.sqlite3"
        store = open_store(db)
        try:
            started = time.perf_counter()
            if store.count() == 0:
                store.upsert(
                    r for _, r in read_records(root / "vclaims.jsonl", "checkthat") if isinstance(r, FactCheckRecord)
                )
            store.update_index()
            build_seconds = time.perf_counter() - started
            ids = [q for q in qrels if q in queries]
            started = time.perf_counter()
            results = store.search_many([queries[q] for q in ids], top_k=10)
            search_seconds = time.perf_counter() - started
        finally:
            store.close()
    rankings = {q: [m.id for m in matches] for q, matches in zip(ids, results, strict=True)}
    result = {
        "task": "CheckThat! 2022 Task 2A English",
        "split": args.split,
        "queries": len(qrels),
        "map@1": round(map_at_k(rankings, qrels, 1), 4),
        "map@5": round(map_at_k(rankings, qrels, 5), 4),
        "map@10": round(map_at_k(rankings, qrels, 10), 4),
        "index_seconds": round(build_seconds, 1),
        "search_ms_per_query": round(1000 * search_seconds / max(1, len(ids)), 2),
    }
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        sys.stdout.write(
            f"{result['task']} {args.split} ({result['queries']} queries): MAP@5 {result['map@5']:.4f} "
            f"(MAP@1 {result['map@1']:.4f}, MAP@10 {result['map@10']:.4f}); index {result['index_seconds']} s, "
            f"search {result['search_ms_per_query']} ms/query\n"
        )
    return 0
