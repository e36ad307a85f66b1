"""Choose the evidence corpus's retrieval recipe by cross-validation on Climate-FEVER claims grouped by claim.

The corpus is every Climate-FEVER evidence sentence (one document each, titled with its Wikipedia article), exactly as
``veracity eval evidence`` builds it; a claim's gold passages are its SUPPORTS/REFUTES evidence. Recipes compared on
the same vectors and BM25 scores (brute force, so the numbers are about the recipe, not HNSW recall):

* dense only, BM25 only, reciprocal-rank fusion (RRF, k and weights), a score mix ``α·cos + (1-α)·bm25/max``,
* query expansion: dense pseudo-relevance feedback (the query vector moved toward its top passages, Rocchio),
* an article prior: a passage's score raised by how well the other passages of its document/title match,
* a learned re-ranker: logistic regression over those per-candidate features, fitted on the training folds.

Recipes with free parameters are chosen on the training folds of 5-fold CV grouped by claim and scored on the held-out
fold; the table prints CV recall@5 (mean of held-out folds) and the full-set number side by side.

    pip install scikit-learn   # training only
    nice -n 10 python training/tune_retrieval.py --data ../shared/data [--json results.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from veracity.evaluation.evidence import climate_fever_corpus
from veracity.stores.corpus import dense_text
from veracity.stores.text import clean_query, tokenize

SEED = 13
K = 5
POOL = 50


def embed_all(docs: dict[str, dict[str, str]], claims: list[str], cache: Path) -> dict[str, np.ndarray]:
    """Vectors of passages (title + sentence, as the store embeds them), titles and claims; cached in ``cache``."""
    if cache.is_file():
        data = np.load(cache)
        return {k: data[k] for k in data.files}
    from veracity.models.embedder import get_embedder

    emb = get_embedder()
    ids = list(docs)
    titles = sorted({d["title"] for d in docs.values()})
    started = time.perf_counter()
    out = {
        "passages": emb.embed([dense_text(docs[i]["title"], docs[i]["text"]) for i in ids], batch_size=64),
        "sentences": emb.embed([docs[i]["text"] for i in ids], batch_size=64),
        "titles": emb.embed(titles, batch_size=64),
        "claims": emb.embed([" ".join(c.split()) for c in claims], batch_size=64),
    }
    print(f"embedded in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    np.savez(cache, **out)
    return out


def bm25_matrix(docs: dict[str, dict[str, str]], claims: list[str], k1: float, b: float) -> np.ndarray:
    """BM25 (Lucene variant, as bm25s) of every claim against every passage's title + sentence: (claims, passages)."""
    import bm25s

    corpus = [tokenize(f"{d['title']} {d['text']}") for d in docs.values()]
    retriever = bm25s.BM25(k1=k1, b=b)
    retriever.index(corpus, show_progress=False)
    vocab = retriever.vocab_dict
    out = np.zeros((len(claims), len(corpus)), dtype=np.float32)
    for i, c in enumerate(claims):
        known = [t for t in tokenize(clean_query(c) or c) if t in vocab]
        if known:
            out[i] = retriever.get_scores(known)
    return out


def recall_at(scores: np.ndarray, gold: list[np.ndarray], rows: np.ndarray, k: int = K) -> float:
    """Mean recall@k over ``rows`` (each row: a claim's scores over every passage)."""
    vals = []
    for r in rows:
        top = np.argpartition(-scores[r], k)[:k]
        vals.append(len(set(top.tolist()) & set(gold[r].tolist())) / len(gold[r]))
    return float(np.mean(vals))


