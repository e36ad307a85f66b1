"""Mine PolNeAR train for attribution cue constructions and write ``src/veracity/data/cue_lexicon.json.gz``.

For every verb, noun and adjective the hand rules did not already use as a cue, and every dependency slot it has
(``veracity.sourcing.cues.candidate_slots``), count how often it occurs and how often it is an annotated cue whose
annotated content covers at least half of that slot's words ("hit"). Thresholds on cue precision (hits / occurrences)
and on hits are chosen by 5-fold cross-validation over train articles, maximising the held-out content-span F1 +
source accuracy of the whole extractor; the final table is mined from all of train. Dev is never read.

PolNeAR states no licence and its article texts must not be redistributed: the table holds lemmas, slot names and
counts only (no text), with the citation. Usage::

    python training/learn_cues.py --data ../shared/data [--cache /tmp/polnear-train.spacy]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from veracity.analyzers.attributions import _learned, extract_attributions
from veracity.doc import Document
from veracity.evaluation.attributions import load_split, score
from veracity.models.loading import spacy_pipeline
from veracity.sourcing.cues import CUE_TABLE_FILE, candidate_slots, cue_key, filter_table

REPO = Path(__file__).resolve().parents[1]
PRECISIONS = (0.05, 0.07, 0.1, 0.15, 0.2)
MIN_HITS = (1, 2)
FOLDS = 5


def _parses(texts: list[str], cache: Path | None) -> list[Any]:
    from spacy.tokens import DocBin

    nlp = spacy_pipeline()
    if cache is not None and cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if [d.text for d in docs] == texts:
            return docs
    docs = list(nlp.pipe(texts, batch_size=16))
    if cache is not None:
        bin_ = DocBin(store_user_data=False)
        for d in docs:
            bin_.add(d)
        bin_.to_disk(cache)
    return docs


def _overlap(a: tuple[int, int], b: list[tuple[int, int]]) -> int:
    return sum(max(0, min(a[1], e) - max(a[0], s)) for s, e in b)


def _covered(parts: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    return sum(_overlap(p, b) for p in parts)


def count_article(text: str, parsed: Any, gold: list[dict[str, Any]]) -> dict[tuple[str, str], list[int]]:
    """(cue key, slot) → [hits, occurrences, hits with a source] in one article, over words the hand rules leave unused."""
    taken = {a.cue[0] for a in extract_attributions(Document(text), parsed, table={})}
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for tok in parsed:
        key = cue_key(tok)
        if key is None or tok.idx in taken:
            continue
        tok_range = (tok.idx, tok.idx + len(tok.text))
        events = [g for g in gold if _overlap(tok_range, g["cue"]) > 0]
        for slot, deps in candidate_slots(tok):
            parts = _learned(tok, slot, deps).parts
            if not parts:
                continue
            size = max(1, sum(b - a for a, b in parts))
            match = next((g for g in events if _covered(parts, g["content"]) >= 0.5 * size), None)
            c = counts[(key, slot)]
            c[0] += match is not None
            c[1] += 1
            c[2] += match is not None and match["source"] is not None
    return counts


def _merge(per_article: list[dict[tuple[str, str], list[int]]]) -> dict[str, dict[str, list[int]]]:
    total: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for counts in per_article:
        for k, (h, n, src) in counts.items():
            total[k]["h"] += h
            total[k]["n"] += n
            total[k]["s"] += src
    out: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for (key, slot), c in total.items():
        out[key][slot] = [c["h"], c["n"], c["s"]]
    return out


def _predict(text: str, parsed: Any, table: dict) -> list[dict[str, Any]]:
    return [
        {"content": list(a.parts), "source": a.source, "direct": a.label == "direct"}
        for a in extract_attributions(Document(text), parsed, table=table)
    ]


def main() -> None:
    """Count, cross-validate thresholds, write the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--cache", type=Path, default=None, help="DocBin file to reuse/write the train parses")
    ap.add_argument("--out", type=Path, default=REPO / "src" / "veracity" / "data" / CUE_TABLE_FILE)
    args = ap.parse_args()
    started = time.time()
    split = load_split(args.data / "polnear", "train")
    parsed = _parses([text for _, text, _ in split], args.cache)
    print(f"{len(split)} train articles parsed in {time.time() - started:.0f}s")
    per_article = [count_article(text, p, gold) for (_, text, gold), p in zip(split, parsed, strict=True)]
    folds = [list(range(k, len(split), FOLDS)) for k in range(FOLDS)]
    fold_counts = [_merge([per_article[i] for i in range(len(split)) if i % FOLDS != k]) for k in range(FOLDS)]
    results = []
    print(f"{'min prec':>8} {'min hits':>8} {'F1':>6} {'P':>6} {'R':>6} {'src acc':>7} {'entries':>7}")
    for min_p in (1.01, *PRECISIONS):
        for min_h in MIN_HITS if min_p <= 1 else (1,):
            triples, sizes = [], []
            for k, idx in enumerate(folds):
                table = filter_table(fold_counts[k], min_p, min_h)
                sizes.append(sum(len(v) for v in table.values()))
                for i in idx:
                    name, text, gold = split[i]
                    triples.append((name, gold, _predict(text, parsed[i], table)))
            s = score(triples)
            res = {
                "min_precision": min_p,
                "min_hits": min_h,
                "f1": s["all"]["f1"],
                "precision": s["all"]["precision"],
                "recall": s["all"]["recall"],
                "source_accuracy": s["source_accuracy"],
                "entries": sum(sizes) / len(sizes),
            }
            results.append(res)
            print(
                f"{min_p:8.2f} {min_h:8d} {res['f1']:6.3f} {res['precision']:6.3f} {res['recall']:6.3f} "
                f"{res['source_accuracy']:7.3f} {res['entries']:7.0f}",
                flush=True,
            )
    # the balanced operating point: held-out content-span F1 + source accuracy
    best = max((r for r in results if r["min_precision"] <= 1), key=lambda r: r["f1"] + r["source_accuracy"])
    counts = _merge(per_article)
    table = filter_table(counts, best["min_precision"], best["min_hits"])
    kept = {k: {s: counts[k][s] for s, e in v.items() if e[0] > 0} for k, v in table.items() if k in counts}
    kept = {k: v for k, v in kept.items() if v}
    payload = {
        "description": "Attribution cue constructions (lemma + dependency slot → precision) learned on PolNeAR train.",
        "derived_from": (
            "PolNeAR v1.0.0 train compartment (Newell, Margolin, Ruths: 'An attribution relations corpus for "
            "political news', LREC 2018; github.com/networkdynamics/PolNeAR). Counts of lemmas and parse slots "
            "only; no article text."
        ),
        "script": "training/learn_cues.py",
        "parser": "en_core_web_sm 3.8.0",
        "min_precision": best["min_precision"],
        "min_hits": best["min_hits"],
        "cross_validation": {"folds": FOLDS, "objective": "content-span F1 + source accuracy", "grid": results},
        "table": dict(sorted(table.items())),
        "counts": dict(sorted(kept.items())),
    }
    # compact: one line per cue key, so the file stays small and diffs stay readable
    head = json.dumps({k: v for k, v in payload.items() if k not in {"table", "counts"}}, indent=1)[:-2]
    lines = [f"{json.dumps(k)}:{json.dumps(v, separators=(',', ':'))}" for k, v in payload["table"].items()]
    counts_lines = [f"{json.dumps(k)}:{json.dumps(v, separators=(',', ':'))}" for k, v in payload["counts"].items()]
    body = ',\n  "table": {\n' + ",\n".join(lines) + '\n },\n  "counts": {\n' + ",\n".join(counts_lines) + "\n }\n}\n"
    args.out.write_bytes(gzip.compress((head + body).encode("utf-8"), compresslevel=9, mtime=0))  # byte-reproducible
    print(f"best {best}; {sum(len(v) for v in table.values())} entries → {args.out} ({time.time() - started:.0f}s)")


if __name__ == "__main__":
    main()
