"""``veracity eval techniques``: SemEval-2020 Task 11 scores of the shipped technique model on PTC.

* ``--split dev`` (default): span identification (SI) on the 75 dev articles against the gold span boundaries of
  ``dev-task-TC-template.out`` (dev technique labels were never published in this copy, so neither TC nor the full
  task can be scored on dev), and the "none" answer: the share of dev sentences without any gold technique that
  ``classify_techniques`` calls "no technique recognised", and the share of gold spans it wrongly calls so.
* ``--split train``: SI, the full task (span + technique, ``labelled_span_scores``), SI per technique and technique
  classification (TC) on the 321 train articles. The shipped model was trained on them, so these numbers are
  optimistic; the honest numbers are the cross-validated ones, produced by ``training/train_techniques.py --cv 5``
  and quoted in the model card (printed here from the manifest).

SI follows the official scorer: overlapping spans merged on each side, partial-overlap credit, micro over all spans of
all articles (``veracity.evaluation.spans``). Spans are decoded exactly as the analyzer decodes them, with PTC's lines
(one sentence per line) as the sentences.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from veracity.evaluation._data import data_dir
from veracity.evaluation.spans import labelled_span_scores, si_scores

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


def _lines(text: str) -> list[tuple[int, int]]:
    """PTC's sentences: the non-blank lines of an article, as character ranges."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def evaluate(split: str, root: Path, limit: int = 0) -> dict[str, Any]:
    """Score the shipped model on ``split`` of the PTC folder ``root``; returns the numbers as a dict."""
    import numpy as np

    from veracity.analyzers import _techniques_decode as dec
    from veracity.analyzers.techniques import LABELS, get_model

    model = get_model()
    texts = _read_articles(root / f"{split}-articles", limit)
    label_file = "dev-task-TC-template.out" if split == "dev" else "train-task2-TC.labels"
    rows = _read_labels(root / label_file, texts)
    started = time.perf_counter()
    gold: dict[str, list[tuple[int, int, str]]] = {a: [] for a in texts}
    for art, label, s, e in rows:
        gold[art].append((s, e, label))
    pred: dict[str, list[tuple[int, int, str]]] = {}
    tc_probs, tc_keys, tc_gold, tc_none = [], [], [], []
    free_none = free_total = 0
    cut = model.none_threshold
    for art, text in texts.items():
        ids, offsets = model.encode(text)
        if len(ids) == 0:
            pred[art] = []
            continue
        probs, hidden = model.token_outputs(ids)
        lines = _lines(text)
        pred[art] = [(s, e, label) for s, e, label, *_ in model.tag_outputs(text, offsets, probs, hidden, lines)]
        for s, e in lines:
            if not any(min(e, ge) > max(s, gs) for gs, ge, _ in gold[art]):
                a, b = dec.span_tokens(offsets, s, e)
                free_total += 1
                free_none += int(model.presence(probs, a, b) < cut)
        for s, e, label in gold[art]:
            a, b = dec.span_tokens(offsets, s, e)
            tc_none.append(model.presence(probs, a, b) < cut)
            if split == "train":
                tc_probs.append(model.rank(hidden, a, b))
                tc_keys.append((art, s, e))
                tc_gold.append(LABELS.index(label))
    seconds = time.perf_counter() - started
    si = si_scores(
        {a: [(s, e) for s, e, _ in g] for a, g in gold.items()}, {a: [(s, e) for s, e, _ in p] for a, p in pred.items()}
    )
    result: dict[str, Any] = {
        "split": split,
        "articles": len(texts),
        "decoding": {k: v for k, v in model.decoding.items() if k != "none"},
        "si": _as_dict(si),
        "none": {
            "threshold": cut,
            "sentences_without_technique": free_total,
            "none_share": free_none / free_total if free_total else 0.0,
            "gold_spans": len(tc_none),
            "gold_spans_none_share": sum(tc_none) / len(tc_none) if tc_none else 0.0,
        },
        "seconds": round(seconds, 2),
        "predicted_per_technique": {k: sum(1 for p in pred.values() for x in p if x[2] == k) for k in LABELS},
    }
    if split == "train":
        result["full_task"] = _as_dict(labelled_span_scores(gold, pred))
        ranked = dec.assign_duplicates(np.stack(tc_probs), tc_keys)
        correct = [int(p == g) for p, g in zip(ranked, tc_gold, strict=True)]
        per: dict[str, Any] = {}
        for k, name in enumerate(LABELS):
            gold_k = {a: [(s, e) for s, e, lab in g if lab == name] for a, g in gold.items()}
            pred_k = {a: [(s, e) for s, e, lab in p if lab == name] for a, p in pred.items()}
            tp = sum(1 for p, g in zip(ranked, tc_gold, strict=True) if p == g == k)
            n_pred = sum(1 for p in ranked if p == k)
            n_gold = sum(1 for g in tc_gold if g == k)
            prec, rec = (tp / n_pred if n_pred else 0.0), (tp / n_gold if n_gold else 0.0)
            per[name] = {
                "gold": n_gold,
                "si_f1": si_scores(gold_k, pred_k).f1,
                "tc_f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
            }
        n = len(tc_gold)
        result["tc"] = {
            "micro_f1": sum(correct) / n if n else 0.0,
            "micro_f1_with_none": sum(c for c, none in zip(correct, tc_none, strict=True) if not none) / n
            if n
            else 0.0,
            "n": n,
        }
        result["per_technique"] = per
    return result


def _as_dict(sc: Any) -> dict[str, Any]:
    return {"precision": sc.precision, "recall": sc.recall, "f1": sc.f1, "gold": sc.n_gold, "pred": sc.n_pred}


def _cv_numbers() -> dict[str, Any] | None:
    from veracity.analyzers.techniques import ARTIFACT
    from veracity.models.loading import manifest

    return manifest(ARTIFACT).get("cv")


def _none_cv() -> dict[str, Any] | None:
    from veracity.analyzers.techniques import get_model

    calibration = get_model().decoding.get("none")
    return calibration.get("cv") if calibration else None


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
    if "full_task" in result:
        ft = result["full_task"]
        print(
            f"full task (span + technique)  P {ft['precision']:.4f}  R {ft['recall']:.4f}  F1 {ft['f1']:.4f}"
            f"  (gold {ft['gold']}, predicted {ft['pred']})"
        )
    else:
        print("full task (span + technique): not scorable on dev (this copy of PTC hides the dev labels)")
    if "tc" in result:
        tc = result["tc"]
        print(
            f"TC  micro-F1 {tc['micro_f1']:.4f} over {tc['n']} gold spans; {tc['micro_f1_with_none']:.4f} when a"
            " gold span answered 'none' counts as wrong"
        )
    none = result["none"]
    print(
        f"none (threshold {none['threshold']:.4f}): {none['none_share']:.4f} of {none['sentences_without_technique']}"
        f" sentences without a gold technique answered 'no technique recognised';"
        f" {none['gold_spans_none_share']:.4f} of {none['gold_spans']} gold spans too"
    )
    cv = _cv_numbers()
    if cv:
        line = f"5-fold CV over train articles (from training, not re-run here): SI F1 {cv['si_f1']:.4f}"
        if "full_task_f1" in cv:
            line += f", full task F1 {cv['full_task_f1']:.4f}"
        line += f", TC micro-F1 {cv['tc_micro_f1']:.4f}"
        print(line)
    calib = _none_cv()
    if calib:
        print(
            f"'none' calibration, {calib['folds']}-fold CV on train: {calib['none_share_sentences_without_technique']:.4f}"
            f" of sentences without a technique, {calib['none_share_gold_spans']:.4f} of gold spans"
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