def ranks_of(scores: np.ndarray) -> np.ndarray:
    """0-based rank of each passage per row (0 = best)."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ranks = np.empty_like(order)
    rows = np.arange(scores.shape[0])[:, None]
    ranks[rows, order] = np.arange(scores.shape[1])[None, :]
    return ranks


def rrf(rank_lists: list[np.ndarray], weights: list[float], k: float, pool: int = POOL) -> np.ndarray:
    """Weighted reciprocal-rank fusion of rankings, each cut at ``pool`` candidates as the store does."""
    out = np.zeros(rank_lists[0].shape, dtype=np.float64)
    for ranks, w in zip(rank_lists, weights, strict=True):
        out += np.where(ranks < pool, w / (k + ranks + 1), 0.0)
    return out


def group_scores(scores: np.ndarray, groups: np.ndarray, top: int = 3) -> np.ndarray:
    """Per row and passage: the mean of the best ``top`` scores among the passages of the same group (title)."""
    n_groups = int(groups.max()) + 1
    out = np.zeros_like(scores)
    order = np.argsort(groups, kind="stable")
    bounds = np.searchsorted(groups[order], np.arange(n_groups + 1))
    for g in range(n_groups):
        members = order[bounds[g] : bounds[g + 1]]
        if len(members) == 0:
            continue
        block = scores[:, members]
        t = min(top, len(members))
        best = -np.sort(-block, axis=1)[:, :t].mean(axis=1)
        out[:, members] = best[:, None]
    return out


def expansion(
    docs: dict[str, dict[str, str]], claims: list[str], cos: np.ndarray, bm_norm: dict[Any, np.ndarray], report: Any
) -> None:
    """BM25 query expansion (pseudo-relevance feedback, RM3-like): the ``n`` most frequent new terms of the top ``m``
    passages of the shipped mix are added to the claim's BM25 query, then mixed again with the same weights."""
    import bm25s

    prm = (1.2, 0.4)
    toks = [tokenize(f"{d['title']} {d['text']}") for d in docs.values()]
    retriever = bm25s.BM25(k1=prm[0], b=prm[1])
    retriever.index(toks, show_progress=False)
    vocab = retriever.vocab_dict
    base = 0.75 * cos + 0.25 * bm_norm[prm]
    report("mix a=0.75, bm25 (1.2, 0.4) (shipped, all passages)", {"-": base})
    recipes = {}
    for m, n in itertools.product([3, 5], [3, 6, 10]):
        top = np.argsort(-base, axis=1)[:, :m]
        out = np.zeros_like(cos)
        for i, c in enumerate(claims):
            query = [t for t in tokenize(clean_query(c) or c) if t in vocab]
            counts: dict[str, int] = {}
            for j in top[i]:
                for t in toks[j]:
                    if t not in query and t in vocab:
                        counts[t] = counts.get(t, 0) + 1
            extra = sorted(counts, key=lambda t: (-counts[t], t))[:n]
            if query or extra:
                sc = retriever.get_scores(query + extra)
                out[i] = sc / max(float(sc.max()), 1e-9)
        recipes[(m, n)] = 0.75 * cos + 0.25 * out
    report("mix with BM25 query expansion (m passages, n terms)", recipes)


