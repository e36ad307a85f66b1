"""``veracity eval techniques``: SemEval-2020 Task 11 scores of the shipped technique model on PTC.

* ``--split dev`` (default): span identification (SI) on the 75 dev articles against the gold span boundaries of
  ``dev-task-TC-template.out`` (dev technique labels were never published in this copy, so no TC on dev).
* ``--split train``: SI per technique and technique classification (TC) on the 321 train articles. The shipped model
  was trained on them, so these numbers are optimistic; the honest TC number is the cross-validated one, produced by
  ``training/train_techniques.py --cv 5`` on a GPU and quoted in the model card (printed here from the manifest).

SI follows the official scorer: overlapping spans merged on each side, partial-overlap credit, micro over all spans of
all articles (``veracity.evaluation.spans``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from veracity.evaluation._data import data_dir
from veracity.evaluation.spans import si_scores

DESCRIPTION = "propaganda technique spans (SemEval-2020 T11): SI on PTC dev, per-technique SI and TC on train"
DATASET = "ptc-semeval2020-task11"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``veracity eval techniques``."""
    parser.add_argument("--split", choices=["dev", "train"], default="dev", help="dev: SI (default); train: SI + TC")
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="only the first N articles (quick checks)")
    parser.add_argument("--json", metavar="FILE", default=None, help="also write the numbers as JSON to FILE")


def _read_articles(folder: Path, limit: int) -> dict[str, str]:
    paths = sorted(folder.glob("article*.txt"))
    if limit:
        paths = paths[:limit]
    return {p.stem.removeprefix("article"): p.read_text(encoding="utf-8") for p in paths}


def _read_labels(path: Path, keep: dict[str, str]) -> list[tuple[str, str, int, int]]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            art, label, start, end = line.rstrip("\n").split("\t")
            if art in keep:
                rows.append((art, label, int(start), int(end)))
    return rows


def evaluate(split: str, root: Path, limit: int = 0) -> dict[str, Any]:
    """Score the shipped model on ``split`` of the PTC folder ``root``; returns the numbers as a dict."""
    from veracity.analyzers import _techniques_decode as dec
    from veracity.analyzers.techniques import LABELS, get_model

    model = get_model()
    texts = _read_articles(root / f"{split}-articles", limit)
    label_file = "dev-task-TC-template.out" if split == "dev" else "train-task2-TC.labels"
    rows = _read_labels(root / label_file, texts)
    started = time.perf_counter()
    gold_any: dict[str, list[tuple[int, int]]] = {a: [] for a in texts}
    for art, _, s, e in rows:
        gold_any[art].append((s, e))
    pred_any: dict[str, list[tuple[int, int]]] = {}
    pred_by_label: dict[str, dict[str, list[tuple[int, int]]]] = {k: {} for k in LABELS}
    tc_probs, tc_keys, tc_gold = [], [], []
    for art, text in texts.items():
        tagged = model.tag(text)
        pred_any[art] = [(s, e) for s, e, *_ in tagged]
        for s, e, label, *_ in tagged:
            pred_by_label[label].setdefault(art, []).append((s, e))
        if split == "train":
            ids, offsets = model.encode(text)
            _, hidden = model.token_outputs(ids)
            for a_id, label, s, e in rows:
                if a_id == art:
                    a, b = dec.span_tokens(offsets, s, e)
                    tc_probs.append(model.rank(hidden, a, b))
                    tc_keys.append((art, s, e))
                    tc_gold.append(LABELS.index(label))
    seconds = time.perf_counter() - started
    si = si_scores(gold_any, pred_any)
    result: dict[str, Any] = {
        "split": split,
        "articles": len(texts),
        "decoding": model.decoding,
        "si": {"precision": si.precision, "recall": si.recall, "f1": si.f1, "gold": si.n_gold, "pred": si.n_pred},
        "seconds": round(seconds, 2),
        "predicted_per_technique": {k: sum(len(v) for v in pred_by_label[k].values()) for k in LABELS},
    }
    if split == "train":
        import numpy as np

        pred = dec.assign_duplicates(np.stack(tc_probs), tc_keys)
        correct = sum(int(p == g) for p, g in zip(pred, tc_gold, strict=True))
        per: dict[str, Any] = {}
        for k, name in enumerate(LABELS):
            gold_k = {a: [(s, e) for a2, lab, s, e in rows if a2 == a and lab == name] for a in texts}
            sk = si_scores(gold_k, pred_by_label[name])
            tp = sum(1 for p, g in zip(pred, tc_gold, strict=True) if p == g == k)
            n_pred = sum(1 for p in pred if p == k)
            n_gold = sum(1 for g in tc_gold if g == k)
            prec, rec = (tp / n_pred if n_pred else 0.0), (tp / n_gold if n_gold else 0.0)
            per[name] = {
                "gold": n_gold,
                "si_f1": sk.f1,
                "tc_f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
            }
        result["tc"] = {"micro_f1": correct / len(tc_gold) if tc_gold else 0.0, "n": len(tc_gold)}
        result["per_technique"] = per
    return result


def _cv_numbers() -> dict[str, Any] | None:
    from veracity.analyzers.techniques import ARTIFACT
    from veracity.models.loading import manifest

    return manifest(ARTIFACT).get("cv")


def run(args: argparse.Namespace) -> int:
    """Print the SemEval scores of the shipped model (and the cross-validated numbers from training)."""
    root = data_dir(args.data, required=DATASET) / DATASET
    result = evaluate(args.split, root, args.limit)
    si = result["si"]
    seen = " (articles seen in training: optimistic)" if args.split == "train" else ""
    print(f"techniques on PTC {args.split}: {result['articles']} articles, {result['seconds']} s{seen}")
    print(f"decoding: {json.dumps(result['decoding'], sort_keys=True)}")
    print(
        f"SI  P {si['precision']:.4f}  R {si['recall']:.4f}  F1 {si['f1']:.4f}  (gold {si['gold']}, predicted {si['pred']})"
    )
    if "tc" in result:
        print(f"TC  micro-F1 {result['tc']['micro_f1']:.4f} over {result['tc']['n']} gold spans")
    cv = _cv_numbers()
    if cv:
        print(
            f"5-fold CV over train articles (from training, not re-run here): SI F1 {cv['si_f1']:.4f}, TC micro-F1 {cv['tc_micro_f1']:.4f}"
        )
    print()
    header = f"{'technique':38} {'predicted':>9}"
    if "per_technique" in result:
        header += f" {'gold':>6} {'SI F1':>7} {'TC F1':>7}"
    if cv and "tc_per_technique" in cv:
        header += f" {'CV TC F1':>9}"
    print(header)
    for name, n in result["predicted_per_technique"].items():
        line = f"{name:38} {n:9d}"
        if "per_technique" in result:
            row = result["per_technique"][name]
            line += f" {row['gold']:6d} {row['si_f1']:7.3f} {row['tc_f1']:7.3f}"
        if cv and "tc_per_technique" in cv:
            line += f" {cv['tc_per_technique'].get(name, 0.0):9.3f}"
        print(line)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0
