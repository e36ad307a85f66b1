"""``veracity eval claims``: positive-class F1 of the shipped check-worthiness model on the CheckThat! dev sets.

Sets (all under ``checkthat-checkworthiness-en``; none is used in training, and training data is de-duplicated
against them): CT24 English dev-test (political debates, the headline number), CT24 dev (= ClaimBuster
``groundtruth.csv``), CT22 1A tweet dev and CT21 1B debate dev. F1 of the positive class is the official CheckThat!
measure; average precision (AP) is shown beside it because the 2021 debate task was ranked by mean AP.

``--parts lodo`` prints the leave-one-dataset-out table recorded by ``training/lodo_claims.py`` (train without a
dataset's source, test on it; training is not part of ``veracity eval``), and ``--parts types`` measures
``veracity.claim_types`` on the hand-labelled set ``data/claim_types_labels.tsv`` (locators into ``../shared/data``,
the text read here; rows whose data is absent are skipped and counted).

The loaders here are stdlib-only (no ``veracity`` imports at module level) so that ``training/train_claims.py`` can
load this file by path on a machine where veracity itself is not installed.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DESCRIPTION = (
    "check-worthy claims: positive-class F1 on CheckThat! 2024 dev-test, 2022 tweets and 2021 debates, the recorded "
    "leave-one-dataset-out table, and claim types (per-type P/R, micro-F1) on the hand-labelled set"
)
PARTS = ("dev", "lodo", "types")
#: leave-one-dataset-out results recorded by training/lodo_claims.py (training is not part of ``veracity eval``)
LODO_FILE = Path(__file__).resolve().parents[1] / "data" / "claims_lodo.json"
DATASET = "checkthat-checkworthiness-en"

#: evaluation sets: name -> (loader kind, path relative to the dataset folder)
EVAL_SETS: dict[str, tuple[str, str]] = {
    "ct24-dev-test": ("ct24", "ct2024-task1-en/CT24_checkworthy_english_dev-test.tsv"),
    "ct24-dev": ("ct24", "ct2024-task1-en/CT24_checkworthy_english_dev.tsv"),
    "ct22-1a-tweets-dev": ("ct22", "ct2022-task1a-checkworthy-tweets/CT22_english_1A_checkworthy_dev.tsv"),
    "ct21-1b-debates-dev": ("ct21debates", "ct2021-task1b-debates/dev"),
}

Example = tuple[str, int]  # (text, label 1 = check-worthy)

_FUSED = re.compile(r"^(Yes|No)(\d+)$")


def load_ct24(path: Path) -> list[Example]:
    """CT24 English TSV (``Sentence_id, Text, class_label`` Yes/No); repairs the one fused line in train."""
    rows: list[Example] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        parts = line.rstrip("\r").split("\t")
        if not line.strip():
            continue
        if len(parts) == 5 and _FUSED.match(parts[2]):  # "id<TAB>text<TAB>No29286<TAB>text<TAB>No"
            label, _next_id = _FUSED.match(parts[2]).groups()  # type: ignore[union-attr]
            rows.append((parts[1], int(label == "Yes")))
            rows.append((parts[3], int(parts[4] == "Yes")))
            continue
        if len(parts) != 3 or parts[2] not in {"Yes", "No"}:
            raise ValueError(f"{path}: unexpected line {line[:80]!r}")
        rows.append((parts[1], int(parts[2] == "Yes")))
    return rows


def load_tweets(path: Path) -> list[Example]:
    """A CheckThat! tweet TSV with a header, the tweet text in column 4 and the 0/1 label last.

    Both CT22 1A/1B (``topic, tweet_id, tweet_url, tweet_text, class_label``) and CT21 1A
    (``topic_id, tweet_id, tweet_url, tweet_text, claim, check_worthiness``) have that layout.
    """
    rows: list[Example] = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip():
            continue
        parts = line.rstrip("\r").split("\t")
        rows.append((parts[3], int(parts[-1])))
    return rows


load_ct22 = load_ct21_tweets = load_tweets  # per-dataset names, kept for callers


def load_ct21_debates(folder: Path) -> list[Example]:
    """CT21 1B debate transcripts: one headerless TSV per file (``line_no, speaker, sentence, label``)."""
    rows: list[Example] = []
    for path in sorted(folder.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            parts = line.rstrip("\r").split("\t")
            rows.append((parts[2], int(parts[3])))
    return rows


LOADERS = {"ct24": load_ct24, "ct22": load_tweets, "ct21tweets": load_tweets, "ct21debates": load_ct21_debates}


def load_eval_set(dataset_dir: Path, name: str) -> list[Example]:
    """One of ``EVAL_SETS`` read from the dataset folder."""
    kind, rel = EVAL_SETS[name]
    return LOADERS[kind](dataset_dir / rel)


# claim types: the hand-labelled set points into ../shared/data (never copies its text) ------------------------------

#: the labelled set: ``locator<TAB>sha1-prefix of the text<TAB>types (comma list)<TAB>split``
CLAIM_TYPES_FILE = Path(__file__).resolve().parents[1] / "data" / "claim_types_labels.tsv"
#: (file under the data folder, check-worthy rows, other rows) drawn for labelling by training/claim_types_sample.py
CLAIM_TYPE_TSV_DRAW: list[tuple[str, int, int]] = [
    (f"{DATASET}/ct2024-task1-en/CT24_checkworthy_english_dev-test.tsv", 45, 15),
    ("claimbuster/groundtruth.csv", 45, 15),
    (f"{DATASET}/ct2022-task1a-checkworthy-tweets/CT22_english_1A_checkworthy_dev.tsv", 25, 10),
    (f"{DATASET}/ct2021-task1b-debates/dev/20170228_Trump_Congress_joint_session.tsv", 12, 12),
]


def buzzfeed_text(path: Path) -> str:
    """The ``mainText`` of one BuzzFeed-Webis article XML (empty when it has none)."""
    import xml.etree.ElementTree as ET

    node = ET.parse(path).getroot().find("mainText")
    return (node.text or "") if node is not None else ""


def tsv_items(data: Path, rel: str) -> list[tuple[int, str, int]]:
    """(line number or sentence id, text, check-worthy 0/1) of one labelled file under the data folder.

    CheckThat! TSVs are keyed by 1-based physical line; ClaimBuster CSVs by ``Sentence_id``.
    """
    import csv

    path = data / rel
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            return [(int(r["Sentence_id"]), r["Text"], int(r["Verdict"] == "1")) for r in csv.DictReader(fh)]
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.rstrip("\r").split("\t")
        if "ct2024" in rel and n > 1 and len(parts) == 3:
            text = parts[1]
            if len(text) > 1 and text[0] == text[-1] == '"':  # CSV-style quoting of the TSV, not a quotation
                text = text[1:-1].replace('""', '"')
            out.append((n, text, int(parts[2] == "Yes")))
        elif "ct2022" in rel and n > 1 and len(parts) >= 5:
            out.append((n, parts[3], int(parts[-1])))
        elif "ct2021-task1b" in rel and len(parts) == 4:
            out.append((n, parts[2], int(parts[3])))
    return out


def resolve_locator(locator: str, data: Path, examples: Path) -> str:
    """The sentence a locator names: ``FILE#START-END`` (characters of an article), ``FILE#LN`` or ``FILE#idN``.

    ``examples:NAME`` reads ``../shared/examples/NAME``; ``own:TEXT`` is a sentence written for the set.
    Raises ``FileNotFoundError`` when the file is absent.
    """
    if locator.startswith("own:"):
        return locator[4:]
    rel, _, key = locator.rpartition("#")
    if rel.startswith("examples:"):
        text = (examples / rel.split(":", 1)[1]).read_text(encoding="utf-8")
    elif rel.endswith(".xml"):
        text = buzzfeed_text(data / rel)
    else:
        by_key = {k: t for k, t, _ in tsv_items(data, rel)}
        return by_key[int(key.lstrip("Lid"))]
    start, end = (int(x) for x in key.split("-"))
    return text[start:end]


def text_key(text: str) -> str:
    """First 10 hex digits of the SHA-1 of a sentence's whitespace-normalised text (checks a locator still fits)."""
    import hashlib

    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:10]


