"""Leave-one-dataset-out (LODO) evaluation of check-worthiness recipes: train without a dataset's source, test on it.

Five test sets, each with the training sources it must not see (its own source; training text is also de-duplicated
against the test set):

    ct24-dev-test             CT24 English dev-test          (no ClaimBuster / CT24 train or dev in training)
    claimbuster-crowdsourced  ClaimBuster crowdsourced.csv   (= CT24 train; same exclusion)
    ct22-tweets-dev           CT22 1A tweets dev             (no CT22 1A train, no CT22 1B claim tweets)
    ct21-tweets-dev           CT21 1A tweets dev             (no CT21 1A tweets)
    ct21-debates-dev          CT21 1B debates dev            (no CT21 1B debate train)

The decision threshold is chosen on the training sources only: a stratified 10% slice of every training source is
held out of fitting, and the threshold maximises F1 on that slice (``--threshold pooled``) or the mean F1 over the
slices of each source (``--threshold per-source``, so one threshold means the same on every source).

Recipes here are frozen-encoder heads (the shipped all-MiniLM-L6-v2 int8 sentence embeddings + logistic regression),
cheap enough for the 2-core CPU machine: every fold of every recipe takes seconds once the ~40k sentences are
embedded (cached under ``--cache``). The fine-tuned recipe's LODO numbers need a GPU (see the card).

    python training/lodo_claims.py --recipe base        # today's data mix (ct24, ct22, ct21tweets), pooled threshold
    python training/lodo_claims.py --all --json src/veracity/data/claims_lodo.json
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from veracity.evaluation import claims as ev  # noqa: E402

CT = "checkthat-checkworthiness-en"
#: test set -> sources it excludes from training
FOLDS: dict[str, set[str]] = {
    "ct24-dev-test": {"claimbuster", "cbgt"},
    "claimbuster-crowdsourced": {"claimbuster", "cbgt"},
    "ct22-tweets-dev": {"ct22", "ct22claims"},
    "ct21-tweets-dev": {"ct21tweets"},
    "ct21-debates-dev": {"ct21debates"},
}
#: recipe -> (training sources, agreement weight for ClaimBuster rows outside the stricter NCS sets or None,
#: per-source balancing of the loss, threshold rule, L2 strength C)
RECIPES: dict[str, dict[str, Any]] = {
    "base": {"sources": ["claimbuster", "ct22", "ct21tweets"], "agree": None, "balance": False, "threshold": "pooled"},
    "varied": {
        "sources": ["claimbuster", "cbgt", "ct22", "ct21tweets", "ct21debates", "ct22claims"],
        "agree": None,
        "balance": False,
        "threshold": "pooled",
    },
    "varied-agree": {
        "sources": ["claimbuster", "cbgt", "ct22", "ct21tweets", "ct21debates", "ct22claims"],
        "agree": 0.5,
        "balance": False,
        "threshold": "pooled",
    },
    "varied-balanced": {
        "sources": ["claimbuster", "cbgt", "ct22", "ct21tweets", "ct21debates", "ct22claims"],
        "agree": None,
        "balance": True,
        "threshold": "per-source",
    },
    "varied-agree-balanced": {
        "sources": ["claimbuster", "cbgt", "ct22", "ct21tweets", "ct21debates", "ct22claims"],
        "agree": 0.5,
        "balance": True,
        "threshold": "per-source",
    },
    "varied-agree-balanced-types": {
        "sources": ["claimbuster", "cbgt", "ct22", "ct21tweets", "ct21debates", "ct22claims"],
        "agree": 0.5,
        "balance": True,
        "threshold": "per-source",
        "types": True,
    },
    "varied-agree-types": {
        "sources": ["claimbuster", "cbgt", "ct22", "ct21tweets", "ct21debates", "ct22claims"],
        "agree": 0.5,
        "balance": False,
        "threshold": "pooled",
        "types": True,
    },
    "base-types": {
        "sources": ["claimbuster", "ct22", "ct21tweets"],
        "agree": None,
        "balance": False,
        "threshold": "pooled",
        "types": True,
    },
    "varied-agree-balanced-c0.1": {
        "sources": ["claimbuster", "cbgt", "ct22", "ct21tweets", "ct21debates", "ct22claims"],
        "agree": 0.5,
        "balance": True,
        "threshold": "per-source",
        "C": 0.1,
    },
    "base-inner": {
        "sources": ["claimbuster", "ct22", "ct21tweets"],
        "agree": None,
        "balance": False,
        "threshold": "inner-lodo",
    },
    "varied-agree-inner": {
        "sources": ["claimbuster", "cbgt", "ct22", "ct21tweets", "ct21debates", "ct22claims"],
        "agree": 0.5,
        "balance": False,
        "threshold": "inner-lodo",
    },
    "varied-agree-balanced-inner": {
        "sources": ["claimbuster", "cbgt", "ct22", "ct21tweets", "ct21debates", "ct22claims"],
        "agree": 0.5,
        "balance": True,
        "threshold": "inner-lodo",
    },
    "varied-agree-balanced-c0.03": {
        "sources": ["claimbuster", "cbgt", "ct22", "ct21tweets", "ct21debates", "ct22claims"],
        "agree": 0.5,
        "balance": True,
        "threshold": "per-source",
        "C": 0.03,
    },
    "varied-agree-balanced-c0.01": {
        "sources": ["claimbuster", "cbgt", "ct22", "ct21tweets", "ct21debates", "ct22claims"],
        "agree": 0.5,
        "balance": True,
        "threshold": "per-source",
        "C": 0.01,
    },
    "varied-agree-balanced-c0.1-inner": {
        "sources": ["claimbuster", "cbgt", "ct22", "ct21tweets", "ct21debates", "ct22claims"],
        "agree": 0.5,
        "balance": True,
        "threshold": "inner-lodo",
        "C": 0.1,
    },
    "base-c0.1": {
        "sources": ["claimbuster", "ct22", "ct21tweets"],
        "agree": None,
        "balance": False,
        "threshold": "pooled",
        "C": 0.1,
    },
    "base-balanced": {
        "sources": ["claimbuster", "ct22", "ct21tweets"],
        "agree": None,
        "balance": True,
        "threshold": "per-source",
    },
}

#: sources that come from the same collection (left out together when choosing an inner-LODO threshold)
GROUP = {"cbgt": "claimbuster", "ct22claims": "ct22"}

Row = tuple[str, int, float]  # text, label, agreement (1.0 = in ClaimBuster's stricter NCS sets or not ClaimBuster)


def load_sources(data: Path, seed: int) -> tuple[dict[str, list[Row]], dict[str, list[Row]]]:
    """(training sources, test sets) as rows; CT21 debate train negatives subsampled to 4,000 (1% positives)."""
    ct = data / CT
    ncs: set[int] = set()
    for name in ("2xNCS.json", "2.5xNCS.json", "3xNCS.json"):
        ncs |= {int(x["sentence_id"]) for x in json.loads((data / "claimbuster" / name).read_text(encoding="utf-8"))}

    def claimbuster(name: str) -> list[Row]:
        with (data / "claimbuster" / name).open(encoding="utf-8", newline="") as fh:
            return [
                (r["Text"], int(r["Verdict"] == "1"), 1.0 if int(r["Sentence_id"]) in ncs else 0.0)
                for r in csv.DictReader(fh)
            ]

    def plain(rows: list[tuple[str, int]]) -> list[Row]:
        return [(t, y, 1.0) for t, y in rows]

    debates = ev.load_ct21_debates(ct / "ct2021-task1b-debates" / "train")
    rng = random.Random(seed)
    neg = [r for r in debates if not r[1]]
    debates = [r for r in debates if r[1]] + rng.sample(neg, min(4000, len(neg)))
    t21 = "ct2021-task1a-tweets"
    sources = {
        "claimbuster": claimbuster("crowdsourced.csv"),
        "cbgt": claimbuster("groundtruth.csv"),
        "ct22": plain(ev.load_tweets(ct / "ct2022-task1a-checkworthy-tweets/CT22_english_1A_checkworthy_train.tsv")),
        "ct21tweets": plain(
            ev.load_tweets(ct / t21 / "dataset_train_v1_english.tsv")
            + ev.load_tweets(ct / t21 / "dataset_test_english_gold.tsv")
        ),
        "ct21debates": plain(debates),
        "ct22claims": plain(ev.load_tweets(ct / "ct2022-task1b-claim-tweets/CT22_english_1B_claim_train.tsv")),
    }
    tests = {
        "ct24-dev-test": plain(ev.load_eval_set(ct, "ct24-dev-test")),
        "claimbuster-crowdsourced": claimbuster("crowdsourced.csv"),
        "ct22-tweets-dev": plain(ev.load_eval_set(ct, "ct22-1a-tweets-dev")),
        "ct21-tweets-dev": plain(ev.load_tweets(ct / t21 / "dataset_dev_v1_english.tsv")),
        "ct21-debates-dev": plain(ev.load_eval_set(ct, "ct21-1b-debates-dev")),
    }
    return sources, tests


def embed_all(texts: list[str], cache: Path) -> dict[str, np.ndarray]:
    """Sentence embeddings keyed by normalised text, computed once with the shipped int8 MiniLM and cached."""
    keys = sorted({ev.normalize(t) for t in texts})
    stored: dict[str, np.ndarray] = {}
    if cache.is_file():
        z = np.load(cache, allow_pickle=False)
        stored = dict(zip(z["keys"].tolist(), z["vectors"], strict=True))
    missing = [k for k in keys if k not in stored]
    if missing:
        from veracity.models.embedder import Embedder

        first = {}
        for t in texts:
            first.setdefault(ev.normalize(t), t)
        started = time.time()
        vectors = Embedder().embed([first[k] for k in missing], batch_size=64)
        print(f"embedded {len(missing)} sentences in {time.time() - started:.0f}s", flush=True)
        stored.update(zip(missing, vectors, strict=True))
        all_keys = sorted(stored)
        np.savez(cache, keys=np.array(all_keys), vectors=np.stack([stored[k] for k in all_keys]))
    return stored


def type_features(texts: list[str], cache: Path) -> dict[str, np.ndarray]:
    """``claim_types`` of every sentence as a 0/1 vector (TYPES order), keyed by normalised text, cached."""
    from veracity.claim_types import TYPES, claim_types

    first: dict[str, str] = {}
    for t in texts:
        first.setdefault(ev.normalize(t), t)
    stored: dict[str, np.ndarray] = {}
    if cache.is_file():
        z = np.load(cache, allow_pickle=False)
        stored = dict(zip(z["keys"].tolist(), z["vectors"], strict=True))
    missing = [k for k in sorted(first) if k not in stored]
    if missing:
        from veracity.models.loading import spacy_pipeline

        started = time.time()
        nlp = spacy_pipeline()
        for k, doc in zip(missing, nlp.pipe((first[k] for k in missing), batch_size=256), strict=True):
            found = claim_types(doc[:])
            stored[k] = np.array([float(name in found) for name in TYPES], dtype=np.float32)
        print(f"typed {len(missing)} sentences in {time.time() - started:.0f}s", flush=True)
        keys = sorted(stored)
        np.savez(cache, keys=np.array(keys), vectors=np.stack([stored[k] for k in keys]))
    return stored


def split(rows: list[Row], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Stratified by label: (fit indices, held-out indices)."""
    rng = random.Random(seed)
    fit, held = [], []
    for label in (0, 1):
        idx = [i for i, r in enumerate(rows) if r[1] == label]
        rng.shuffle(idx)
        k = round(len(idx) * fraction)
        held += idx[:k]
        fit += idx[k:]
    return sorted(fit), sorted(held)


