"""Would more pair-only features lift the fact-check re-ranker? Train-CV and dev, side by side, per feature set.

    python training/factcheck_features.py [--data ../shared/data] [--db /tmp/ct22.sqlite3]

Same protocol as ``training/factcheck_reranker.py`` (``veracity.evaluation.factchecks``): candidates from the hybrid
retriever of a store holding the 14,231 CheckThat! 2022 2A vclaims, 5-fold CV on train split by query (seed 13), L2 1.0,
the threshold by F0.5 over the out-of-fold tops (every query also with its relevant fact-checks removed), the
same-claim check applied at that threshold; dev is scored once per set and chooses nothing. Every added feature is a
function of the (query, record) pair alone, so scores would stay independent of the rest of the store:

- ``pred_missing``: the claim's stored predicate (``veracity.stores.predicate``) shares no lemma with the query;
- ``summary_overlap``, ``bigram_claim``, ``jaccard``: more word overlaps (summary, claim bigrams, Jaccard);
- ``num_clash``: both hold numbers and none is shared;
- ``max_sent_claim``, ``max_sent_sum``: the best cosine of any sentence of the (cleaned) query with the claim vector
  and with claim + context (a tweet often holds the claim in one of several sentences; costs one embedding per
  sentence at search time).

Needs only numpy. Takes ~10 CPU-minutes once the vclaims are indexed (the query-sentence embeddings dominate).
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from veracity.evaluation.factchecks import (  # noqa: E402
    QRELS,
    Example,
    at_threshold,
    best_threshold,
    build_store,
    cross_validate,
    fit,
    load_split,
    map_at_k,
    read_qrels,
    score_rows,
)
from veracity.stores.predicate import _lemmas, claim_predicate, decode_predicate  # noqa: E402
from veracity.stores.text import clean_query, content_tokens, tokenize  # noqa: E402

EXTRA = (
    "pred_missing",
    "summary_overlap",
    "bigram_claim",
    "jaccard",
    "num_clash",
    "max_sent_claim",
    "max_sent_sum",
)
SETS: tuple[tuple[str, ...], ...] = (
    (),
    ("pred_missing",),
    ("summary_overlap",),
    ("bigram_claim",),
    ("jaccard",),
    ("num_clash",),
    ("max_sent_claim",),
    ("max_sent_sum",),
    ("max_sent_claim", "max_sent_sum"),
    ("pred_missing", "bigram_claim", "max_sent_claim", "max_sent_sum"),
    EXTRA,
)
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _bigrams(tokens: list[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(tokens))


def extra_features(store: object, query: str, keys: list[int], records: dict) -> np.ndarray:
    """The :data:`EXTRA` columns for one query's candidates."""
    index = store._get_index()  # type: ignore[attr-defined]
    q = clean_query(query) or query
    lemmas, qtok = _lemmas(q), tokenize(q)
    qset, qbi = set(qtok), _bigrams(qtok)
    qnum = {n.replace(",", "") for n in _NUM.findall(q)}
    stored = store.predicates_by_rowid(keys)  # type: ignore[attr-defined]
    dense, context = index._load_dense(), index._context()
    both = np.atleast_2d(np.asarray(dense.get(np.array(keys, dtype=np.uint64)), dtype=np.float32))
    pos = np.searchsorted(context[1], np.array(keys, dtype=np.int64))
    ctx = np.asarray(context[0][pos], dtype=np.float32)
    parts = [p for p in _SENTENCE.split(q) if len(p.split()) >= 3] or [q]
    pv = index._embed_queries(parts[:4])
    sent_claim, sent_sum = (pv @ (both - ctx).T).max(0), (pv @ both.T).max(0)
    rows = []
    for j, key in enumerate(keys):
        rec = records[key]
        pred = decode_predicate(stored[key]) if key in stored else claim_predicate(rec.claim)
        ctok = tokenize(rec.claim)
        cset, cbi, stok = set(ctok), _bigrams(ctok), content_tokens(rec.summary)
        cnum = {n.replace(",", "") for n in _NUM.findall(f"{rec.claim} {rec.title}")}
        rows.append(
            (
                1.0 if pred and not (pred & lemmas) else 0.0,
                len(stok & qset) / len(stok) if stok else 0.0,
                len(qbi & cbi) / len(cbi) if cbi else 0.0,
                len(cset & qset) / len(cset | qset) if cset | qset else 0.0,
                1.0 if qnum and cnum and not (qnum & cnum) else 0.0,
                float(sent_claim[j]),
                float(sent_sum[j]),
            )
        )
    return np.array(rows, dtype=np.float64).reshape(len(keys), len(EXTRA))