def load_claim_types(
    data: Path, examples: Path, path: Path = CLAIM_TYPES_FILE
) -> tuple[list[tuple[str, str, list[str], str]], list[str]]:
    """The labelled set as (locator, text, gold types, split) and the reasons rows were skipped (data absent/changed)."""
    rows: list[tuple[str, str, list[str], str]] = []
    skipped: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        locator, key, types, split = line.split("\t")
        try:
            text = resolve_locator(locator, data, examples)
        except (FileNotFoundError, KeyError, ValueError) as exc:
            skipped.append(f"{locator}: {type(exc).__name__} {exc}")
            continue
        if text_key(text) != key:
            skipped.append(f"{locator}: text changed (sha1 {text_key(text)} != {key})")
            continue
        rows.append((locator, text, types.split(","), split))
    return rows, skipped


def type_metrics(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], types: Sequence[str]) -> dict:
    """Per-type precision/recall/F1/support and micro-averaged P/R/F1 over all (sentence, type) decisions."""
    out: dict[str, Any] = {"types": {}}
    tp_all = fp_all = fn_all = 0
    for name in types:
        g = [int(name in x) for x in gold]
        p = [int(name in x) for x in predicted]
        tp = sum(a and b for a, b in zip(g, p, strict=True))
        fp = sum(b and not a for a, b in zip(g, p, strict=True))
        fn = sum(a and not b for a, b in zip(g, p, strict=True))
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        m = prf(g, p)
        out["types"][name] = {"support": sum(g), "predicted": sum(p), **{k: round(v, 4) for k, v in m.items()}}
    precision = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    recall = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    out["micro"] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}
    return out