def _features(recipe: dict[str, Any], vec: dict, key: str) -> np.ndarray:
    """The embedding, with the claim-type indicators appended when the recipe asks for them."""
    if recipe.get("types"):
        return np.concatenate([vec[key], vec[("types", key)]])
    return vec[key]


def make_classifier(recipe: dict[str, Any]) -> Any:
    """Logistic regression with balanced classes and the recipe's L2 strength ``C`` (default 1.0).

    A one-hidden-layer MLP head was tried too and dropped: 5-10 min per fold on the shared 2-core machine.
    """
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=recipe.get("C", 1.0), max_iter=2000, class_weight="balanced")


def fold_rows(
    recipe: dict[str, Any], test: str, sources: dict[str, list[Row]], tests: dict[str, list[Row]], seed: int
) -> list[tuple[str, str, int, float, str, bool]]:
    """Training rows of one fold: (text, key, label, weight, source, held out for the threshold).

    The test set's sources are left out, text is de-duplicated against the test set and across sources, and a
    stratified 10% of each source is held out of fitting (the threshold is chosen on it).
    """
    test_keys = {ev.normalize(t) for t, _, _ in tests[test]}
    seen: set[str] = set()
    out = []
    for s in (s for s in recipe["sources"] if s not in FOLDS[test]):
        rows = []
        for t, label, agree in sources[s]:
            k = ev.normalize(t)
            if not k or k in test_keys or k in seen:
                continue
            seen.add(k)
            rows.append((t, k, label, agree))
        held = set(split([(k, label, agree) for _, k, label, agree in rows], 0.1, seed)[1])
        for i, (t, k, label, agree) in enumerate(rows):
            weight = 1.0
            if recipe["agree"] is not None and s == "claimbuster" and agree < 1.0:
                weight = recipe["agree"]
            if recipe["balance"]:
                weight *= 10000.0 / len(rows)  # every source carries the same total weight
            out.append((t, k, label, weight, s, i in held))
    return out


