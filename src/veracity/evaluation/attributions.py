"""``veracity eval attributions``: attribution extraction on PolNeAR dev (Newell et al., LREC 2018).

Content spans are scored with the SemEval-2020 T11 span-overlap formula (partial credit for shared characters), over
all attributions and separately for direct quotes and indirect speech. Source accuracy is the share of gold
attributions whose best-overlapping predicted attribution (most shared characters; on a tie the shortest) has a source
span overlapping the gold source, or correctly no source when the gold has none (a gold attribution no prediction overlaps counts as wrong); it is also given over
matched gold attributions only. One annotator per article: the lexicographically first ID, as PolNeAR's own splits.
A gold content is "direct" when at least 80% of its characters lie inside double quotation marks.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from veracity.evaluation._data import data_dir
from veracity.evaluation.spans import si_scores

DESCRIPTION = "attribution content-span F1 and source accuracy on PolNeAR dev"

Range = tuple[int, int]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options: split, article limit, JSON output."""
    parser.add_argument("--split", default="dev", choices=["dev", "train"], help="PolNeAR compartment (default dev)")
    parser.add_argument("--limit", type=int, default=None, help="evaluate the first N articles only")
    parser.add_argument("--json", metavar="FILE", default=None, help="also write the scores as JSON")


def read_ann(path: Path, text: str) -> list[dict[str, Any]]:
    """Gold attributions of one brat file: content parts, source range or None, cue parts, direct or not."""
    spans: dict[str, list[Range]] = {}
    events: list[dict[str, str]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line in fh:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 2:
                continue
            if fields[0].startswith("T"):
                try:
                    _label, offsets = fields[1].split(" ", 1)
                    spans[fields[0]] = [tuple(int(x) for x in seg.split()) for seg in offsets.split(";")]  # type: ignore[misc]
                except ValueError:
                    continue
            elif fields[0].startswith("E"):
                try:
                    events.append(dict(part.split(":", 1) for part in fields[1].split()))
                except ValueError:
                    continue
    gold = []
    for ev in events:
        content = [r for r in spans.get(ev.get("Content", ""), []) if r[1] > r[0] and r[1] <= len(text)]
        if not content:
            continue
        src = spans.get(ev.get("Source", ""))
        gold.append(
            {
                "content": content,
                "source": (min(s for s, _ in src), max(e for _, e in src)) if src else None,
                "direct": _quoted_share(text, content) >= 0.8,
                "cue": spans.get(ev.get("Cue", ""), []),
            }
        )
    return gold


def _quoted_share(text: str, parts: Iterable[Range]) -> float:
    from veracity.sourcing.quotes import find_quotes

    parts = list(parts)
    lo, hi = min(s for s, _ in parts), max(e for _, e in parts)
    window_start = max(0, text.rfind("\n\n", 0, lo))
    window_end = text.find("\n\n", hi)
    window_end = len(text) if window_end < 0 else window_end
    quotes = [(q.start + window_start, q.end + window_start) for q in find_quotes(text[window_start:window_end])]
    size = sum(e - s for s, e in parts)
    inside = sum(max(0, min(e, qe) - max(s, qs)) for s, e in parts for qs, qe in quotes)
    return inside / size if size else 0.0


def load_split(root: Path, split: str, limit: int | None = None) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(article id, text, gold attributions) for a PolNeAR compartment, one annotator per article."""
    rows = []
    with (root / "metadata.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["compartment"] == split:
                rows.append(row)
    rows.sort(key=lambda r: r["filename"])
    out = []
    for row in rows[:limit] if limit else rows:
        name = row["filename"]
        annotator = sorted(a for a in row["annotators"].split("|") if a)[0]
        text = (root / split / "text" / f"{name}.txt").open(encoding="utf-8", newline="").read()
        ann = root / split / "attributions" / f"{name}_{annotator}.ann"
        if ann.exists():
            out.append((name, text, read_ann(ann, text)))
    return out


def _overlap(a: Iterable[Range], b: Iterable[Range]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def score(articles: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]]) -> dict[str, Any]:
    """Scores from (article id, gold, predicted) triples; predictions have the same keys as gold."""
    result: dict[str, Any] = {}
    for kind, keep in (
        ("all", lambda a: True),
        ("direct", lambda a: a["direct"]),
        ("indirect", lambda a: not a["direct"]),
    ):
        gold = {doc: [r for a in g if keep(a) for r in a["content"]] for doc, g, _ in articles}
        pred = {doc: [r for a in p if keep(a) for r in a["content"]] for doc, _, p in articles}
        s = si_scores(gold, pred)
        result[kind] = {
            "precision": s.precision,
            "recall": s.recall,
            "f1": s.f1,
            "n_gold": s.n_gold,
            "n_pred": s.n_pred,
        }
    correct = matched = total = 0
    for _doc, gold, pred in articles:
        for g in gold:
            total += 1
            # the predicted attribution sharing most characters with the gold content; on a tie the tightest one
            # (a nested attribution inside a longer one), not whichever happens to come first
            best = max(
                pred,
                key=lambda p: (_overlap(p["content"], g["content"]), -sum(e - s for s, e in p["content"])),
                default=None,
            )
            if best is None or _overlap(best["content"], g["content"]) == 0:
                continue
            matched += 1
            if g["source"] is None:
                correct += best["source"] is None
            elif best["source"] is not None:
                correct += _overlap([best["source"]], [g["source"]]) > 0
    result["source_accuracy"] = correct / total if total else 0.0
    result["source_accuracy_matched"] = correct / matched if matched else 0.0
    result["gold_attributions"] = total
    result["matched"] = matched
    return result


def run(args: argparse.Namespace) -> int:
    """Run the evaluation and print a table (and JSON when asked)."""
    from veracity.analyzers._spacy import parse_many
    from veracity.analyzers.attributions import extract_attributions
    from veracity.doc import Document
    from veracity.models.loading import spacy_pipeline

    root = data_dir(args.data, required="polnear") / "polnear"
    split = load_split(root, args.split, args.limit)
    spacy_pipeline()
    docs = [Document(text) for _, text, _ in split]
    started = time.perf_counter()
    parsed = parse_many(docs)
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    triples = []
    for (name, _text, gold), doc, p in zip(split, docs, parsed, strict=True):
        preds = [
            {
                "content": [(a.start, a.end)] if len(a.parts) == 1 else list(a.parts),
                "source": a.source,
                "direct": a.label == "direct",
            }
            for a in extract_attributions(doc, p)
        ]
        triples.append((name, gold, preds))
    rules_s = time.perf_counter() - started
    scores = score(triples)
    scores.update({"split": args.split, "articles": len(split), "parse_seconds": parse_s, "rules_seconds": rules_s})
    print(f"PolNeAR {args.split}: {len(split)} articles, {scores['gold_attributions']} gold attributions")
    print(f"{'content spans':<16} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6} {'pred':>6}")
    for kind in ("all", "direct", "indirect"):
        r = scores[kind]
        print(f"{kind:<16} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} {r['n_gold']:6d} {r['n_pred']:6d}")
    print(
        f"source accuracy  {scores['source_accuracy']:.3f} (all gold)  {scores['source_accuracy_matched']:.3f} (matched gold, {scores['matched']})"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    return 0
