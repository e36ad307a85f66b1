"""Train the stance head (claim × passage → supports / refutes / not_enough_info) over the shipped MiniLM embedder.

Data (all from ../shared/data; read each SOURCE.md for the terms):
  * Climate-FEVER claim–evidence pairs (7,675; the evidence label per pair),
  * ANLI R1–R3 dev (3,200; entailment → supports, contradiction → refutes, neutral → not_enough_info),
  * CheckThat! 2022 2A train qrels (tweet, verified claim) as agreeing paraphrases (supports),
  * contradictions generated from claims: negation (flips supports ↔ refutes), antonyms, changed numbers and years
    (supports → refutes); each generated pair stays in its source claim's CV group.
FEVER-Symmetric dev is never read here: it is the held-out evaluation (``veracity eval evidence``).

Recipe chosen by 5-fold cross-validation grouped by claim on Climate-FEVER (all other data in every training fold);
the CV macro-F1 of the chosen recipe and the FEVER-Symmetric dev accuracy are written into the card.

    pip install scikit-learn   # training only
    nice -n 10 python training/train_stance.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

from veracity.models.embedder import get_embedder
from veracity.models.loading import MODELS_DIR, write_manifest
from veracity.models.stance import ANTONYMS, ARTIFACT, LABELS, LEXICAL, pair_features

SEED = 13
SUP, REF, NEI = 0, 1, 2
_CF = {"SUPPORTS": SUP, "REFUTES": REF, "NOT_ENOUGH_INFO": NEI}
_AUX = re.compile(r"\b(is|are|was|were|will|can|could|should|would|has|have|had|does|do|did|may|might|must)\b( not\b)?")


def negate(text: str) -> str:
    """The claim negated: 'not' added after (or removed from) the first auxiliary, else 'It is not true that …'."""
    m = _AUX.search(text)
    if m:
        if m.group(2):
            return text[: m.start(2)] + text[m.end(2) :]
        if m.group(1) == "can":
            return text[: m.start(1)] + "cannot" + text[m.end(1) :]
        return text[: m.end(1)] + " not" + text[m.end(1) :]
    body = text.strip()
    return "It is not true that " + body[:1].lower() + body[1:]


def antonym(text: str) -> str | None:
    """The first word with a known antonym swapped, or None."""
    for m in re.finditer(r"[A-Za-z]+", text):
        other = ANTONYMS.get(m.group().lower())
        if other:
            return text[: m.start()] + other + text[m.end() :]
    return None


def change_number(text: str, evidence: str, rng: random.Random) -> str | None:
    """A number (or year) of the claim that also appears in the evidence, changed; None when there is none."""
    for m in re.finditer(r"\b\d+(?:\.\d+)?\b", text):
        if m.group() not in evidence:
            continue
        value = float(m.group())
        if 1800 <= value <= 2100 and "." not in m.group():
            new = str(int(value) + rng.choice([-30, -20, -12, 12, 20, 30]))
        elif value == 0:
            new = str(rng.randint(2, 9))
        else:
            factor = rng.choice([0.25, 0.5, 2, 3, 10])
            new = f"{value * factor:g}"
        return text[: m.start()] + new + text[m.end() :]
    return None


def load(data: Path, rng: random.Random) -> tuple[list[tuple[str, str, int, str, str]], list[tuple[str, str, int]]]:
    """Training rows (claim, passage, label, group, source) and the FEVER-Symmetric dev pairs (never trained on)."""
    rows: list[tuple[str, str, int, str, str]] = []

    def augment(claim: str, ev: str, label: int, group: str) -> None:
        if label in (SUP, REF):
            rows.append((negate(claim), ev, REF if label == SUP else SUP, group, "generated-negation"))
        if label == SUP:
            a = antonym(claim)
            if a:
                rows.append((a, ev, REF, group, "generated-antonym"))
            n = change_number(claim, ev, rng)
            if n:
                rows.append((n, ev, REF, group, "generated-number"))

    for line in (data / "climate-fever" / "climate-fever.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        group = f"cf-{obj['claim_id']}"
        for ev in obj["evidences"]:
            label = _CF[ev["evidence_label"]]
            rows.append((obj["claim"], ev["evidence"], label, group, "climate-fever"))
            augment(obj["claim"], ev["evidence"], label, group)
    nli = {"e": SUP, "c": REF, "n": NEI}
    for r in ("R1", "R2", "R3"):
        for line in (data / "anli" / r / "dev.jsonl").open(encoding="utf-8"):
            obj = json.loads(line)
            group = f"anli-{obj['uid']}"
            rows.append((obj["hypothesis"], obj["context"], nli[obj["label"]], group, "anli"))
            augment(obj["hypothesis"], obj["context"], nli[obj["label"]], group)
    ct = data / "checkthat-claim-retrieval-en" / "ct2022-task2a"
    vclaims = {}
    for line in (ct / "vclaims.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        vclaims[obj["vclaim_id"]] = obj["vclaim"]
    with (ct / "CT2022-Task2A-EN-Train-Dev_Queries.tsv").open(encoding="utf-8") as fh:
        tweets = {r[0]: r[1] for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if len(r) >= 2}
    with (ct / "CT2022-Task2A-EN-Train_QRELs.tsv").open(encoding="utf-8") as fh:
        for r in csv.reader(fh, delimiter="\t"):
            if len(r) >= 3 and r[0] in tweets and r[2] in vclaims:
                group = f"ct-{r[0]}"
                rows.append((tweets[r[0]], vclaims[r[2]], SUP, group, "checkthat"))
                rows.append((negate(vclaims[r[2]]), tweets[r[0]], REF, group, "generated-negation"))
    sym = []
    for line in (data / "fever-symmetric" / "fever_symmetric_dev.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        sym.append((obj["claim"], obj["evidence"], SUP if obj["label"] == "SUPPORTS" else REF))
    return rows, sym


def embed_all(texts: list[str], cache: Path) -> dict[str, np.ndarray]:
    """Vectors for unique texts (cached in ``cache`` between runs of this script)."""
    unique = sorted(set(texts))
    known: dict[str, np.ndarray] = {}
    if cache.is_file():
        z = np.load(cache, allow_pickle=False)
        known = dict(zip(z["texts"].tolist(), z["vecs"], strict=True))
    todo = [t for t in unique if t not in known]
    if todo:
        started = time.perf_counter()
        vecs = get_embedder().embed(todo, batch_size=64)
        print(f"embedded {len(todo)} texts in {time.perf_counter() - started:.0f}s", file=sys.stderr)
        known.update(zip(todo, vecs, strict=True))
        np.savez(cache, texts=np.array(list(known)), vecs=np.stack(list(known.values())))
    return known


def features(pairs: list[tuple[str, str]], vec: dict[str, np.ndarray]) -> np.ndarray:
    """Pair features exactly as the runtime computes them."""
    u = np.stack([vec[c] for c, _ in pairs])
    v = np.stack([vec[p] for _, p in pairs])
    return pair_features(u, v, [c for c, _ in pairs], [p for _, p in pairs])


def make(kind: str, c: float) -> object:
    """A fresh classifier of the recipe ``kind``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    if kind == "logreg":
        return LogisticRegression(C=c, max_iter=300, class_weight="balanced", random_state=SEED)
    return MLPClassifier(
        hidden_layer_sizes=(128,), alpha=c, max_iter=60, early_stopping=True, random_state=SEED, batch_size=256
    )