def pick_threshold(recipe: dict[str, Any], y_held: np.ndarray, p_held: np.ndarray, src_held: np.ndarray) -> float:
    """``pooled``: best F1 on all held-out rows; ``per-source``: best mean F1 over each source's held-out rows."""
    if recipe["threshold"] == "pooled":
        return ev.best_threshold(y_held.tolist(), p_held.tolist())[0]
    grid = np.linspace(0.05, 0.95, 91)
    per = []
    for s in sorted(set(src_held.tolist())):
        m = src_held == s
        if y_held[m].sum() == 0:
            continue
        per.append([ev.prf(y_held[m].tolist(), (p_held[m] >= t).astype(int).tolist())["f1"] for t in grid])
    return float(grid[int(np.argmax(np.mean(per, axis=0)))])


def run_fold(
    recipe: dict[str, Any], test: str, sources: dict[str, list[Row]], tests: dict[str, list[Row]], vec: dict, seed: int
) -> dict[str, Any]:
    """Fit the recipe without the test set's sources, pick the threshold on held-out training slices, score the test."""
    rows = fold_rows(recipe, test, sources, tests, seed)
    X_ = np.stack([_features(recipe, vec, k) for _, k, _, _, _, _ in rows])
    y_ = np.array([r[2] for r in rows])
    w_ = np.array([r[3] for r in rows])
    src_of = [r[4] for r in rows]
    held_ = np.array([r[5] for r in rows])
    clf = make_classifier(recipe)
    clf.fit(X_[~held_], y_[~held_], sample_weight=w_[~held_])
    p_held = clf.predict_proba(X_[held_])[:, 1]
    if recipe["threshold"] == "inner-lodo":
        # the threshold that transfers to a source the model has not seen: for each training source, fit on the
        # others, take the best threshold on that source; use the median over sources
        src_all = np.array([GROUP.get(s, s) for s in src_of])
        found = []
        for s in sorted(set(src_all.tolist())):
            inner = (src_all != s) & ~held_
            if y_[src_all == s].sum() == 0 or len(set(y_[inner].tolist())) < 2:
                continue
            inner_clf = make_classifier(recipe)
            inner_clf.fit(X_[inner], y_[inner], sample_weight=w_[inner])
            p_s = inner_clf.predict_proba(X_[src_all == s])[:, 1]
            found.append(ev.best_threshold(y_[src_all == s].tolist(), p_s.tolist())[0])
        threshold = float(np.median(found))
    else:
        threshold = pick_threshold(recipe, y_[held_], p_held, np.array(src_of)[held_])
    Xt = np.stack([_features(recipe, vec, ev.normalize(t)) for t, _, _ in tests[test]])
    yt = [label for _, label, _ in tests[test]]
    scores = clf.predict_proba(Xt)[:, 1].tolist()
    out = ev.evaluate(scores, yt, threshold)
    out["threshold"] = round(threshold, 4)
    out["train_sources"] = sorted({r[4] for r in rows})
    out["n_train"] = int((~held_).sum())
    return out