def main() -> int:
    """Print the table of recipes (CV recall@5 grouped by claim, and full-set recall@5)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="../shared/data")
    p.add_argument("--cache", default="/tmp/veracity-cf-vectors.npz", help="vector cache (not in the repository)")
    p.add_argument("--json", help="write the results here")
    p.add_argument(
        "--only-expansion", action="store_true", help="only the shipped mix and BM25 query expansion (a few minutes)"
    )
    args = p.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    docs, claims, gold_ids = climate_fever_corpus(Path(args.data) / "climate-fever" / "climate-fever.jsonl")
    ids = list(docs)
    index = {d: i for i, d in enumerate(ids)}
    keep = np.array([i for i, g in enumerate(gold_ids) if g])
    gold = [np.array(sorted(index[x] for x in g)) for g in gold_ids]
    vec = embed_all(docs, claims, Path(args.cache))
    title_names = sorted({d["title"] for d in docs.values()})
    title_of = np.array([title_names.index(docs[i]["title"]) for i in ids])

    cos = vec["claims"] @ vec["passages"].T
    cos_sent = vec["claims"] @ vec["sentences"].T
    cos_title = (vec["claims"] @ vec["titles"].T)[:, title_of]
    bm = {(k1, b): bm25_matrix(docs, claims, k1, b) for k1, b in [(1.5, 0.75), (1.2, 0.4), (0.9, 0.4)]}
    dense_r = ranks_of(cos)
    results: dict[str, dict[str, float]] = {}
    folds = list(GroupKFold(n_splits=5).split(keep, groups=keep))

    def per_row(scores: np.ndarray) -> np.ndarray:
        """Recall@5 of each kept claim."""
        out = np.empty(len(keep))
        for j, r in enumerate(keep):
            top = np.argpartition(-scores[r], K)[:K]
            out[j] = len(set(top.tolist()) & set(gold[r].tolist())) / len(gold[r])
        return out

    def report(name: str, recipes: dict[object, Any]) -> None:
        """CV: pick the parameter on the training folds, score the held-out fold; full: the best on all claims."""
        table = {prm: per_row(make() if callable(make) else make) for prm, make in recipes.items()}
        held = 0.0
        chosen = []
        for tr, te in folds:
            best = max(table, key=lambda prm: table[prm][tr].mean())
            chosen.append(best)
            held += table[best][te].sum()
        cv = held / len(keep)
        full_best = max(table, key=lambda prm: table[prm].mean())
        results[name] = {
            "cv_recall@5": round(cv, 4),
            "full_recall@5": round(float(table[full_best].mean()), 4),
            "chosen": str(full_best),
            "fold_choices": [str(c) for c in chosen],
        }
        print(f"{name:<44} cv {cv:.4f}  full {results[name]['full_recall@5']:.4f}  ({full_best})", flush=True)

    bm_norm = {prm: m / np.maximum(m.max(axis=1, keepdims=True), 1e-9) for prm, m in bm.items()}
    bm_r = {prm: ranks_of(m) for prm, m in bm.items()}
    if args.only_expansion:
        expansion(docs, claims, cos, bm_norm, report)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
        return 0
    report("dense (title + sentence)", {"-": cos})
    report("dense (sentence only)", {"-": cos_sent})
    report("bm25", dict(bm))
    report("rrf k=60 (shipped before)", {"-": rrf([dense_r, bm_r[(1.5, 0.75)]], [1, 1], 60)})
    report(
        "rrf (k, dense weight, bm25 params)",
        {
            (k, w, prm): (lambda k=k, w=w, prm=prm: rrf([dense_r, bm_r[prm]], [w, 1.0], k))
            for k, w, prm in itertools.product([10, 30, 60], [1.0, 1.5, 2.0, 3.0], bm)
        },
    )
    report(
        "mix a*cos + (1-a)*bm25/max",
        {
            (a, prm): (lambda a=a, prm=prm: a * cos + (1 - a) * bm_norm[prm])
            for a, prm in itertools.product([0.5, 0.6, 0.7, 0.8, 0.9], bm)
        },
    )
    # query expansion: Rocchio on the dense side (q + beta * mean of the top m passages), then the best mix
    prf = {}
    for m, beta in itertools.product([3, 5, 10], [0.3, 0.6, 1.0]):
        top = np.argsort(-cos, axis=1)[:, :m]
        q = vec["claims"] + beta * vec["passages"][top].mean(axis=1)
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        prf[(m, beta)] = q @ vec["passages"].T
    report("dense + PRF (m, beta)", prf)
    report(
        "mix with PRF dense (m, beta, a, bm25)",
        {
            (m, beta, a, prm): (lambda m=m, beta=beta, a=a, prm=prm: a * prf[(m, beta)] + (1 - a) * bm_norm[prm])
            for (m, beta), a, prm in itertools.product(prf, [0.6, 0.7, 0.8], bm)
        },
    )
    # article prior: how well the passage's article (title) matches, from the other passages' scores
    grp = {t: group_scores(cos, title_of, t) for t in (1, 3)}
    report(
        "mix + article prior (a, g, top, bm25)",
        {
            (a, g, t, prm): (lambda a=a, g=g, t=t, prm=prm: a * cos + (1 - a) * bm_norm[prm] + g * grp[t])
            for a, g, t, prm in itertools.product([0.7, 0.8, 0.9], [0.1, 0.2, 0.4], grp, bm)
        },
    )
    report(
        "mix + title cosine (a, g, bm25)",
        {
            (a, g, prm): (lambda a=a, g=g, prm=prm: a * cos + (1 - a) * bm_norm[prm] + g * cos_title)
            for a, g, prm in itertools.product([0.7, 0.8, 0.9], [0.1, 0.2, 0.4], bm)
        },
    )
    expansion(docs, claims, cos, bm_norm, report)
    # the runtime recipe: candidates are the top POOL of each retriever only (as CorpusStore.search_many), then mixed
    pool_mask = {prm: (dense_r < POOL) | (bm_r[prm] < POOL) for prm in bm}
    report(
        "mix on the runtime pool (a, bm25)",
        {
            (a, prm): (lambda a=a, prm=prm: np.where(pool_mask[prm], a * cos + (1 - a) * bm_norm[prm], -9.0))
            for a, prm in itertools.product([0.6, 0.65, 0.7, 0.75, 0.8, 0.85], bm)
        },
    )
    report(
        "mix + title cosine on the runtime pool (a, g, bm25)",
        {
            (a, g, prm): (
                lambda a=a, g=g, prm=prm: np.where(
                    pool_mask[prm], a * cos + (1 - a) * bm_norm[prm] + g * cos_title, -9.0
                )
            )
            for a, g, prm in itertools.product([0.7, 0.75, 0.8, 0.85], [0.05, 0.1, 0.15, 0.2], bm)
        },
    )
    # learned re-ranker over the candidate pool (top POOL dense ∪ top POOL bm25), features known at query time
    prm0 = max(bm, key=lambda prm: recall_at(bm[prm], gold, keep))
    bmr = bm_r[prm0]
    best_prf = prf[(5, 0.6)]
    feats = np.stack(
        [
            cos,
            bm_norm[prm0],
            1.0 / (1 + dense_r),
            1.0 / (1 + bmr),
            grp[3],
            best_prf,
            cos - cos.max(axis=1, keepdims=True),
        ],
        axis=-1,
    )
    pool = (dense_r < POOL) | (bmr < POOL)
    held = []
    for tr, te in folds:
        rows = keep[tr]
        xs, ys = [], []
        for r in rows:
            cand = np.flatnonzero(pool[r])
            xs.append(feats[r, cand])
            ys.append(np.isin(cand, gold[r]))
        model = LogisticRegression(C=1.0, max_iter=2000).fit(np.concatenate(xs), np.concatenate(ys))
        score = np.full(cos.shape, -1e9)
        for r in keep[te]:
            cand = np.flatnonzero(pool[r])
            score[r, cand] = model.decision_function(feats[r, cand])
        held.append(recall_at(score, gold, keep[te]) * len(te))
    cv = sum(held) / len(keep)
    results["learned re-ranker (logistic, 7 features)"] = {"cv_recall@5": round(cv, 4)}
    print(f"{'learned re-ranker (logistic, 7 features)':<44} cv {cv:.4f}", flush=True)
    hit = {}
    for name, scores in [("dense", cos), ("rrf60", rrf([dense_r, bm_r[(1.5, 0.75)]], [1, 1], 60))]:
        hit[name] = float(np.mean([bool(set(np.argsort(-scores[r])[:K]) & set(gold[r])) for r in keep]))
    results["hit@5"] = hit
    results["oracle_recall@5 (gold capped at 5)"] = {
        "value": round(float(np.mean([min(len(gold[r]), K) / len(gold[r]) for r in keep])), 4)
    }
    print(json.dumps({k: results[k] for k in ("hit@5", "oracle_recall@5 (gold capped at 5)")}), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