def export_layers(model: object) -> list[list[list[float]]]:
    """The classifier as [W, b] layers for the numpy runtime."""
    if hasattr(model, "coefs_"):
        return [[w.tolist(), b.tolist()] for w, b in zip(model.coefs_, model.intercepts_, strict=True)]
    return [[model.coef_.T.tolist(), model.intercept_.tolist()]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--cache", default="/tmp/veracity-stance-vectors.npz")
    ap.add_argument("--recipes", default="logreg:0.1,logreg:1,mlp:0.001")
    ap.add_argument("--out", default=str(MODELS_DIR / ARTIFACT))
    args = ap.parse_args()
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import GroupKFold
    from sklearn.preprocessing import StandardScaler

    rng = random.Random(SEED)
    np.random.seed(SEED)
    rows, sym = load(Path(args.data), rng)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[4]] = counts.get(r[4], 0) + 1
    print("training rows by source:", counts, file=sys.stderr)
    vec = embed_all(
        [r[0] for r in rows] + [r[1] for r in rows] + [s[0] for s in sym] + [s[1] for s in sym], Path(args.cache)
    )
    x = features([(r[0], r[1]) for r in rows], vec)
    y = np.array([r[2] for r in rows])
    groups = np.array([r[3] for r in rows])
    is_cf = np.array([r[4] == "climate-fever" for r in rows])
    cf_group = np.array([g.startswith("cf-") for g in groups])
    x_sym = features([(s[0], s[1]) for s in sym], vec)
    y_sym = np.array([s[2] for s in sym])

    results = {}
    folds = list(GroupKFold(n_splits=5).split(x[cf_group], y[cf_group], groups[cf_group]))
    cf_idx = np.flatnonzero(cf_group)
    other_idx = np.flatnonzero(~cf_group)
    for recipe in args.recipes.split(","):
        kind, c = recipe.split(":")
        started = time.perf_counter()
        pred = np.full(len(y), -1)
        for train_f, test_f in folds:
            train = np.concatenate([cf_idx[train_f], other_idx])
            test = cf_idx[test_f]
            scaler = StandardScaler().fit(x[train])
            model = make(kind, float(c))
            model.fit(scaler.transform(x[train]), y[train])
            pred[test] = model.predict(scaler.transform(x[test]))
        mask = is_cf & (pred >= 0)
        f1 = f1_score(y[mask], pred[mask], average="macro")
        results[recipe] = f1
        print(
            f"{recipe}: Climate-FEVER grouped 5-fold CV macro-F1 {f1:.3f} ({time.perf_counter() - started:.0f}s)",
            file=sys.stderr,
        )
    best = max(results, key=results.get)
    kind, c = best.split(":")
    scaler = StandardScaler().fit(x)
    model = make(kind, float(c))
    model.fit(scaler.transform(x), y)
    probs = model.predict_proba(scaler.transform(x_sym))
    acc2 = accuracy_score(y_sym, np.argmax(probs[:, :2], axis=1))
    acc3 = accuracy_score(y_sym, np.argmax(probs, axis=1))
    # the claim-only shortcut check: the same recipe on the claim vector alone
    claim_only = np.stack([vec[r[0]] for r in rows])
    sc2 = StandardScaler().fit(claim_only)
    m2 = make("logreg", 1.0)
    m2.fit(sc2.transform(claim_only), y)
    p2 = m2.predict_proba(sc2.transform(np.stack([vec[s[0]] for s in sym])))
    acc_claim_only = accuracy_score(y_sym, np.argmax(p2[:, :2], axis=1))
    print(
        f"chosen {best}; FEVER-Symmetric dev accuracy (supports vs refutes) {acc2:.3f}, 3-way argmax {acc3:.3f}; "
        f"claim-only baseline {acc_claim_only:.3f}",
        file=sys.stderr,
    )

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    head = {
        "labels": list(LABELS),
        "lexical": list(LEXICAL),
        "recipe": best,
        "mean": scaler.mean_.tolist(),
        "scale": scaler.scale_.tolist(),
        "layers": export_layers(model),
        "temperature": 1.0,
    }
    (out / "head.json").write_text(json.dumps(head, separators=(",", ":")), encoding="utf-8")
    metrics = {
        "cv_macro_f1_climate_fever": {k: round(v, 4) for k, v in results.items()},
        "chosen": best,
        "fever_symmetric_dev_accuracy_2way": round(acc2, 4),
        "fever_symmetric_dev_accuracy_3way": round(acc3, 4),
        "fever_symmetric_claim_only_baseline": round(acc_claim_only, 4),
        "training_rows": counts,
        "seed": SEED,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    write_manifest(out, {"name": ARTIFACT, "base": "minilm-l6-v2-int8 (shared, not shipped again)"})
    print(json.dumps(metrics, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