def finetune_fold(
    recipe: dict[str, Any], test: str, sources: dict[str, list[Row]], tests: dict[str, list[Row]], args: Any
) -> dict[str, Any]:
    """The shipped recipe's model (MiniLM-L6 fine-tuned, ``train_claims.py``'s model and schedule) on one fold.

    Per-row weights (agreement, source balance) scale the BCE loss; the threshold is picked on the held-out training
    slices as for the frozen recipes; test scores are the fp32 torch model's (the int8 export moves F1 by ~0.01).
    Needs the ``[train]`` extra; meant for a GPU (hours per fold on 2 CPU cores). ``--limit`` makes a smoke run.
    """
    import torch

    import train_claims as tc

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    rows = fold_rows(recipe, test, sources, tests, args.seed)
    fit = [r for r in rows if not r[5]]
    held = [r for r in rows if r[5]]
    if args.limit:
        rng = random.Random(args.seed)
        fit, held = rng.sample(fit, min(args.limit, len(fit))), rng.sample(held, min(args.limit, len(held)))
    base = tc.base_dir(args.base)
    tok = tc.make_tokenizer(base, 128)
    model = tc.build_model(base, 1).to(device)
    enc = tok.encode_batch([r[0] for r in fit])
    labels = torch.tensor([float(r[2]) for r in fit])
    weights = torch.tensor([r[3] for r in fit])
    weights = weights / weights.mean()
    batch, steps = 32, math.ceil(len(fit) / 32) * args.epochs
    optimizer = torch.optim.AdamW(model.parameters(), lr=4e-5, weight_decay=0.01)
    warmup = int(steps * 0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / max(1, warmup) if s < warmup else max(0.0, (steps - s) / max(1, steps - warmup))
    )
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
    gen = torch.Generator().manual_seed(args.seed)
    for _ in range(args.epochs):
        model.train()
        perm = torch.randperm(len(fit), generator=gen).tolist()
        for start in range(0, len(perm), batch):
            idx = perm[start : start + batch]
            ids, mask = tc.pad([enc[i] for i in idx])
            logits = model(torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device)).float().squeeze(1)
            loss = (loss_fn(logits, labels[idx].to(device)) * weights[idx].to(device)).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
    p_held = np.array(tc.torch_scores(model, tok, [r[0] for r in held], device))
    threshold = pick_threshold(recipe, np.array([r[2] for r in held]), p_held, np.array([r[4] for r in held]))
    scores = tc.torch_scores(model, tok, [t for t, _, _ in tests[test]], device)
    out = ev.evaluate(scores, [label for _, label, _ in tests[test]], threshold)
    out.update(
        threshold=round(threshold, 4),
        train_sources=sorted({r[4] for r in rows}),
        n_train=len(fit),
        epochs=args.epochs,
        device=device,
        limit=args.limit,
    )
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the LODO table for one or all recipes; print it, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--recipe", default="base", help=f"comma list of {', '.join(RECIPES)}")
    parser.add_argument("--all", action="store_true", help="every recipe")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cache", default="/tmp/veracity-claims-lodo-embeddings.npz")
    parser.add_argument("--json", default=None, help="write the table as JSON here")
    parser.add_argument("--finetune", action="store_true", help="fine-tune MiniLM per fold instead (a GPU)")
    parser.add_argument("--folds", default=",".join(FOLDS), help="comma list of test sets (default: all five)")
    parser.add_argument("--epochs", type=int, default=3, help="--finetune: epochs (the shipped recipe: 3)")
    parser.add_argument("--base", default=None, help="--finetune: base model folder (default: the PyPI package)")
    parser.add_argument("--limit", type=int, default=0, help="--finetune: N training rows only (smoke runs)")
    args = parser.parse_args(argv)
    data = Path(args.data)
    sources, tests = load_sources(data, args.seed)
    folds = [f.strip() for f in args.folds.split(",") if f.strip()]
    if args.finetune:
        return _finetune_main(args, sources, tests, folds)
    texts = [t for rows in [*sources.values(), *tests.values()] for t, _, _ in rows]
    vec: dict[Any, np.ndarray] = dict(embed_all(texts, Path(args.cache)))
    recipes = list(RECIPES) if args.all else [r.strip() for r in args.recipe.split(",")]
    if any(RECIPES[r].get("types") for r in recipes):
        typed = type_features(texts, Path(args.cache).with_name("veracity-claims-lodo-types.npz"))
        vec.update({("types", k): v for k, v in typed.items()})
    table: dict[str, Any] = {}
    for name in recipes:
        table[name] = {test: run_fold(RECIPES[name], test, sources, tests, vec, args.seed) for test in FOLDS}
        table[name]["mean_f1"] = round(float(np.mean([table[name][t]["f1"] for t in FOLDS])), 4)
        table[name]["mean_ap"] = round(float(np.mean([table[name][t]["ap"] for t in FOLDS])), 4)
        row = " ".join(f"{table[name][t]['f1']:.3f}/{table[name][t]['ap']:.3f}" for t in FOLDS)
        print(f"{name:<24} {row}  mean F1 {table[name]['mean_f1']:.4f} AP {table[name]['mean_ap']:.4f}", flush=True)
    if args.json:  # merged into the record: rows of other recipes (and the fine-tuned ones) are kept
        out = Path(args.json)
        record = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {"recipes": {}, "notes": []}
        record["folds"] = list(FOLDS)
        for name, row in table.items():
            record["recipes"][f"frozen: {name}"] = {
                **row,
                "kind": "frozen all-MiniLM-L6-v2 int8 embeddings + logistic regression",
                "settings": RECIPES[name],
                "command": f"python training/lodo_claims.py --recipe {name} --json {args.json}",
            }
        out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0