def candidate_rows(store: object, queries: dict[str, str], qrels: dict[str, set[str]]) -> list[tuple]:
    """(qid, query, record ids, base features, extra features, labels, claims) for every query in ``qrels``."""
    index = store._get_index()  # type: ignore[attr-defined]
    ids = [q for q in qrels if q in queries]
    out = []
    for start in range(0, len(ids), 128):
        chunk = ids[start : start + 128]
        raw, records, context = index.retrieve([queries[q] for q in chunk])
        for qid, entry in zip(chunk, raw, strict=True):
            keys, x = index.features(entry, records, context)
            if not keys:
                continue
            extra = extra_features(store, queries[qid], keys, records)
            labels = np.array([records[k].id in qrels[qid] for k in keys], float)
            out.append(
                (
                    qid,
                    queries[qid],
                    [records[k].id for k in keys],
                    x,
                    extra,
                    labels,
                    tuple(records[k].claim for k in keys),
                )
            )
    return out


def examples_for(rows: list[tuple], columns: tuple[str, ...]) -> list[Example]:
    """Examples with the base features plus ``columns``, each query as is and with its relevant records removed."""
    cols = [EXTRA.index(c) for c in columns]
    out = []
    for qid, query, ids, x, extra, y, claims in rows:
        xx = np.hstack([x, extra[:, cols]]) if cols else x
        out.append(Example(qid, ids, xx, y, False, query, claims))
        keep = [i for i, label in enumerate(y) if not label]
        out.append(
            Example(
                qid, [ids[i] for i in keep], xx[keep], np.zeros(len(keep)), True, query, tuple(claims[i] for i in keep)
            )
        )
    return out


def main() -> int:
    """Print train-CV and dev numbers for each feature set of :data:`SETS`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--db", default="/tmp/veracity-ct22-train.sqlite3")
    args = parser.parse_args()
    root, queries = load_split(args.data)
    qrels = {split: read_qrels(root / name) for split, name in QRELS.items()}
    store = build_store(root, Path(args.db))
    try:
        train_rows = candidate_rows(store, queries, qrels["train"])
        dev_rows = candidate_rows(store, queries, qrels["dev"])
    finally:
        store.close()
    print(
        "| features | train-CV MAP@5 | dev MAP@5 | threshold | train-CV P / R | dev P / R |\n|---|---|---|---|---|---|"
    )
    for columns in SETS:
        train, dev = examples_for(train_rows, columns), examples_for(dev_rows, columns)
        _, tops = cross_validate(train, qrels["train"], 1.0)
        threshold, _ = best_threshold(tops)
        gated_rankings, gated_tops = cross_validate(train, qrels["train"], 1.0, gate_at=threshold)
        cv = at_threshold(gated_tops, threshold)
        model = fit(train, 1.0)
        dev_rankings, dev_tops = score_rows(dev, model, gate_at=threshold)
        dv = at_threshold(dev_tops, threshold)
        name = "base (shipped)" if not columns else "+ " + ", ".join(columns)
        print(
            f"| {name} | {map_at_k(gated_rankings, qrels['train'], 5):.4f} | {map_at_k(dev_rankings, qrels['dev'], 5):.4f} "
            f"| {threshold:.2f} | {cv['precision']:.3f} / {cv['recall']:.3f} | {dv['precision']:.3f} / {dv['recall']:.3f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