def normalize(text: str) -> str:
    """Key for de-duplication: lower case, URLs dropped, runs of non-alphanumerics collapsed."""
    text = re.sub(r"https?://\S+", " ", text.lower())
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def prf(labels: Sequence[int], predicted: Sequence[int]) -> dict[str, float]:
    """Precision, recall and F1 of the positive class."""
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Average precision of the ranking by score (ties broken by input order, as a stable sort does)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    hits, total, n_pos = 0, 0.0, sum(labels)
    for rank, i in enumerate(order, start=1):
        if labels[i]:
            hits += 1
            total += hits / rank
    return total / n_pos if n_pos else 0.0


def best_threshold(labels: Sequence[int], scores: Sequence[float]) -> tuple[float, float]:
    """The score threshold (predict positive when score >= t) that maximises positive-class F1, and that F1."""
    pairs = sorted(zip(scores, labels, strict=True), key=lambda p: -p[0])
    n_pos = sum(labels)
    best_t, best_f1, tp = 0.5, -1.0, 0
    for k, (score, label) in enumerate(pairs, start=1):
        tp += label
        if k < len(pairs) and pairs[k][0] == score:
            continue  # only cut between distinct scores
        f1 = 2 * tp / (k + n_pos) if k + n_pos else 0.0
        if f1 > best_f1:
            nxt = pairs[k][0] if k < len(pairs) else score - 1e-6
            best_t, best_f1 = (score + nxt) / 2, f1
    return float(best_t), float(best_f1)