def _finetune_main(args: Any, sources: dict[str, list[Row]], tests: dict[str, list[Row]], folds: list[str]) -> int:
    """``--finetune``: one fine-tuned model per fold and recipe; rows merged into ``--json`` as ``fine-tuned: NAME``."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for name in [r.strip() for r in args.recipe.split(",") if r.strip()]:
        recipe = RECIPES[name]
        if recipe["threshold"] == "inner-lodo" or recipe.get("types") or recipe.get("C"):
            raise SystemExit(f"--finetune: recipe {name} has frozen-head settings (inner-lodo, types, C)")
        row: dict[str, Any] = {}
        for test in folds:
            started = time.time()
            row[test] = finetune_fold(recipe, test, sources, tests, args)
            m = row[test]
            print(f"{name} {test}: F1 {m['f1']:.3f} AP {m['ap']:.3f} ({time.time() - started:.0f}s)", flush=True)
        if len(folds) == len(FOLDS):
            row["mean_f1"] = round(float(np.mean([row[t]["f1"] for t in FOLDS])), 4)
            row["mean_ap"] = round(float(np.mean([row[t]["ap"] for t in FOLDS])), 4)
        if args.json and not args.limit:
            out = Path(args.json)
            record = json.loads(out.read_text(encoding="utf-8"))
            record["recipes"][f"fine-tuned: {name}"] = {
                **row,
                "kind": "MiniLM-L6 fine-tuned per fold (fp32 torch scores)",
                "settings": recipe,
                "command": f"python training/lodo_claims.py --finetune --recipe {name} --json {args.json}",
            }
            out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
