"""Calibrate the technique model's "no technique recognised" answer on PTC train (CPU, the shipped int8 model).

``classify_techniques`` should say "none" for a passage the tagger sees no technique in, instead of always naming one.
The tagger's per-token outputs over a passage become a few features (``NONE_FEATURES`` in
``veracity.analyzers._techniques_decode``); a logistic regression separates PTC train sentences (lines) that hold no
gold technique from the gold technique spans. The threshold is the ``--quantile`` of the out-of-fold probabilities of
the technique-free sentences, with folds split by article (5-fold, seeded), so it is chosen on train only, never on
dev. The model and threshold go into ``decoding.json`` under "none"; ``veracity eval techniques`` measures them on dev.

    python training/calibrate_techniques.py --quantile 0.85 --write \
        --set-decoding '{"line_breaks": true, "split_sentences": true}'

(``--set-decoding`` merges span-hygiene switches into the same file; the manifest's checksums are rewritten.)

The token head was trained on these articles, but its outputs on technique-free train sentences and on dev ones are
alike (the share of sentences under a fixed score differs by < 0.04 between train and dev), so fitting on them is fair;
the span head, which does memorise train, plays no part.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

import numpy as np

from veracity.analyzers import _techniques_decode as dec
from veracity.analyzers.techniques import ARTIFACT, get_model
from veracity.evaluation._data import data_dir
from veracity.models.loading import artifact_path, manifest, write_manifest

DATASET = "ptc-semeval2020-task11"


def line_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of the lines of a PTC article (one sentence per line), blank lines left out."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def read_gold(root: Path, split: str) -> dict[str, list[tuple[int, int, str]]]:
    """Gold ``(start, end, label)`` spans per article id (dev labels are ``?``: hidden in this copy of PTC)."""
    name = "dev-task-TC-template.out" if split == "dev" else "train-task2-TC.labels"
    gold: dict[str, list[tuple[int, int, str]]] = {}
    for line in (root / name).read_text(encoding="utf-8").splitlines():
        if line:
            art, label, start, end = line.split("\t")
            gold.setdefault(art, []).append((int(start), int(end), label))
    return gold


def samples(root: Path, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels (1 = a gold technique span, 0 = a sentence without any) and article ids of one PTC split."""
    model = get_model()
    method, weight = model.decoding["method"], float(model.decoding.get("any_weight", 1.0))
    gold = read_gold(root, split)
    xs, ys, arts = [], [], []
    for path in sorted((root / f"{split}-articles").glob("article*.txt")):
        art = path.stem.removeprefix("article")
        text = path.read_text(encoding="utf-8")
        ids, offsets = model.encode(text)
        if len(ids) == 0:
            continue
        probs, _ = model.token_outputs(ids)
        spans = gold.get(art, [])
        free = [(s, e, 0) for s, e in line_ranges(text) if not any(min(e, ge) > max(s, gs) for gs, ge, _ in spans)]
        for start, end, y in free + [(s, e, 1) for s, e, _ in spans]:
            a, b = dec.span_tokens(offsets, start, end)
            xs.append(dec.none_features(probs[a:b], method, weight))
            ys.append(y)
            arts.append(art)
    return np.array(xs), np.array(ys), np.array(arts)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 30) -> dict[str, Any]:
    """Standardised L2 logistic regression by Newton's method (deterministic; a handful of features)."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.c_[(x - mean) / scale, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    reg = l2 * len(y) * np.r_[np.ones(z.shape[1] - 1), 0.0]
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        grad = z.T @ (p - y) + reg * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(reg + 1e-9)
        w -= np.linalg.solve(hess, grad)
    return {
        "features": list(dec.NONE_FEATURES),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "weights": [round(float(v), 6) for v in w[:-1]],
        "bias": round(float(w[-1]), 6),
    }


def probabilities(x: np.ndarray, calibration: dict[str, Any]) -> np.ndarray:
    """P(technique) for each row of features."""
    return np.array([dec.technique_probability(row, calibration) for row in x])


def calibrate(x: np.ndarray, y: np.ndarray, arts: np.ndarray, quantile: float, folds: int, seed: int) -> dict[str, Any]:
    """Fit on all rows; the threshold is the ``quantile`` of the out-of-fold P(technique) of technique-free rows."""
    ids = sorted(set(arts.tolist()))
    random.Random(seed).shuffle(ids)
    oof = np.zeros(len(y))
    for k in range(folds):
        held = np.isin(arts, ids[k::folds])
        oof[held] = probabilities(x[held], fit_logistic(x[~held], y[~held]))
    threshold = float(np.quantile(oof[y == 0], quantile))
    calibration = fit_logistic(x, y)
    calibration["threshold"] = round(threshold, 6)
    calibration["cv"] = {
        "quantile": quantile,
        "folds": folds,
        "seed": seed,
        "sentences_without_technique": int((y == 0).sum()),
        "gold_spans": int((y == 1).sum()),
        "none_share_sentences_without_technique": round(float((oof[y == 0] < threshold).mean()), 4),
        "none_share_gold_spans": round(float((oof[y == 1] < threshold).mean()), 4),
    }
    return calibration


def main(argv: list[str] | None = None) -> int:
    """Calibrate on PTC train, print the cross-validated shares, and (with --write) store the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="folder holding ptc-semeval2020-task11 (default: ../shared/data)")
    parser.add_argument("--quantile", type=float, default=0.85, help="share of technique-free train sentences below")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--write", action="store_true", help=f"store the calibration in {ARTIFACT}/decoding.json")
    parser.add_argument("--set-decoding", default=None, metavar="JSON", help="with --write: also merge these settings")
    args = parser.parse_args(argv)
    root = data_dir(args.data, required=DATASET) / DATASET
    x, y, arts = samples(root, "train")
    calibration = calibrate(x, y, arts, args.quantile, args.folds, args.seed)
    print(json.dumps(calibration["cv"], indent=2))
    print(f"threshold {calibration['threshold']}")
    if args.write:
        update_decoding({**json.loads(args.set_decoding or "{}"), "none": calibration})
    return 0


def update_decoding(settings: dict[str, Any]) -> None:
    """Merge ``settings`` into the shipped ``decoding.json`` and rewrite the artifact's manifest checksums."""
    path = artifact_path(ARTIFACT, "decoding.json")
    config = json.loads(path.read_text(encoding="utf-8"))
    config["decoding"].update(settings)
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    extra = {k: v for k, v in manifest(ARTIFACT).items() if k != "files"}
    write_manifest(path.parent, extra)
    print(f"wrote {path} and its manifest")


if __name__ == "__main__":
    raise SystemExit(main())