def evaluate(scores: Sequence[float], labels: Sequence[int], threshold: float) -> dict[str, Any]:
    """Metrics for one set at ``threshold``: n, positives, P/R/F1 of the positive class, AP."""
    metrics = prf(labels, [int(s >= threshold) for s in scores])
    return {
        "n": len(labels),
        "positives": int(sum(labels)),
        **{k: round(v, 4) for k, v in metrics.items()},
        "ap": round(average_precision(labels, scores), 4),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``veracity eval claims``."""
    parser.add_argument(
        "--sets",
        default=",".join(EVAL_SETS),
        help=f"comma-separated evaluation sets (default: all: {', '.join(EVAL_SETS)})",
    )
    parser.add_argument("--threshold", type=float, default=None, help="decision threshold (default: the model's)")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON instead of a table")
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help="comma list of dev (score the dev sets), lodo (the recorded leave-one-dataset-out table), "
        "types (claim types on the labelled set); default: all",
    )


def run(args: argparse.Namespace) -> int:
    """Print the parts asked for: dev-set P/R/F1 and AP, the recorded LODO table, claim-type P/R/F1."""
    from veracity.errors import UsageError
    from veracity.evaluation._data import data_dir

    parts = [p.strip() for p in getattr(args, "parts", ",".join(PARTS)).split(",") if p.strip()]
    if not parts or any(p not in PARTS for p in parts):
        raise UsageError(f"--parts: choose from {', '.join(PARTS)} (got {getattr(args, 'parts', '')!r})")
    data = data_dir(args.data, required=DATASET)
    results: dict[str, Any] = {}
    if "dev" in parts:
        results.update(_dev(args, data / DATASET))
    if "lodo" in parts:
        results["lodo"] = json.loads(LODO_FILE.read_text(encoding="utf-8"))
    if "types" in parts:
        results["types"] = evaluate_types(data, data.parent / "examples")
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    if "dev" in parts:
        _print_dev(results)
    if "lodo" in parts:
        _print_lodo(results["lodo"])
    if "types" in parts:
        _print_types(results["types"])
    return 0


def evaluate_types(data: Path, examples: Path) -> dict[str, Any]:
    """``claim_types`` against the hand-labelled set: per-type and micro P/R/F1 on dev, test and all rows."""
    from veracity.claim_types import TYPES, claim_types
    from veracity.models.loading import spacy_pipeline

    rows, skipped = load_claim_types(data, examples)
    nlp = spacy_pipeline()
    predicted = [claim_types(doc[:]) for doc in nlp.pipe([text for _, text, _, _ in rows], batch_size=64)]
    out: dict[str, Any] = {"labelled": len(rows) + len(skipped), "skipped": skipped, "splits": {}}
    for split in ("dev", "test", "all"):
        keep = [i for i, r in enumerate(rows) if split in {"all", r[3]}]
        metrics = type_metrics([rows[i][2] for i in keep], [predicted[i] for i in keep], TYPES)
        out["splits"][split] = {"n": len(keep), **metrics}
    return out


def _dev(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """Score each dev set with the shipped model: positive-class P/R/F1 and AP at the model's threshold."""
    from veracity.analyzers.claims import ClaimScorer
    from veracity.errors import UsageError

    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [n for n in names if n not in EVAL_SETS]
    if unknown or not names:
        raise UsageError(
            f"unknown evaluation set(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(EVAL_SETS)}"
        )
    scorer = ClaimScorer.shared()
    threshold = scorer.threshold if args.threshold is None else args.threshold
    results: dict[str, Any] = {"model": scorer.artifact, "threshold": round(threshold, 4), "sets": {}}
    for name in names:
        rows = load_eval_set(root, name)
        scores = scorer.score_texts([t for t, _ in rows]).tolist()
        results["sets"][name] = evaluate(scores, [y for _, y in rows], threshold)
    return results


def _print_dev(results: dict[str, Any]) -> None:
    print(f"check-worthiness — model {results['model']}, threshold {results['threshold']}")
    print(f"{'set':<22} {'n':>6} {'pos':>5} {'P':>7} {'R':>7} {'F1':>7} {'AP':>7}")
    for name, m in results["sets"].items():
        print(
            f"{name:<22} {m['n']:>6} {m['positives']:>5} {m['precision']:>7.4f} {m['recall']:>7.4f} {m['f1']:>7.4f} {m['ap']:>7.4f}"
        )


def _print_lodo(lodo: dict[str, Any]) -> None:
    print()
    print("leave-one-dataset-out (recorded by training/lodo_claims.py; positive-class F1, threshold from train folds)")
    folds = lodo["folds"]
    print(f"{'recipe (F1 / AP per fold)':<34} " + " ".join(f"{f[:13]:>13}" for f in folds) + f" {'mean':>13}")
    for name, recipe in lodo["recipes"].items():
        cells = []
        for f in folds:
            m = recipe.get(f)
            ap = f"/{m['ap']:.3f}" if isinstance(m, dict) and "ap" in m else "/—"
            cells.append((f"{m['f1']:.3f}{ap}" if isinstance(m, dict) else "—").rjust(13))
        aps = [recipe[f]["ap"] for f in folds if isinstance(recipe.get(f), dict) and "ap" in recipe[f]]
        mean = recipe.get("mean_f1")
        mean_cell = f"{mean:.3f}/{sum(aps) / len(aps):.3f}" if mean is not None and len(aps) == len(folds) else "—"
        print(f"{name[:34]:<34} {' '.join(cells)} {mean_cell:>13}")
    for line in lodo.get("notes", []):
        print(f"  {line}")


def _print_types(types: dict[str, Any]) -> None:
    print()
    print(f"claim types — {types['labelled']} labelled sentences ({len(types['skipped'])} skipped: data absent)")
    print(f"{'type':<20} " + " ".join(f"{s + ' P/R/F1':>22}" for s in types["splits"]) + f" {'support':>8}")
    names = list(types["splits"]["all"]["types"])
    for name in [*names, "micro"]:
        cells = []
        for split in types["splits"].values():
            m = split["micro"] if name == "micro" else split["types"][name]
            cells.append(f"{m['precision']:.3f}/{m['recall']:.3f}/{m['f1']:.3f}".rjust(22))
        support = "" if name == "micro" else types["splits"]["all"]["types"][name]["support"]
        print(f"{name:<20} {' '.join(cells)} {support:>8}")
    for reason in types["skipped"][:5]:
        print(f"  skipped {reason}")
